/** Customers (V3) with their addresses; e-mail is unique, case-insensitively, as in BigCommerce. */
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
  accepts_product_review_abandoned_cart_emails: boolean;
  channel_ids: number[];
}

export type NewCustomerAddress = Omit<CustomerAddress, "id" | "customer_id" | "country"> & {
  country?: string;
};
export type NewCustomer = Partial<Omit<Customer, "id" | "date_created" | "date_modified" | "addresses">> & {
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

export class Customers {
  readonly byId = new Map<number, Customer>();
  private readonly byEmail = new Map<string, Customer>();
  private nextId = 1;
  private nextAddressId = 1;

  constructor(
    private readonly emit: Emit,
    private readonly now: () => number = Date.now,
  ) {}

  findByEmail(email: string): Customer | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  create(input: NewCustomer): Customer {
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
      addresses: (input.addresses ?? []).map((a) => ({
        ...a,
        country: a.country ?? countryName(a.country_code),
        id: this.nextAddressId++,
        customer_id: id,
      })),
      accepts_product_review_abandoned_cart_emails:
        input.accepts_product_review_abandoned_cart_emails ?? false,
      channel_ids: input.channel_ids ?? [1],
    };
    this.byId.set(id, customer);
    this.byEmail.set(customer.email.toLowerCase(), customer);
    this.emit("store/customer/created", { type: "customer", id });
    return customer;
  }

  update(customer: Customer, changes: Partial<Omit<Customer, "id" | "addresses" | "date_created">>): void {
    if (changes.email !== undefined && changes.email.toLowerCase() !== customer.email.toLowerCase()) {
      this.byEmail.delete(customer.email.toLowerCase());
      this.byEmail.set(changes.email.toLowerCase(), customer);
    }
    Object.assign(customer, changes, { date_modified: this.now() });
    this.emit("store/customer/updated", { type: "customer", id: customer.id });
  }
}
