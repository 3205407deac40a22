import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dynamoLedger, listParked } from "@m3bc/aws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, m3OrdersFor, startHarness } from "../support/connector";

// M3 credit notes → BigCommerce refunds (returns.creditsToBigCommerce): off by default, then turned on.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    flows: ["orders", "finance"],
    config: (config) => {
      config.finance = {
        enabled: true,
        mappings: [
          {
            gateway: "*",
            paymentType: "CC",
            batchPaymentType: "WEB",
            bankAccount: "BANK01",
            accounts: { payment: "1930", receivable: "1510" },
          },
        ],
      };
      config.returns = { reasonCode: "RET" };
    },
  });
});
afterAll(async () => h?.stop());

type BcRefund = { id: number; total_amount: number; items: Array<{ item_type: string; reason: string }> };

const keyOf = (orderId: number) => `order:${h.bc.storeHash}:${orderId}`;
/** The order's refunds as the API lists them. */
async function refundsOf(orderId: number): Promise<BcRefund[]> {
  const response = await fetch(
    `${h.bc.url}/stores/${h.bc.storeHash}/v3/orders/${orderId}/payment_actions/refunds`,
    { headers: { "X-Auth-Token": h.bc.accessToken, Accept: "application/json" } },
  );
  return ((await response.json()) as { data: BcRefund[] }).data;
}

/** An order in M3, shipped and invoiced, then credited in M3 (e.g. after a return handled there). */
async function creditedOrder(amount: string) {
  const placed = h.bc.placeOrder({ customerId: 1, lines: [{ sku: "LAMP-ORBIT", quantity: 2 }] }) as {
    id: number;
  };
  await h.settle();
  const [order] = m3OrdersFor(h.m3, placed.id);
  const orno = String(order!.ORNO);
  h.m3.shipOrder(orno, { trackingNumber: `T-${placed.id}`, carrier: "UPS" });
  h.m3.invoiceOrder(orno);
  const credit = h.m3.creditNote(orno, { amount }) as { EXIN: string; YEA4: number; IVNO: number };
  return { orderId: placed.id, orno, credit };
}

async function runCredits() {
  await h.connector.stack.fireSchedule("returns-credits");
  await h.settle();
}

describe("M3 credit note → BigCommerce refund", () => {
  test("off by default: the schedule refunds nothing", async () => {
    const { orderId } = await creditedOrder("10.00");
    await runCredits();
    expect(await refundsOf(orderId)).toEqual([]);
  });

  test("enabled: one refund of the credit's amount, exactly once under a lost answer, reruns and duplicated webhooks; no M3 return from it", async () => {
    const file = join(h.dir, "config.json");
    const config = JSON.parse(readFileSync(file, "utf8"));
    config.returns = { ...config.returns, creditsToBigCommerce: { enabled: true } };
    writeFileSync(file, JSON.stringify(config));
    process.env.M3BC_RUNTIME_ID = `credits-on-${Date.now()}`;

    const { orderId, orno, credit } = await creditedOrder("12.34");
    // BigCommerce makes the refund but its answer is lost; its webhook arrives three times.
    h.bc.setFault({ route: "POST /v3/orders/{order_id}/payment_actions/refunds", loseResponseNext: 1 });
    h.bc.duplicateNextWebhooks(2);
    await runCredits();
    await runCredits();
    await runCredits();

    const refunds = await refundsOf(orderId);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({
      total_amount: 12.34,
      items: [{ item_type: "ORDER", reason: `M3 credit note ${credit.EXIN}` }],
    });
    expect((await dynamoLedger.getCredits(keyOf(orderId)))[`${credit.YEA4}-${credit.IVNO}`]).toMatchObject({
      state: "refunded",
      refundId: refunds[0]!.id,
      amount: "12.34",
    });
    // The connector's own refund comes back as store/order/refund/created: an amount, recorded, no M3 return.
    expect(h.m3.customerReturns(orno)).toEqual([]);
    expect((await listParked()).filter((p) => p.key === keyOf(orderId))).toEqual([]);
  });
});
