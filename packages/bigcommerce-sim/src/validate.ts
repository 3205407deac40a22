/**
 * A small validator for request bodies that answers the way BigCommerce's V3 gateway does: 422
 * "JSON data is missing or invalid" with `errors` keyed by field path and Play-style codes such as
 * "error.path.missing" and "error.expected.jsnumber" (both seen in real responses).
 */

import { WireNumber } from "./json";
import { parseMoney } from "./money";

export type FieldErrors = Record<string, string>;
export type Rule<T> = (value: unknown, path: string, errors: FieldErrors) => T | undefined;

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

export const string =
  (options: { max?: number; min?: number; pattern?: RegExp } = {}): Rule<string> =>
  (value, path, errors) => {
    if (typeof value !== "string") {
      errors[path] = "error.expected.jsstring";
      return undefined;
    }
    if (options.max !== undefined && value.length > options.max)
      errors[path] = `error.maxLength (${options.max})`;
    else if (options.min !== undefined && value.length < options.min)
      errors[path] = `error.minLength (${options.min})`;
    else if (options.pattern && !options.pattern.test(value)) errors[path] = "error.pattern";
    else return value;
    return undefined;
  };

export const integer =
  (options: { min?: number; max?: number } = {}): Rule<number> =>
  (value, path, errors) => {
    const n = value instanceof WireNumber ? value.value : undefined;
    if (n === undefined || !Number.isInteger(n)) {
      errors[path] = "error.expected.jsnumber";
      return undefined;
    }
    if (options.min !== undefined && n < options.min) errors[path] = `error.min (${options.min})`;
    else if (options.max !== undefined && n > options.max) errors[path] = `error.max (${options.max})`;
    else return n;
    return undefined;
  };

/** A decimal sent as a JSON number (V3) or a string (V2), read exactly from its source text. */
export const money =
  (options: { min?: bigint } = { min: 0n }): Rule<bigint> =>
  (value, path, errors) => {
    const text = value instanceof WireNumber ? value.source : typeof value === "string" ? value : undefined;
    const units = text === undefined ? undefined : parseMoney(text);
    if (units === undefined) {
      errors[path] = "error.expected.jsnumber";
      return undefined;
    }
    if (options.min !== undefined && units < options.min) {
      errors[path] = "error.min (0)";
      return undefined;
    }
    return units;
  };

export const decimalNumber = (): Rule<number> => (value, path, errors) => {
  if (value instanceof WireNumber && Number.isFinite(value.value) && value.value >= 0) return value.value;
  errors[path] = "error.expected.jsnumber";
  return undefined;
};

export const boolean = (): Rule<boolean> => (value, path, errors) => {
  if (typeof value === "boolean") return value;
  errors[path] = "error.expected.jsboolean";
  return undefined;
};

export const oneOf =
  <T extends string>(values: readonly T[]): Rule<T> =>
  (value, path, errors) => {
    if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
    errors[path] = `error.expected.enum (${values.join("|")})`;
    return undefined;
  };

export const nullable =
  <T>(rule: Rule<T>): Rule<T | null> =>
  (value, path, errors) =>
    value === null ? null : rule(value, path, errors);

export const stringMap = (): Rule<Record<string, string>> => (value, path, errors) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    errors[path] = "error.expected.jsobject";
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") errors[join(path, key)] = "error.expected.jsstring";
    else out[key] = v;
  }
  return out;
};

export const array =
  <T>(item: Rule<T>, options: { min?: number } = {}): Rule<T[]> =>
  (value, path, errors) => {
    if (!Array.isArray(value)) {
      errors[path] = "error.expected.jsarray";
      return undefined;
    }
    if (options.min !== undefined && value.length < options.min) {
      errors[path] = `error.minLength (${options.min})`;
      return undefined;
    }
    const out: T[] = [];
    value.forEach((v, i) => {
      const parsed = item(v, `${path}[${i}]`, errors);
      if (parsed !== undefined) out.push(parsed);
    });
    return out;
  };

type Shape = Record<string, Rule<unknown>>;
type Parsed<S extends Shape, R extends keyof S> = { [K in R]: NonNullable<ReturnType<S[K]>> } & {
  [K in Exclude<keyof S, R>]?: ReturnType<S[K]>;
};

/** An object with known fields; unknown fields are ignored (as V3 does), `required` ones must be present. */
export const object =
  <S extends Shape, R extends keyof S = never>(shape: S, required: readonly R[] = []): Rule<Parsed<S, R>> =>
  (value, path, errors) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      errors[path || "body"] = "error.expected.jsobject";
      return undefined;
    }
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const before = Object.keys(errors).length;
    for (const [key, rule] of Object.entries(shape)) {
      const fieldPath = join(path, key);
      if (!(key in record) || record[key] === undefined) {
        if ((required as readonly string[]).includes(key)) errors[fieldPath] = "error.path.missing";
        continue;
      }
      const parsed = rule(record[key], fieldPath, errors);
      if (parsed !== undefined) out[key] = parsed;
    }
    return Object.keys(errors).length === before ? (out as Parsed<S, R>) : undefined;
  };

/** Runs a rule over a whole body: the parsed value, or the field errors for a 422. */
export function check<T>(
  rule: Rule<T>,
  body: unknown,
): { ok: true; value: T } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const value = rule(body, "", errors);
  if (value === undefined || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value };
}
