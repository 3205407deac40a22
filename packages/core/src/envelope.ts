import { randomUUID } from "node:crypto";
import { flows } from "@m3bc/topology";
import * as z from "zod";

/**
 * The small JSON message every queue carries. `key` is the business key (e.g. `order:<store>:<id>`);
 * FIFO queues use it as the message group, so messages about one thing stay in order.
 */
export const Envelope = z.object({
  id: z.string().min(1),
  flow: z.enum(flows),
  kind: z.string().min(1),
  key: z.string().min(1).max(128),
  attempt: z.number().int().nonnegative(),
  correlationId: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  payload: z.unknown(),
});
export type Envelope<P = unknown> = Omit<z.infer<typeof Envelope>, "payload"> & { payload: P };

export function newEnvelope<P>(
  fields: Pick<Envelope<P>, "flow" | "kind" | "key" | "payload"> &
    Partial<Pick<Envelope<P>, "correlationId" | "occurredAt" | "id">>,
): Envelope<P> {
  const id = fields.id ?? randomUUID();
  return {
    id,
    flow: fields.flow,
    kind: fields.kind,
    key: fields.key,
    attempt: 0,
    correlationId: fields.correlationId ?? id,
    occurredAt: fields.occurredAt ?? new Date().toISOString(),
    payload: fields.payload,
  };
}

/** The next message in a chain keeps the correlation id, so one order can be followed across functions. */
export function followOn<P>(
  from: Pick<Envelope, "correlationId" | "flow" | "key">,
  fields: Pick<Envelope<P>, "kind" | "payload"> & Partial<Pick<Envelope<P>, "key" | "id">>,
): Envelope<P> {
  return newEnvelope({
    flow: from.flow,
    key: fields.key ?? from.key,
    correlationId: from.correlationId,
    ...fields,
  });
}
