import { type CustomerLink, linkGuestManually, linkManually } from "@m3bc/flows";
import { bigCommerceClient, m3Client } from "../clients";
import { loadConfig } from "../config";
import { dynamoCustomerBindings, readBigCommerceCustomers } from "../customers";
import { dynamoLedger } from "../ledger";

/**
 * The decision a CUSTOMER_LINK_REVIEW waits for (`pnpm customers link`, the console's form): links BigCommerce
 * customer `bigcommerceId` to M3 customer `customerNumber`, or to a new one created now from its BigCommerce record
 * ("new"), through the adapters (useForAdapters first). The parked message is replayed afterwards.
 */
export async function linkCustomer(bigcommerceId: number, customerNumber: string): Promise<CustomerLink> {
  const bigcommerce = await bigCommerceClient();
  return linkManually(
    { bigcommerceId, customerNumber: customerNumber === "new" ? "new" : customerNumber.toUpperCase() },
    {
      config: loadConfig(),
      m3: await m3Client(),
      ledger: dynamoLedger,
      bindings: dynamoCustomerBindings,
      // The operator's own look-up: a minute is far more than it takes.
      leaseUntil: Date.now() + 60_000,
      fetchBigCommerce: async (id) => (await readBigCommerceCustomers(bigcommerce, [id])).get(id),
    },
  );
}

/** The same decision for a guest, by e-mail: only to an existing M3 customer (a guest has no record to create from). */
export async function linkGuest(email: string, customerNumber: string): Promise<CustomerLink> {
  return linkGuestManually(
    { email, customerNumber: customerNumber.toUpperCase() },
    { config: loadConfig(), m3: await m3Client(), ledger: dynamoLedger },
  );
}
