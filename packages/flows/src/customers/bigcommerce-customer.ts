import type {
  AddressCreate,
  AddressUpdate,
  AttributeValueUpsert,
  CustomerAddress as BigCommerceAddress,
  Customer,
  CustomerUpdate,
} from "@m3bc/bigcommerce";
import type { ConnectorConfig, CustomerAddress, CustomerMaster } from "@m3bc/core";
import type { ScalarField } from "./fields";

type CustomersConfig = ConnectorConfig["customers"];

/** The store's ids of the attributes named in customers.attributes (looked up, or created, once). */
export interface AttributeIds {
  customerNumber?: number;
  terms?: number;
  credit?: number;
}

export const bcAddressKey = (id: number) => `bc:${id}`;

const attribute = (customer: Customer, attributeId: number | undefined) =>
  attributeId === undefined
    ? undefined
    : customer.attributes?.find((a) => a.attribute_id === attributeId)?.attribute_value;

/** The M3 customer number BigCommerce holds in its attribute, if any. */
export const m3NumberOf = (customer: Customer, ids: AttributeIds) =>
  attribute(customer, ids.customerNumber)?.trim() || undefined;

export function addressOfBigCommerce(a: BigCommerceAddress): CustomerAddress {
  return {
    key: bcAddressKey(a.id),
    firstName: a.first_name,
    lastName: a.last_name,
    company: a.company,
    street1: a.address1,
    street2: a.address2,
    city: a.city,
    state: a.state_or_province,
    postalCode: a.postal_code,
    countryCode: a.country_code.toUpperCase(),
    phone: a.phone,
  };
}

/** The canonical customer of a BigCommerce customer read with include=addresses,attributes. */
export function customerOfBigCommerce(
  customer: Customer,
  config: CustomersConfig,
  ids: AttributeIds,
): CustomerMaster {
  return {
    email: customer.email,
    firstName: customer.first_name,
    lastName: customer.last_name,
    company: customer.company,
    phone: customer.phone,
    group: config.groups.find((g) => g.bigcommerce === customer.customer_group_id)?.m3 ?? null,
    terms: attribute(customer, ids.terms) ?? "",
    creditLimit: attribute(customer, ids.credit) || null,
    addresses: [...(customer.addresses ?? [])]
      .filter((a) => /^[A-Za-z]{2}$/.test(a.country_code))
      .sort((a, b) => a.id - b.id)
      .map(addressOfBigCommerce),
  };
}

/** BigCommerce requires a first and a last name; M3 may hold a single word (a company, a nickname). */
const required = (text: string) => text.trim() || "-";

/** The customer update and attribute values that put these fields in BigCommerce. */
export function bigCommerceWrites(
  id: number,
  fields: Partial<Record<ScalarField, unknown>>,
  config: CustomersConfig,
  ids: AttributeIds,
): { update?: CustomerUpdate; attributes: AttributeValueUpsert[] } {
  const update: CustomerUpdate = { id };
  const attributes: AttributeValueUpsert[] = [];
  for (const [field, value] of Object.entries(fields) as Array<[ScalarField, unknown]>) {
    if (field === "email") update.email = String(value).trim();
    else if (field === "phone") update.phone = String(value).trim();
    else if (field === "name") {
      const name = value as Pick<CustomerMaster, "firstName" | "lastName" | "company">;
      update.first_name = required(name.firstName);
      update.last_name = required(name.lastName);
      update.company = name.company.trim();
    } else if (field === "group") {
      const group = config.groups.find((g) => g.m3 === value);
      if (group) update.customer_group_id = group.bigcommerce;
    } else {
      const attributeId = field === "terms" ? ids.terms : ids.credit;
      if (attributeId !== undefined && value !== null)
        attributes.push({ attribute_id: attributeId, customer_id: id, value: String(value) });
    }
  }
  return { ...(Object.keys(update).length > 1 ? { update } : {}), attributes };
}

function addressFields(a: CustomerAddress) {
  return {
    first_name: required(a.firstName || a.company),
    last_name: required(a.lastName),
    company: a.company.trim(),
    address1: a.street1.trim(),
    address2: a.street2.trim(),
    city: a.city.trim(),
    state_or_province: a.state.trim(),
    postal_code: a.postalCode.trim(),
    country_code: a.countryCode,
    phone: a.phone.trim(),
  };
}

export const bigCommerceNewAddress = (customerId: number, a: CustomerAddress): AddressCreate => ({
  customer_id: customerId,
  ...addressFields(a),
});

export const bigCommerceAddressUpdate = (id: number, a: CustomerAddress): AddressUpdate => ({
  id,
  ...addressFields(a),
});
