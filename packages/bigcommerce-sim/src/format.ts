/** Wire formats: V2 writes RFC-2822 dates and 4-decimal money strings; V3 writes ISO dates and numbers. */
import { numberLiteral } from "./json";
import { formatMoney, formatMoneyShort } from "./money";

/** "Tue, 05 Mar 2019 21:40:11 +0000". */
export const rfc2822 = (ms: number): string => new Date(ms).toUTCString().replace("GMT", "+0000");

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");

export const v2Money = formatMoney;

/** A V3 money field: a JSON number whose literal is the exact decimal (49.95, never 49.9500000001). */
export const v3Money = (units: bigint): unknown => numberLiteral(formatMoneyShort(units));

/** V2 writes weights and dimensions as 4-decimal strings too. */
export const v2Decimal = (value: number): string => value.toFixed(4);
