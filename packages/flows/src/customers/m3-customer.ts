import {
  type ConnectorConfig,
  type CustomerAddress,
  type CustomerMaster,
  dec,
  PersistentError,
} from "@m3bc/core";
import type { CRS610MI, TxArgs, TxResult } from "@m3bc/m3";
import { type FitOptions, fit, fullName, m3PostalAddress, postalAddressOfM3, splitName } from "./m3-address";

type CustomersConfig = ConnectorConfig["customers"];

/** What the connector reads of one M3 customer (one bulk call: basic data, order info, financial, addresses). */
export interface M3Customer {
  basic: Pick<
    TxResult<typeof CRS610MI.GetBasicData>,
    "CUNO" | "CUNM" | "YREF" | "MAIL" | "PHNO" | "STAT" | "CUTP" | "ALCU" | "CFC1" | "CFC6"
  > &
    Pick<
      TxResult<typeof CRS610MI.GetBasicData>,
      "CUA1" | "CUA2" | "CUA3" | "CUA4" | "TOWN" | "PONO" | "CSCD" | "ECAR"
    >;
  orderInfo?: Pick<TxResult<typeof CRS610MI.GetOrderInfo>, "CUCL" | "TEPY">;
  financial?: Pick<TxResult<typeof CRS610MI.GetFinancial>, "CRLM">;
  /** The customer's addresses of type customers.addressType. */
  addresses: TxResult<typeof CRS610MI.LstAddresses>[];
}

/** The M3 fields of one row of LstByNumber (basic, order and financial fields together, no addresses). */
export type M3CustomerRow = TxResult<typeof CRS610MI.LstByNumber>;

export const m3AddressKey = (adrt: number, adid: string) => `m3:${adrt}:${adid}`;

/**
 * A BigCommerce address id as an M3 address number (ADID, 6 characters): base 36, so every id BigCommerce can
 * give (a 32-bit integer) fits, and a retry after a crash addresses the same M3 address instead of adding one.
 */
export const adidOf = (bigcommerceAddressId: number) =>
  bigcommerceAddressId.toString(36).toUpperCase().padStart(6, "0");

// A local part may be quoted (RFC 5321), quotes and all: M3 keeps it as it is.
const EMAIL = /^\S+@[^\s@]+\.[^\s@]+$/;

/** The e-mail as M3 keeps it (MAIL, 50): a bad or too-long address is refused, never cut. */
export function m3Email(email: string, what: string): string {
  const text = email.trim();
  if (!EMAIL.test(text))
    throw new PersistentError("CUSTOMER_INVALID", `${what}: e-mail "${text}" is not an e-mail address`, {
      details: { field: "email" },
      fix: "Correct the customer's e-mail in the source system, then replay.",
    });
  return fit("MAIL", text, { cut: false, what: `${what}: e-mail` });
}

const fitOptions = (config: CustomersConfig, field: "name" | "phone" | "addresses", what: string) => ({
  cut: config.truncate.includes(field),
  what,
  allowKey: field,
});

/** CUNM is the company when there is one (with the person in YREF), else the person. */
export function m3Name(
  c: Pick<CustomerMaster, "firstName" | "lastName" | "company">,
  config: CustomersConfig,
  what: string,
) {
  const person = fullName(c);
  const options: FitOptions = fitOptions(config, "name", `${what}: name`);
  return {
    CUNM: fit("CUNM", c.company.trim() || person, options),
    YREF: fit("YREF", c.company.trim() ? person : "", options),
  };
}

export function nameOfM3(row: { CUNM: string; YREF: string }) {
  const reference = row.YREF.trim();
  return reference
    ? { ...splitName(reference), company: row.CUNM.trim() }
    : { ...splitName(row.CUNM), company: "" };
}

/** What M3 requires of an address: AddAddress a street, city and postal code; a customer's own address a street. */
const ADDRESS_BOOK_REQUIRES = ["CUA1", "TOWN", "PONO"] as const;
const BASIC_DATA_REQUIRES = ["CUA1"] as const;

