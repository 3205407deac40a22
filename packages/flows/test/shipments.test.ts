import { TransientError } from "@m3bc/core";
import { M3BusinessError } from "@m3bc/m3";
import { describe, expect, test } from "vitest";
import { deliveriesOf, pollDeliveries, type ShippableOrder } from "../src";
import { config } from "./fixtures";

const order = (n: number, orderNumber: string): ShippableOrder => ({
  key: `order:store1:${n}`,
  orderId: n,
  parts: { "11": { orderNumber, lines: [{ lineId: 1, sku: "LAMP-ORBIT", quantity: 1, unitQuantity: "1" }] } },
  shipments: {},
  shipped: {},
});

const notFound = new M3BusinessError({
  program: "MWS411MI",
  transaction: "LstDelLnByOrd",
  code: "XRE0103",
  field: "RIDN",
  message: "Record does not exist",
});

/** An M3 stand-in answering delivery lines per order number and delivery heads at progress status PGRS. */
const m3 = (lines: Record<string, unknown>, PGRS: Record<string, string> = {}) => ({
  bulk: async (requests: readonly { transaction: string; record: Record<string, string> }[]) =>
    requests.map((r) => {
      if (r.transaction === "GetHead")
        return {
          ok: true,
          transaction: r.transaction,
          records: [
            {
              DLIX: Number(r.record.DLIX),
              ETRN: "T7",
              FWNO: "UPS",
              MODL: "",
              PGRS: PGRS[r.record.DLIX!] ?? "90",
            },
          ],
        };
      const answer = lines[r.record.RIDN!];
      return answer instanceof Error
        ? { ok: false, transaction: r.transaction, error: answer }
        : { ok: true, transaction: r.transaction, records: answer };
    }),
});

describe("deliveriesOf", () => {
  test("an order M3 refuses to answer about is skipped and named; the others' deliveries still come", async () => {
    const result = await deliveriesOf([order(1, "1000000001"), order(2, "1000000002")], {
      config,
      m3: m3({
        "1000000001": notFound,
        "1000000002": [{ DLIX: 7, RIDL: 1, ITNO: "LAMP-ORBIT", TRQT: "1" }],
      }) as never,
    });
    expect(result.notices).toEqual([
      expect.objectContaining({ key: "order:store1:2", deliveryNumber: "7", trackingNumber: "T7" }),
    ]);
    expect(result.problems).toEqual([
      expect.stringContaining(
        "order:store1:1 (M3 order 1000000001): MWS411MI/LstDelLnByOrd: Record does not exist",
      ),
    ]);
  });

  test("a transient failure fails the run (the next schedule repeats it)", async () => {
    await expect(
      deliveriesOf([order(1, "1000000001")], {
        config,
        m3: m3({ "1000000001": new TransientError("M3 timed out") }) as never,
      }),
    ).rejects.toThrow("M3 timed out");
  });

  test("deliveries below the shipped status are counted in the run summary, and looked at again next run", async () => {
    const unshipped = [order(1, "1000000001")];
    const deps = {
      config,
      ledger: {
        async *listUnshipped() {
          yield* unshipped;
        },
      },
      m3: m3(
        {
          "1000000001": [
            { DLIX: 7, RIDL: 1, ITNO: "LAMP-ORBIT", TRQT: "1" },
            { DLIX: 8, RIDL: 1, ITNO: "LAMP-ORBIT", TRQT: "1" },
          ],
        },
        { "8": "60" },
      ) as never,
    };
    const result = await pollDeliveries(deps);
    expect(result.notices.map((n) => n.deliveryNumber)).toEqual(["7"]);
    expect(result.summary).toBe(
      "1 unshipped orders checked, 1 new deliveries, 1 not shipped yet (status below shipments.shippedStatus 90)",
    );
  });
});
