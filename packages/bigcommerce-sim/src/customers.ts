/**
 * Customers (V3) with their addresses and attribute values, and customer groups (V2). E-mail is unique,
 * case-insensitively, as in BigCommerce. Webhooks fire as the events page describes them: customer
 * created/updated/deleted, address created/updated/deleted (data.id is the address, data.address.customer_id its
 * customer); `updated` does not fire for address changes, nor for attribute values written through the API.
 */
import type { Emit } from "./catalog";

export interface CustomerAddress {
  id: number;
  customer_id: number;
  first_name: string;
  last_name: string;
  company: string;
  address1: string;
  address2: string;
  city: string;
  state_or_province: string;
  postal_code: string;
  country_code: string;
  country: string;
  phone: string;
  address_type: "residential" | "commercial";
}

export interface AttributeValue {
  id: number;
  attribute_id: number;
  value: string;
  date_created: number;
  date_modified: number;
}

export interface Customer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  company: string;
  phone: string;
  notes: string;
  tax_exempt_category: string;
  customer_group_id: number;
  date_created: number;
  date_modified: number;
  addresses: CustomerAddress[];
  /** By attribute id. */
  attributes: Map<number, AttributeValue>;
  accepts_product_review_abandoned_cart_emails: boolean;
  channel_ids: number[];
}

export interface Attribute {
  id: number;
  name: string;
  type: "string" | "number" | "date";
  date_created: number;
  date_modified: number;
}

export interface CustomerGroup {
  id: number;
  name: string;
  is_default: boolean;
  is_group_for_guests: boolean;
  date_created: number;
  date_modified: number;
}

export type AddressFields = Omit<CustomerAddress, "id" | "customer_id" | "country">;
export type NewCustomerAddress = AddressFields & { country?: string };
export type NewCustomer = Partial<
  Omit<Customer, "id" | "date_created" | "date_modified" | "addresses" | "attributes">
> & {
  email: string;
  first_name: string;
  last_name: string;
  addresses?: NewCustomerAddress[];
};

const COUNTRY_NAMES: Record<string, string> = {
  US: "United States",
  GB: "United Kingdom",
  CA: "Canada",
  AU: "Australia",
  DE: "Germany",
  FR: "France",
  SE: "Sweden",
};

export const countryName = (code: string): string => COUNTRY_NAMES[code.toUpperCase()] ?? code.toUpperCase();

/** The fields that make an address unique for its customer (customers.v3.yml, POST /customers/addresses). */
const UNIQUE: Array<keyof AddressFields> = [
  "first_name",
  "last_name",
  "company",
  "phone",
  "address_type",
  "address1",
  "address2",
  "city",
  "country_code",
  "state_or_province",
  "postal_code",
];
const sameAddress = (a: AddressFields, b: AddressFields) => UNIQUE.every((k) => a[k] === b[k]);

/** A store has at most 50 customer attributes (customers.v3.yml). */
export const MAX_ATTRIBUTES = 50;

export class Customers {
  readonly byId = new Map<number, Customer>();
  readonly attributes = new Map<number, Attribute>();
  readonly groups = new Map<number, CustomerGroup>();
  private readonly byEmail = new Map<string, Customer>();
  private nextId = 1;
  private nextAddressId = 1;
  private nextAttributeId = 1;
  private nextValueId = 1;
  private nextGroupId = 1;

  constructor(
    private readonly emit: Emit,
    private readonly now: () => number = Date.now,
  ) {}

  findByEmail(email: string): Customer | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  /** A new customer; `quiet` (bulk seeding) fires no webhooks. */
  create(input: NewCustomer, quiet = false): Customer {
    const at = this.now();
    const id = this.nextId++;
    const customer: Customer = {
      id,
      email: input.email,
      first_name: input.first_name,
      last_name: input.last_name,
      company: input.company ?? "",
      phone: input.phone ?? "",
      notes: input.notes ?? "",
      tax_exempt_category: input.tax_exempt_category ?? "",
      customer_group_id: input.customer_group_id ?? 0,
      date_created: at,
      date_modified: at,
      addresses: [],
      attributes: new Map(),
      accepts_product_review_abandoned_cart_emails:
        input.accepts_product_review_abandoned_cart_emails ?? false,
      channel_ids: input.channel_ids ?? [1],
    };
    this.byId.set(id, customer);
    this.byEmail.set(customer.email.toLowerCase(), customer);
    if (!quiet) this.emit("store/customer/created", { type: "customer", id });
    // Whether BigCommerce also fires address/created for addresses sent with a new customer is not documented:
    // the simulator does not (the customer's own event covers them).
    for (const address of input.addresses ?? []) this.addAddress(customer, address, true);
    return customer;
  }

