import * as z from "zod";
import { Address, Amount } from "./sales-order";

/**
 * One address of a customer's address book, as either system holds it: an order's address without the e-mail, and
 * `key`, where it lives (`bc:<address id>` or `m3:<ADRT>:<ADID>`; the customer's binding pairs them). `state` is a
 * region name ("Texas"), or the code M3 keeps ("TX") where no name is known.
 */
export const CustomerAddress = Address.omit({ email: true }).extend({ key: z.string().min(1) });
export type CustomerAddress = z.infer<typeof CustomerAddress>;

/**
 * The customer master: what the connector keeps equal in BigCommerce and M3, read from either side into the
 * same shape so that the two can be compared field by field. Identities (BigCommerce id, M3 customer number)
 * live in the customer's binding, not here.
 */
export const CustomerMaster = z.object({
  /** The login e-mail in BigCommerce, MAIL in M3. */
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  company: z.string(),
  phone: z.string(),
  /** The M3 customer group (CUCL), through customers.groups; null when the side's group is not mapped. */
  group: z.string().nullable(),
  /** M3 payment terms (TEPY); "" when unknown. */
  terms: z.string(),
  /** M3 credit limit (CRLM) as an exact decimal; null when unknown. */
  creditLimit: Amount.nullable(),
  addresses: z.array(CustomerAddress),
});
export type CustomerMaster = z.infer<typeof CustomerMaster>;

/**
 * What the connector syncs, in the units ownership is configured in: `name` is first and last name and company
 * together; `addresses` is the address book. Each has an owner per direction (customers.fields).
 */
export const CUSTOMER_FIELDS = ["email", "name", "phone", "group", "terms", "credit", "addresses"] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** The ledger key of a BigCommerce customer's binding to its M3 customer. */
export const customerKey = (store: string, bigcommerceId: number | string) =>
  `customer:${store}:${bigcommerceId}`;

/** The ledger key that finds a binding by its M3 customer number. */
export const customerNumberKey = (store: string, customerNumber: string) =>
  `customer-m3:${store}:${customerNumber}`;
