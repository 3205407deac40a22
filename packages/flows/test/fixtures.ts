import { type ConnectorConfig, parseConfig } from "@m3bc/core";
import type { BigCommerceOrder, BigCommerceShippingConsignment, CustomerLink, Ledger } from "../src";

export const config: ConnectorConfig = parseConfig({
  bigcommerce: { storeHash: "store1" },
  m3: { company: 100, division: "AAA", facility: "A01" },
  orders: { shippingItem: "FREIGHT", markSent: { statusId: 9, staffNote: true } },
  warehouses: {
    default: "100",
    rules: [
      { skus: ["COFFEE-ESP-1KG"], warehouse: "100" },
      { countries: ["US"], states: ["New York", "NY"], warehouse: "200" },
    ],
  },
  units: { bySku: { "COFFEE-ESP-1KG": { unit: "KG", factor: "1" } } },
});

const address = {
  first_name: "Jane",
  last_name: "Doe",
  company: "",
  street_1: "350 Fifth Avenue",
  street_2: "",
  city: "New York",
  state: "New York",
  zip: "10118",
  country_iso2: "US",
  phone: "+1 212 555 0100",
  email: "jane.doe@example.com",
};

export const consignment = (
  overrides: Partial<BigCommerceShippingConsignment> = {},
): BigCommerceShippingConsignment => ({
  ...address,
  id: 11,
  shipping_method: "Flat Rate",
  cost_ex_tax: "10.0000",
  cost_inc_tax: "10.8900",
  line_items: [
    {
      id: 101,
      product_id: 3,
      variant_id: 7,
      name: "Merino T-Shirt",
      sku: "TEE-M-BLK",
      type: "physical",
      quantity: 2,
      price_ex_tax: "35.0000",
      price_inc_tax: "38.1100",
      applied_discounts: [{ amount: "7.0000", code: "SAVE10" }],
    },
    {
      id: 102,
      product_id: 1,
      variant_id: 1,
      name: "Orbit Desk Lamp",
      sku: "LAMP-ORBIT",
      type: "physical",
      quantity: 1,
      price_ex_tax: "49.9500",
      price_inc_tax: "54.3900",
      applied_discounts: [],
    },
  ],
  ...overrides,
});

/** 2 × 35.00 − 7.00 + 49.95 + shipping 10.00 = 122.95 ex tax. */
export const bcOrder = (overrides: Partial<BigCommerceOrder> = {}): BigCommerceOrder => ({
  id: 250,
  customer_id: 1,
  status_id: 11,
  date_created: "Tue, 05 Mar 2026 21:40:11 +0000",
  default_currency_code: "USD",
  total_ex_tax: "122.9500",
  total_inc_tax: "133.8900",
  handling_cost_ex_tax: "0.0000",
  handling_cost_inc_tax: "0.0000",
  wrapping_cost_ex_tax: "0.0000",
  wrapping_cost_inc_tax: "0.0000",
  customer_message: "",
  payment_method: "Credit Card",
  staff_notes: "",
  billing_address: address,
  consignments: { shipping: [consignment()] },
  ...overrides,
});

/** A ledger that only keeps customer links, in memory (claims always succeed): for resolveCustomer. */
export function customerLinksLedger(): Ledger {
  const links = new Map<string, CustomerLink>();
  return {
    getCustomer: async (key: string) => links.get(key),
    claimCustomer: async () => "claimed" as const,
    releaseCustomerClaim: async () => {},
    putCustomer: async (key: string, link: CustomerLink) => void links.set(key, link),
  } as unknown as Ledger;
}