  /** Changes customer fields (API or control panel): store/customer/updated. */
  update(customer: Customer, changes: Partial<Omit<Customer, "id" | "addresses" | "date_created">>): void {
    if (changes.email !== undefined && changes.email.toLowerCase() !== customer.email.toLowerCase()) {
      this.byEmail.delete(customer.email.toLowerCase());
      this.byEmail.set(changes.email.toLowerCase(), customer);
    }
    Object.assign(customer, changes, { date_modified: this.now() });
    this.emit("store/customer/updated", { type: "customer", id: customer.id });
  }

  delete(customer: Customer): void {
    this.byId.delete(customer.id);
    this.byEmail.delete(customer.email.toLowerCase());
    this.emit("store/customer/deleted", { type: "customer", id: customer.id });
  }

  /** Adds an address, or answers undefined when the customer has an identical one (no change, no event). */
  addAddress(customer: Customer, fields: NewCustomerAddress, quiet = false): CustomerAddress | undefined {
    if (customer.addresses.some((a) => sameAddress(a, fields))) return undefined;
    const address: CustomerAddress = {
      ...fields,
      country: fields.country ?? countryName(fields.country_code),
      id: this.nextAddressId++,
      customer_id: customer.id,
    };
    customer.addresses.push(address);
    if (!quiet) this.addressEvent("created", address);
    return address;
  }

  /**
   * Changes an address, or answers false (no change, no event) when the change would make it identical to another
   * of the customer's addresses (customers.v3.yml, PUT /customers/addresses).
   */
  updateAddress(address: CustomerAddress, changes: Partial<AddressFields>): boolean {
    const after = { ...address, ...changes };
    const others = this.byId.get(address.customer_id)?.addresses.filter((a) => a.id !== address.id) ?? [];
    if (others.some((a) => sameAddress(a, after))) return false;
    Object.assign(address, changes);
    if (changes.country_code) address.country = countryName(changes.country_code);
    this.addressEvent("updated", address);
    return true;
  }

  deleteAddress(address: CustomerAddress): void {
    const customer = this.byId.get(address.customer_id);
    if (customer) customer.addresses = customer.addresses.filter((a) => a.id !== address.id);
    this.addressEvent("deleted", address);
  }

  findAddress(id: number): CustomerAddress | undefined {
    for (const customer of this.byId.values()) {
      const found = customer.addresses.find((a) => a.id === id);
      if (found) return found;
    }
    return undefined;
  }

  private addressEvent(kind: "created" | "updated" | "deleted", address: CustomerAddress) {
    this.emit(`store/customer/address/${kind}`, {
      type: "customer",
      id: address.id,
      address: { customer_id: address.customer_id },
    });
  }

  defineAttribute(name: string, type: Attribute["type"]): Attribute {
    const at = this.now();
    const attribute = { id: this.nextAttributeId++, name, type, date_created: at, date_modified: at };
    this.attributes.set(attribute.id, attribute);
    return attribute;
  }

  /**
   * Sets an attribute value. Through the API this fires nothing; the control panel (`panel`) fires
   * store/customer/updated ("attribute changes count only if made in the control panel").
   */
  setAttribute(customer: Customer, attributeId: number, value: string, panel = false): AttributeValue {
    const at = this.now();
    const existing = customer.attributes.get(attributeId);
    const stored = existing
      ? Object.assign(existing, { value, date_modified: at })
      : { id: this.nextValueId++, attribute_id: attributeId, value, date_created: at, date_modified: at };
    customer.attributes.set(attributeId, stored);
    if (panel) this.update(customer, {});
    return stored;
  }

  addGroup(name: string, options: { is_default?: boolean } = {}): CustomerGroup {
    const at = this.now();
    const group = {
      id: this.nextGroupId++,
      name,
      is_default: options.is_default ?? false,
      is_group_for_guests: false,
      date_created: at,
      date_modified: at,
    };
    this.groups.set(group.id, group);
    return group;
  }
}
