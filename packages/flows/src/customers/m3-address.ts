import { createHash } from "node:crypto";
import { PersistentError, regionCode, regionName } from "@m3bc/core";
import { F, type FieldName } from "@m3bc/m3";

/** Name and postal address as M3 keeps them on a customer, an address or an order (CUNM, CUA1–4, …). */
export interface M3PostalAddress {
  CUNM: string;
  CUA1: string;
  CUA2: string;
  CUA3: string;
  CUA4: string;
  TOWN: string;
  PONO: string;
  CSCD: string;
  ECAR: string;
  PHNO: string;
}

/** What any address in the canonical model has. */
export interface PostalAddress {
  firstName: string;
  lastName: string;
  company: string;
  street1: string;
  street2: string;
  city: string;
  state: string;
  postalCode: string;
  countryCode: string;
  phone: string;
}

/**
 * What happens to a value longer than its M3 field: cut to the field's length, or refused with an error naming
 * the field and the limit (`what` says whose value it is, for the message).
 */
export interface FitOptions {
  cut: boolean;
  what: string;
  /** The config key that allows cutting, named in the fix. */
  allowKey?: string;
}

const LENIENT: FitOptions = { cut: true, what: "" };

export const fieldLength = (field: FieldName) => {
  const spec = F[field].spec;
  return spec.kind === "date" ? 8 : spec.length;
};

/** Whitespace collapsed (M3 fields are single-line), then cut to the field's width or refused. */
export function fit(field: FieldName, value: string, options: FitOptions = LENIENT): string {
  const text = value.replace(/\s+/g, " ").trim();
  const limit = fieldLength(field);
  const chars = [...text];
  if (chars.length <= limit) return text;
  if (options.cut) return chars.slice(0, limit).join("");
  throw new PersistentError(
    "CUSTOMER_INVALID",
    `${options.what}: "${chars.slice(0, 20).join("")}…" is ${chars.length} characters, M3's ${field} takes ${limit}`,
    {
      details: { field, limit, length: chars.length },
      fix: `Shorten it in the source system${options.allowKey ? `, or let the connector cut it (add "${options.allowKey}" to customers.truncate)` : ""}, then replay.`,
    },
  );
}

/**
 * Identity of an address: case, spacing and punctuation do not make two addresses differ. The ledger keeps it with
 * the customer link, so it is a one-way hash: equal addresses compare equal, and the address itself is not stored.
 */
export function addressKey(a: {
  name: string;
  street: string;
  city: string;
  postalCode: string;
  country: string;
}): string {
  const n = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, "");
  return createHash("sha256")
    .update([a.name, a.street, a.city, a.postalCode, a.country].map(n).join("|"))
    .digest("hex")
    .slice(0, 32);
}

export const fullName = (a: { firstName: string; lastName: string }) =>
  `${a.firstName} ${a.lastName}`.replace(/\s+/g, " ").trim();

/** "Mary Ann Smith" → first "Mary Ann", last "Smith"; one word is a first name alone. */
export function splitName(name: string): { firstName: string; lastName: string } {
  const text = name.replace(/\s+/g, " ").trim();
  const at = text.lastIndexOf(" ");
  if (at < 0) return { firstName: text, lastName: "" };
  return { firstName: text.slice(0, at), lastName: text.slice(at + 1) };
}

/** ISO alpha-2 → M3 country code (CSCD), through customers.countryCodes where they differ. */
export const m3Country = (iso: string, codes: Record<string, string>) => {
  const code = iso.trim().toUpperCase();
  return codes[code] ?? code;
};

/** M3 country code → ISO alpha-2 (the reverse of customers.countryCodes); undefined if it is not alpha-2. */
export function isoCountry(cscd: string, codes: Record<string, string>): string | undefined {
  const code = cscd.trim().toUpperCase();
  const mapped = Object.entries(codes).find(([, m3]) => m3.toUpperCase() === code)?.[0];
  const iso = mapped ?? code;
  return /^[A-Z]{2}$/.test(iso) ? iso : undefined;
}

/**
 * M3's name and postal fields from a canonical address, always in the same places so that M3's copy reads back
 * the same: CUNM the person (or the company when there is no person), CUA1–2 the street lines, CUA3 the company
 * beside a person, CUA4 a region that has no two-letter code. A US state or Canadian province goes to ECAR as its
 * postal code ("Texas" → TX); another country's region fits ECAR only when it is two characters.
 */
export function m3PostalAddress(
  address: PostalAddress,
  settings: { countryCodes: Record<string, string> } & Partial<FitOptions> = { countryCodes: {} },
): M3PostalAddress {
  const options = { ...LENIENT, ...settings };
  const put = (field: FieldName, value: string) => fit(field, value, options);
  const person = fullName(address);
  const country = address.countryCode.trim().toUpperCase();
  const state = address.state.replace(/\s+/g, " ").trim();
  const code = regionCode(country, state);
  if (state && code === undefined && (country === "US" || country === "CA") && !options.cut)
    throw new PersistentError(
      "CUSTOMER_INVALID",
      `${options.what}: "${state}" is not a ${country === "US" ? "US state" : "Canadian province"}`,
      {
        details: { field: "state", state, countryCode: country },
        fix: "Correct the state or province in the source system (name or two-letter code), then replay.",
      },
    );
  const ecar = code ?? (/^[A-Za-z0-9]{1,2}$/.test(state) ? state.toUpperCase() : "");
  const [street1, street2] = address.street1.trim()
    ? [address.street1, address.street2]
    : [address.street2, ""];
  return {
    CUNM: put("CUNM", person || address.company),
    CUA1: put("CUA1", street1),
    CUA2: put("CUA2", street2),
    CUA3: put("CUA3", person ? address.company : ""),
    CUA4: put("CUA4", ecar ? "" : state),
    TOWN: put("TOWN", address.city),
    PONO: put("PONO", address.postalCode),
    CSCD: put("CSCD", m3Country(country, settings.countryCodes)),
    ECAR: ecar,
    PHNO: put("PHNO", address.phone),
  };
}

/** The canonical address of M3's fields: the reading m3PostalAddress writes. */
export function postalAddressOfM3(
  record: Pick<
    M3PostalAddress,
    "CUNM" | "CUA1" | "CUA2" | "CUA3" | "CUA4" | "TOWN" | "PONO" | "CSCD" | "ECAR"
  > & {
    PHNO?: string;
  },
  countryCodes: Record<string, string>,
): PostalAddress | undefined {
  const countryCode = isoCountry(record.CSCD, countryCodes);
  if (!countryCode) return undefined;
  return {
    ...splitName(record.CUNM),
    company: record.CUA3.trim(),
    street1: record.CUA1.trim(),
    street2: record.CUA2.trim(),
    city: record.TOWN.trim(),
    state: regionName(countryCode, record.ECAR) ?? (record.ECAR.trim() || record.CUA4.trim()),
    postalCode: record.PONO.trim(),
    countryCode,
    phone: (record.PHNO ?? "").trim(),
  };
}
