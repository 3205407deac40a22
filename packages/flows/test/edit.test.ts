import { describe, expect, test } from "vitest";
import { type BigCommerceOrder, lineChanges, type OrderProgress } from "../src";

const progress: OrderProgress = {
  key: "order:store1:500",
  state: "sent",
  parts: {
    "11": {
      orderNumber: "1000001",
      lines: [
        { lineId: 1, sku: "A", quantity: 3, unitQuantity: "3" },
        { lineId: 2, sku: "B", quantity: 1, unitQuantity: "1" },
      ],
    },
  },
};
const order = (items: Array<{ id: number; sku: string; quantity: number }>) =>
  ({ consignments: { shipping: [{ line_items: items }] } }) as unknown as BigCommerceOrder;

describe("lineChanges", () => {
  test("nothing changed: no change", () => {
    expect(
      lineChanges(
        order([
          { id: 1, sku: "A", quantity: 3 },
          { id: 2, sku: "B", quantity: 1 },
        ]),
        progress,
      ),
    ).toEqual([]);
  });

  test("lowered, removed and added lines, each with what M3 has and what BigCommerce has now", () => {
    expect(
      lineChanges(
        order([
          { id: 1, sku: "A", quantity: 2 },
          { id: 3, sku: "C", quantity: 4 },
        ]),
        progress,
      ),
    ).toEqual([
      { lineId: 1, sku: "A", sent: 3, now: 2 },
      { lineId: 2, sku: "B", sent: 1, now: 0 },
      { lineId: 3, sku: "C", sent: 0, now: 4 },
    ]);
  });
});
