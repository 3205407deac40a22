import type { WebhookEvent } from "@m3bc/bigcommerce";
import { type ConnectorConfig, type CustomerMaster, customerKey } from "@m3bc/core";
import * as z from "zod";
import type { CustomerBinding, CustomerBindingStore } from "./binding";
import { activeFields, addressContent, digest, fieldValue } from "./fields";

export const CUSTOMER_SCOPES = [
  "store/customer/created",
  "store/customer/updated",
  "store/customer/deleted",
  "store/customer/address/created",
  "store/customer/address/updated",
  "store/customer/address/deleted",
] as const;

/** What ingest puts on the customer-events queue: which customer the webhook is about (always re-read). */
export const CustomerEvent = z.object({
  scope: z.string().startsWith("store/customer/"),
  customerId: z.number().int().positive(),
  hash: z.string(),
});
export type CustomerEvent = z.infer<typeof CustomerEvent>;

/** The customer a customer or address webhook is about, or undefined for any other webhook. */
export function customerEventOf(event: WebhookEvent): CustomerEvent | undefined {
  if (!event.scope.startsWith("store/customer/")) return undefined;
  const data = event.data as { id: number; address?: { customer_id: number } };
  const customerId = event.scope.startsWith("store/customer/address/") ? data.address?.customer_id : data.id;
  return customerId ? { scope: event.scope, customerId, hash: event.hash } : undefined;
}

/** What customers-transform hands to customers-deliver: ids only, the deliverer reads both sides again. */
export const CustomerDelivery = z.object({
  bigcommerceId: z.number().int().positive(),
  /** BigCommerce deleted the customer. */
  deleted: z.boolean().default(false),
});
export type CustomerDelivery = z.infer<typeof CustomerDelivery>;

export interface CustomerTransformDeps {
  config: ConnectorConfig;
  bindings: Pick<CustomerBindingStore, "get">;
  /** The BigCommerce customer read for the sync (one call for the whole batch), undefined if it is gone. */
  fetch(bigcommerceId: number): Promise<CustomerMaster | undefined>;
}

export type CustomerTransformResult =
  | { outcome: "skipped"; detail: string }
  | {
      outcome: "done";
      detail: string;
      delivery: CustomerDelivery;
      /**
       * The same BigCommerce state against the same binding version: duplicates of one change get the same id, and
       * the FIFO queue drops the repeats (a change undone after the sync is a new version, so it still goes).
       */
      deliveryId: string;
    };

/**
 * Decides whether a customer webhook is work for M3: a customer the connector does not know yet is; a known one
 * only when a field it syncs differs from what BigCommerce held at the last sync. Everything else is dropped here
 * without touching M3: the echo of the connector's own writes (BigCommerce fires store/customer/updated for them),
 * a login or a change to a field the connector does not sync, a duplicate delivery.
 */
export async function transformCustomerEvent(
  event: CustomerEvent,
  deps: CustomerTransformDeps,
): Promise<CustomerTransformResult> {
  const { config } = deps;
  const key = customerKey(config.bigcommerce.storeHash, event.customerId);
  const binding = (await deps.bindings.get([key])).get(key);
  if (event.scope === "store/customer/deleted") {
    if (!binding || binding.deleted) return { outcome: "skipped", detail: "not linked to an M3 customer" };
    return {
      outcome: "done",
      detail: `deleted in BigCommerce (customers.onDelete: ${config.customers.onDelete.action})`,
      delivery: { bigcommerceId: event.customerId, deleted: true },
      deliveryId: `${key}:deleted`,
    };
  }
  const customer = await deps.fetch(event.customerId);
  if (!customer) return { outcome: "skipped", detail: "BigCommerce no longer has this customer" };
  if (binding?.sync && !changedSinceSync(customer, binding, config))
    return {
      outcome: "skipped",
      detail: "nothing the connector syncs changed since its last write (an echo)",
    };
  return {
    outcome: "done",
    detail: binding ? `changed since the last sync with M3 ${binding.customerNumber}` : "not linked yet",
    delivery: { bigcommerceId: event.customerId, deleted: false },
    deliveryId: `${key}:${digest([bigCommerceFingerprint(customer, config), binding?.version ?? 0])}`,
  };
}

/** A digest of what the connector syncs of BigCommerce's customer: equal digests, same work. */
export function bigCommerceFingerprint(customer: CustomerMaster, config: ConnectorConfig): string {
  return digest([
    activeFields(config.customers).map((f) => fieldValue(customer, f)),
    customer.addresses.map((a) => [a.key, addressContent(a)]),
  ]);
}

/**
 * True when a synced field or address of BigCommerce's customer differs from its side of the last sync, and from
 * what the BigCommerce writer is writing now (its own echo, arriving before it saved).
 */
function changedSinceSync(
  customer: CustomerMaster,
  binding: CustomerBinding,
  config: ConnectorConfig,
): boolean {
  const sync = binding.sync!;
  const expected = binding.expected && binding.expected.until > Date.now() ? binding.expected : undefined;
  const known = (hash: string, synced: string | undefined, writing: string | undefined) =>
    hash === synced || hash === writing;
  for (const field of activeFields(config.customers))
    if (!known(digest(fieldValue(customer, field)), sync.fields[field]?.bigcommerce, expected?.fields[field]))
      return true;
  const paired = new Set(Object.keys(sync.addresses));
  const ids = customer.addresses.map((a) => a.key.slice("bc:".length));
  if (ids.length !== paired.size || ids.some((id) => !paired.has(id))) return true;
  return customer.addresses.some((a) => {
    const id = a.key.slice("bc:".length);
    return !known(digest(addressContent(a)), sync.addresses[id]?.hashes.bigcommerce, expected?.addresses[id]);
  });
}
