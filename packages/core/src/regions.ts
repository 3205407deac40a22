/**
 * US states (with DC and the inhabited territories) and Canadian provinces and territories: their two-letter
 * postal codes (USPS, Canada Post), which M3 keeps in ECAR (A2), and the names BigCommerce shows.
 */
const REGIONS: Record<"US" | "CA", Record<string, string>> = {
  US: {
    AL: "Alabama",
    AK: "Alaska",
    AZ: "Arizona",
    AR: "Arkansas",
    CA: "California",
    CO: "Colorado",
    CT: "Connecticut",
    DE: "Delaware",
    DC: "District of Columbia",
    FL: "Florida",
    GA: "Georgia",
    HI: "Hawaii",
    ID: "Idaho",
    IL: "Illinois",
    IN: "Indiana",
    IA: "Iowa",
    KS: "Kansas",
    KY: "Kentucky",
    LA: "Louisiana",
    ME: "Maine",
    MD: "Maryland",
    MA: "Massachusetts",
    MI: "Michigan",
    MN: "Minnesota",
    MS: "Mississippi",
    MO: "Missouri",
    MT: "Montana",
    NE: "Nebraska",
    NV: "Nevada",
    NH: "New Hampshire",
    NJ: "New Jersey",
    NM: "New Mexico",
    NY: "New York",
    NC: "North Carolina",
    ND: "North Dakota",
    OH: "Ohio",
    OK: "Oklahoma",
    OR: "Oregon",
    PA: "Pennsylvania",
    RI: "Rhode Island",
    SC: "South Carolina",
    SD: "South Dakota",
    TN: "Tennessee",
    TX: "Texas",
    UT: "Utah",
    VT: "Vermont",
    VA: "Virginia",
    WA: "Washington",
    WV: "West Virginia",
    WI: "Wisconsin",
    WY: "Wyoming",
    AS: "American Samoa",
    GU: "Guam",
    MP: "Northern Mariana Islands",
    PR: "Puerto Rico",
    VI: "U.S. Virgin Islands",
    AA: "Armed Forces Americas",
    AE: "Armed Forces Europe",
    AP: "Armed Forces Pacific",
  },
  CA: {
    AB: "Alberta",
    BC: "British Columbia",
    MB: "Manitoba",
    NB: "New Brunswick",
    NL: "Newfoundland and Labrador",
    NS: "Nova Scotia",
    NT: "Northwest Territories",
    NU: "Nunavut",
    ON: "Ontario",
    PE: "Prince Edward Island",
    QC: "Quebec",
    SK: "Saskatchewan",
    YT: "Yukon",
  },
};

const normalize = (text: string) =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z]/g, "")
    .toUpperCase();

const BY_NAME = Object.fromEntries(
  Object.entries(REGIONS).map(([country, regions]) => [
    country,
    new Map(Object.entries(regions).map(([code, name]) => [normalize(name), code])),
  ]),
) as Record<keyof typeof REGIONS, Map<string, string>>;

const coded = (country: string): country is keyof typeof REGIONS => country === "US" || country === "CA";

/**
 * The two-letter code of a US state or Canadian province given by name or code ("Texas", "tx", "Québec"), or
 * undefined when the country has no such table or the name is not one of its regions.
 */
export function regionCode(countryCode: string, region: string): string | undefined {
  const country = countryCode.trim().toUpperCase();
  if (!coded(country)) return undefined;
  const key = normalize(region);
  if (key.length === 2 && REGIONS[country][key]) return key;
  return BY_NAME[country].get(key);
}

/** The name of a US state or Canadian province by its code; undefined for other countries or unknown codes. */
export function regionName(countryCode: string, code: string): string | undefined {
  const country = countryCode.trim().toUpperCase();
  return coded(country) ? REGIONS[country][code.trim().toUpperCase()] : undefined;
}

/** Countries whose regions must be one of the table's (a name that is not is a mistake, not free text). */
export const hasRegionTable = (countryCode: string) => coded(countryCode.trim().toUpperCase());
