import { expect, test } from "vitest";
import { startSimulators } from "../src";

test("both simulators run as child processes and answer their admin APIs over HTTP", async () => {
  const sims = await startSimulators();
  try {
    const order = await sims.bigcommerce.admin<{ id: number; status_id: number }>("POST", "/orders", {
      customerId: 1,
      lines: [{ sku: "LAMP-ORBIT", quantity: 1 }],
    });
    expect(order.status_id).toBe(11);
    expect(await sims.m3.admin("GET", "/orders")).toEqual([]);
    await expect(sims.m3.admin("GET", "/orders/123")).rejects.toThrow(/404/);
    expect(sims.m3.ionapi.ti).toBeTruthy();
    // The API answers with the credentials the parent chose.
    const response = await fetch(
      `${sims.bigcommerce.url}/stores/${sims.bigcommerce.storeHash}/v2/orders/${order.id}`,
      {
        headers: { "x-auth-token": sims.bigcommerce.accessToken, accept: "application/json" },
      },
    );
    expect(response.status).toBe(200);
  } finally {
    await sims.stop();
  }
});
