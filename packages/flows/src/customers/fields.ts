import { createHash } from "node:crypto";
import {
  type ConnectorConfig,
  type CustomerAddress,
  type CustomerField,
  type CustomerMaster,
  dec,
  PersistentError,
} from "@m3bc/core";
import type { Side } from "./binding";
import { fit, postalAddressOfM3 } from "./m3-address";
import { m3CustomerAddress, m3Email, m3Name, nameOfM3 } from "./m3-customer";

export type ScalarField = Exclude<CustomerField, "addresses">;
type CustomersConfig = ConnectorConfig["customers"];

/** A value the side cannot hold (a group it has no mapping for, a credit limit nobody knows): never written. */
export const UNREPRESENTABLE = Symbol("unrepresentable");

/** The scalar fields this config syncs: groups need a mapping, terms and credit a BigCommerce attribute. */
export function activeFields(config: CustomersConfig): ScalarField[] {
  return (["email", "name", "phone", "group", "terms", "credit"] as const).filter(
    (field) =>
      (field !== "group" || config.groups.length > 0) &&
      (field !== "terms" || config.attributes.terms !== null) &&
      (field !== "credit" || config.attributes.credit !== null),
  );
}

export function fieldValue(c: Omit<CustomerMaster, "addresses">, field: ScalarField): unknown {
  switch (field) {
    case "name":
      return { firstName: c.firstName, lastName: c.lastName, company: c.company };
    case "credit":
      return c.creditLimit;
    default:
      return c[field];
  }
}

/** The address without its key: what is compared and hashed. */
export const addressContent = ({ key: _, ...content }: CustomerAddress) => content;

/**
 * The postal part of an address: what M3's own customer address (basic data) holds of it, where the name and
 * phone are the customer's, not the address's.
 */
export const postalPart = ({
  firstName: _,
  lastName: __,
  phone: ___,
  ...postal
}: ReturnType<typeof addressContent>) => postal;
export type PostalPart = ReturnType<typeof postalPart>;

/** A stable digest of a value (object keys in order): equal values, equal hashes. */
export function digest(value: unknown): string {
  return createHash("sha256").update(stable(value)).digest("base64url").slice(0, 16);
}

function stable(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
    .join(",")}}`;
}

export const sameValue = (a: unknown, b: unknown) => stable(a) === stable(b);

const trimmed = (value: unknown) => String(value ?? "").trim();

/**
 * What a value becomes once written to `side` and read back: what the side will hold, compared with what it
 * holds now (equal: no write) and hashed as that side's state. M3's fixed widths and codes apply here, so a value
 * M3 cannot take is refused (or cut, where customers.truncate allows) before anything is sent.
 */
export function asStoredBy(
  side: Side,
  field: ScalarField,
  value: unknown,
  config: CustomersConfig,
  what: string,
): unknown {
  if (field === "group") {
    const group = config.groups.find((g) => g.m3 === value);
    return group ? group.m3 : UNREPRESENTABLE;
  }
  if (field === "credit") {
    if (value === null || value === undefined || trimmed(value) === "") return UNREPRESENTABLE;
    const amount = String(value).trim();
    if (!/^-?\d+(\.\d+)?$/.test(amount))
      throw new PersistentError("CUSTOMER_INVALID", `${what}: credit limit "${amount}" is not a number`, {
        details: { field: "credit" },
        fix: "Correct the credit limit attribute in BigCommerce, then replay.",
      });
    return dec(amount).round(2).toString();
  }
  if (side === "bigcommerce") {
    if (field === "name") {
      const name = value as { firstName: string; lastName: string; company: string };
      return {
        firstName: name.firstName.trim(),
        lastName: name.lastName.trim(),
        company: name.company.trim(),
      };
    }
    return trimmed(value);
  }
  switch (field) {
    case "email":
      return m3Email(String(value), what);
    case "name":
      return nameOfM3(m3Name(value as Parameters<typeof m3Name>[0], config, what));
    case "phone":
      return fit("PHNO", String(value), { cut: config.truncate.includes("phone"), what, allowKey: "phone" });
    case "terms":
      return fit("TEPY", String(value), { cut: false, what: `${what}: payment terms` });
  }
}

/** An address as `side` would hold it (M3: its fixed-width fields read back), without its key. */
export function addressAsStoredBy(
  side: Side,
  address: CustomerAddress,
  config: CustomersConfig,
  what: string,
): ReturnType<typeof addressContent> {
  if (side === "bigcommerce")
    return Object.fromEntries(
      Object.entries(addressContent(address)).map(([k, v]) => [k, String(v).trim()]),
    ) as ReturnType<typeof addressContent>;
  const stored = postalAddressOfM3(m3CustomerAddress(address, config, what), config.countryCodes);
  // m3Address refuses a country M3 cannot hold, so the read back always has one.
  return stored!;
}
