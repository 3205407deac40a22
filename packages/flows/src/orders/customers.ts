import { createHash } from "node:crypto";
import {
  type Address,
  customerKey as bindingKey,
  type ConnectorConfig,
  type CustomerMaster,
  PersistentError,
  type SalesOrder,
} from "@m3bc/core";
import type { M3Client } from "@m3bc/m3";
import { completeSetup, type LinkDeps, linkOrCreate, manualLink, type Subject } from "../customers/identity";
import { addressKey, fullName } from "../customers/m3-address";
import type { CustomerLink, Ledger } from "../ledger";

export const canonicalAddressKey = (address: Address) =>
  addressKey({
    name: fullName(address) || address.company,
    street: address.street1,
    city: address.city,
    postalCode: address.postalCode,
    country: address.countryCode,
  });

/** A one-way hash of an e-mail (trimmed, lower case): the ledger keys records by it, never by the address itself. */
export const emailHash = (email: string) =>
  createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 32);

/** The ledger key that links a registered BigCommerce customer to an M3 customer (the customer sync's binding). */
export const customerKeyById = (store: string, bigcommerceId: number) => bindingKey(store, bigcommerceId);

/** The ledger key that links a guest's e-mail (kept only as a hash) to an M3 customer. */
export const customerKeyByEmail = (store: string, email: string) =>
  `customer-email:${store}:${emailHash(email)}`;

/** The ledger key that links a BigCommerce customer (or, for guests, an e-mail) to an M3 customer. */
export function customerKey(order: SalesOrder): string {
  return order.customer.bigcommerceId !== null
    ? customerKeyById(order.store, order.customer.bigcommerceId)
    : customerKeyByEmail(order.store, order.customer.email);
}

/** The ledger key of the order's customer link; none for a guest going to the shared guest customer. */
export function linkKeyOf(order: SalesOrder, config: ConnectorConfig): string | undefined {
  return order.customer.bigcommerceId === null && config.customers.guests.mode === "shared"
    ? undefined
    : customerKey(order);
}

/** The customer flow's reading of a BigCommerce customer, for a shopper M3 does not know yet. */
export interface CustomerSource {
  fetch(bigcommerceId: number): Promise<{ customer: CustomerMaster; m3Number?: string } | undefined>;
}

/**
 * The M3 customer of an order. A known customer (its binding, shared with the customer sync) costs one ledger read
 * (none when the caller read the link already, `known`) and no M3 call. An unknown one goes down the customer
 * sync's matching ladder (the M3 number BigCommerce holds, then the e-mail among customers.linkableTypes) and is
 * otherwise created from the template of its BigCommerce group; the link is then remembered. Guests go to the shared
 * guest customer unless the config asks for one customer per e-mail. One delivery at a time holds the look-up
 * (linkOrCreate): another order of the same new shopper, or the shopper's customer webhook, waits for the link
 * instead of creating a second customer; the claim holds until `leaseUntil`, when the invocation is stopped.
 */
export async function resolveCustomer(
  order: SalesOrder,
  deps: {
    config: ConnectorConfig;
    ledger: Ledger;
    m3: Pick<M3Client, "call" | "get" | "bulk">;
    leaseUntil: number;
    now?: () => number;
    /** The link, when the caller read it with other things. */
    known?: CustomerLink;
    customers?: CustomerSource;
  },
): Promise<CustomerLink> {
  const guests = deps.config.customers.guests;
  if (order.customer.bigcommerceId === null && guests.mode === "shared") {
    // The shared guest's own address never matches a shopper's: every guest order carries its delivery address.
    return { customerNumber: guests.customerNumber, addressKey: "" };
  }
  const key = customerKey(order);
  const known = deps.known ?? (await deps.ledger.getCustomer(key));
  if (known) {
    await completeSetup(key, known, deps);
    return known;
  }
  if (!order.customer.email.trim()) {
    throw new PersistentError(
      "CUSTOMER_INVALID",
      `Order ${order.orderId} has no customer e-mail to find or create the M3 customer by`,
    );
  }
  return linkOrCreate(key, await subjectOf(order, deps.customers), deps, "order");
}

/** The shopper as BigCommerce knows them (group, address book, M3 number), else as the order shows them. */
async function subjectOf(order: SalesOrder, source: CustomerSource | undefined): Promise<Subject> {
  const { email: _, ...billing } = order.billingAddress;
  const fromOrder: CustomerMaster = {
    email: order.customer.email,
    firstName: order.customer.firstName,
    lastName: order.customer.lastName,
    company: order.customer.company,
    phone: order.customer.phone,
    group: null,
    terms: "",
    creditLimit: null,
    addresses: [{ key: "order:billing", ...billing }],
  };
  const id = order.customer.bigcommerceId;
  const found = id !== null && source ? await source.fetch(id) : undefined;
  if (!found) return { bigcommerceId: id, customer: fromOrder };
  return {
    bigcommerceId: id,
    customer: found.customer.addresses.length
      ? found.customer
      : { ...found.customer, addresses: fromOrder.addresses },
    ...(found.m3Number ? { m3Number: found.m3Number } : {}),
  };
}

/**
 * `pnpm customers link <e-mail> <CUNO>`: the decision for a guest (customers.guests per-email) whose e-mail matched
 * an M3 customer the ladder may not link. A guest has no BigCommerce record to create a customer from, so only an
 * existing M3 customer can be given; the link is the one the orders flow keeps for the e-mail.
 */
export async function linkGuestManually(
  target: { email: string; customerNumber: string },
  deps: Pick<LinkDeps, "config" | "m3" | "ledger">,
): Promise<CustomerLink> {
  const link = await manualLink(target.customerNumber, deps);
  await deps.ledger.putCustomer(customerKeyByEmail(deps.config.bigcommerce.storeHash, target.email), link);
  return link;
}