/**
 * An address as M3 keeps it (AddAddress/ChgAddress fields, or with `basic` the customer's own address in basic
 * data, where M3 requires only the street: CRS610MI Add's mandatory CUNM and CUA1).
 */
export function m3CustomerAddress(
  address: CustomerAddress,
  config: CustomersConfig,
  what: string,
  { basic = false } = {},
) {
  const fields = m3PostalAddress(address, {
    countryCodes: config.countryCodes,
    ...fitOptions(config, "addresses", `${what}: address`),
  });
  const missing = (basic ? BASIC_DATA_REQUIRES : ADDRESS_BOOK_REQUIRES).filter((f) => !fields[f]);
  if (missing.length)
    throw new PersistentError(
      "CUSTOMER_INVALID",
      `${what}: an address lacks ${missing.map((f) => ({ CUA1: "a street", TOWN: "a city", PONO: "a postal code" })[f]).join(", ")}, which M3 requires (${missing.join(", ")})`,
      {
        details: { field: "addresses", missing },
        fix: "Complete the address in the source system, then replay.",
      },
    );
  return fields;
}

/** The canonical customer of what M3 holds; the addresses are those of customers.addressType. */
export function customerOfM3(customer: M3Customer, config: CustomersConfig): CustomerMaster {
  const { basic } = customer;
  return {
    email: basic.MAIL.trim(),
    ...nameOfM3(basic),
    phone: basic.PHNO.trim(),
    group: groupOfM3(customer.orderInfo?.CUCL ?? "", config),
    terms: customer.orderInfo?.TEPY.trim() ?? "",
    creditLimit: customer.financial ? dec(customer.financial.CRLM).toString() : null,
    addresses: customer.addresses
      .filter((a) => a.ADRT === config.addressType)
      .flatMap((a) => {
        const postal = postalAddressOfM3(a, config.countryCodes);
        return postal ? [{ key: m3AddressKey(a.ADRT, a.ADID), ...postal }] : [];
      }),
  };
}

/** The same fields from one LstByNumber row (no addresses): what the delta poller compares. */
export function customerOfM3Row(
  row: M3CustomerRow,
  config: CustomersConfig,
): Omit<CustomerMaster, "addresses"> {
  return {
    email: row.MAIL.trim(),
    ...nameOfM3(row),
    phone: row.PHNO.trim(),
    group: groupOfM3(row.CUCL, config),
    terms: row.TEPY.trim(),
    creditLimit: dec(row.CRLM).toString(),
  };
}

/** An M3 customer group the mapping knows, else null (not managed). */
const groupOfM3 = (cucl: string, config: CustomersConfig) =>
  config.groups.find((g) => g.m3 === cucl.trim())?.m3 ?? null;

/** CRS610MI Add for a new customer: the template of its group, its name, e-mail, phone and first address. */
export function m3NewCustomer(
  c: CustomerMaster,
  options: { config: ConnectorConfig; template: string; reference?: string; what: string },
): TxArgs<typeof CRS610MI.Add> {
  const config = options.config.customers;
  const [first] = c.addresses;
  if (!first)
    throw new PersistentError("CUSTOMER_INVALID", `${options.what} has no address, and M3 needs one (CUA1)`, {
      details: { field: "addresses" },
      fix: "Add an address to the customer in BigCommerce (its address webhook brings the customer back), or drop this parked message.",
    });
  const { CUNM: _, ...postal } = m3CustomerAddress(first, config, options.what, { basic: true });
  return {
    CONO: options.config.m3.company,
    CUTM: options.template,
    ...postal,
    ...m3Name(c, config, options.what),
    MAIL: m3Email(c.email, options.what),
    PHNO: fit("PHNO", c.phone, fitOptions(config, "phone", `${options.what}: phone`)),
    ...(config.referenceField && options.reference ? { [config.referenceField]: options.reference } : {}),
  };
}
