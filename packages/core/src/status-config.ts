import * as z from "zod";

/**
 * The one table between M3 order statuses and BigCommerce order statuses (issue 13). M3 reports an order's
 * progress as the highest status of its lines (OIS100MI GetHead/LstLine ORST, two digits: 05 quotation, 22
 * allocated, 44 picking, 66 delivered, 77 invoiced, 90–99 deleted or completed without delivery); BigCommerce
 * by a status id. Ids, never labels: merchants rename statuses in the control panel, the ids 0–14 stay.
 */
export const ORDER_STATES = ["sent", "shipped", "completed", "cancelled"] as const;
export type OrderState = (typeof ORDER_STATES)[number];

const M3Status = z.string().regex(/^\d{2}$/, "an M3 order status is two digits, e.g. 44");
const BigCommerceStatusId = z.number().int().min(0).max(14);

export const StatusRow = z.strictObject({
  state: z.enum(ORDER_STATES).describe("what the row means: sent, shipped, completed or cancelled"),
  m3From: M3Status.describe("lowest M3 order status (highest line status, ORST) of the range, e.g. 05"),
  m3To: M3Status.describe("highest M3 order status of the range, e.g. 44"),
  bigcommerce: z
    .array(BigCommerceStatusId)
    .min(1)
    .describe("BigCommerce status ids that mean the same, e.g. [5, 6] (Cancelled, Declined) for cancelled"),
});
export type StatusRow = z.output<typeof StatusRow>;

export const DEFAULT_STATUS_MAP: StatusRow[] = [
  // 9 Awaiting Shipment, 11 Awaiting Fulfillment, 8 Awaiting Pickup: with M3, not shipped (44 = on a picking list).
  { state: "sent", m3From: "05", m3To: "44", bigcommerce: [9, 11, 8] },
  // 2 Shipped, 3 Partially Shipped.
  { state: "shipped", m3From: "45", m3To: "69", bigcommerce: [2, 3] },
  // 10 Completed: invoiced in M3.
  { state: "completed", m3From: "70", m3To: "89", bigcommerce: [10] },
  // 5 Cancelled, 6 Declined; M3 9x: deleted, or 99 completed without delivery.
  { state: "cancelled", m3From: "90", m3To: "99", bigcommerce: [5, 6] },
];

/** Problems with a status table (empty when sound): every state once, ranges in order and apart, ids once. */
export function statusMapProblems(rows: StatusRow[]): Array<{ path: (string | number)[]; message: string }> {
  const problems: Array<{ path: (string | number)[]; message: string }> = [];
  for (const state of ORDER_STATES) {
    const count = rows.filter((r) => r.state === state).length;
    if (count !== 1)
      problems.push({ path: [], message: `needs exactly one row for "${state}", has ${count}` });
  }
  rows.forEach((row, index) => {
    if (row.m3From > row.m3To)
      problems.push({ path: [index, "m3From"], message: `m3From ${row.m3From} is above m3To ${row.m3To}` });
    rows.slice(index + 1).forEach((other, offset) => {
      if (row.m3From <= other.m3To && other.m3From <= row.m3To)
        problems.push({
          path: [index + 1 + offset],
          message: `M3 statuses ${other.m3From}–${other.m3To} (${other.state}) overlap ${row.m3From}–${row.m3To} (${row.state})`,
        });
      const shared = other.bigcommerce.filter((id) => row.bigcommerce.includes(id));
      if (shared.length)
        problems.push({
          path: [index + 1 + offset, "bigcommerce"],
          message: `BigCommerce status ${shared.join(", ")} is in both "${row.state}" and "${other.state}"`,
        });
    });
  });
  return problems;
}

/** The state an M3 order status falls in, or undefined when no row covers it. */
export const stateOfM3Status = (rows: StatusRow[], m3Status: string): StatusRow | undefined =>
  rows.find((r) => r.m3From <= m3Status && m3Status <= r.m3To);

/** The row of a state (the table has exactly one, checked at start). */
export const statusRow = (rows: StatusRow[], state: OrderState): StatusRow =>
  rows.find((r) => r.state === state) as StatusRow;
