// Lenient readers for decoded front-matter values, reproducing the Go original's coercion rules:
// wrong-typed strings read as "", integers accept integral floats and numeric strings, lists
// render non-string elements with %v. A YAML mapping with a non-string key decodes to a JS Map
// (Go's map[interface{}]interface{}), which every reader here treats as "not a map".
import { goTypeName, goValue } from "../domain/go-format.ts";
import { goTrimSpace, parseGoAtoi } from "./go-scalar.ts";

export type RawMap = Record<string, unknown>;

/** A string-keyed mapping (plain object); arrays, Maps and null are not. */
export function isRawMap(value: unknown): value is RawMap {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Map);
}

/** Go `%T` of a decoded value; a mapping with non-string keys is `map[interface {}]interface {}`. */
export function goType(value: unknown): string {
  if (value instanceof Map) return "map[interface {}]interface {}";
  return goTypeName(value);
}

/** Sets an own property, even for a key named `__proto__` (plain assignment would change the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function hasKey(map: RawMap | undefined, key: string): boolean {
  return map !== undefined && Object.hasOwn(map, key);
}

/** The value under key when present and not null. */
export function presentValue(map: RawMap | undefined, key: string): unknown {
  if (map === undefined || !Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  return value === null ? undefined : value;
}

/** A sub-section: a string-keyed mapping, else undefined (absent, null and other types alike). */
export function subMap(map: RawMap | undefined, key: string): RawMap | undefined {
  const value = map === undefined || !Object.hasOwn(map, key) ? undefined : map[key];
  return isRawMap(value) ? value : undefined;
}

/** A string field; any non-string value reads as "". */
export function stringField(map: RawMap | undefined, key: string): string {
  const value = map === undefined || !Object.hasOwn(map, key) ? undefined : map[key];
  return typeof value === "string" ? value : "";
}

/** A list of strings; a non-sequence reads as []; elements that are not strings are rendered %v. */
export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((element) => (typeof element === "string" ? element : goValue(element)));
}

export type IntResult = { ok: true; value: number } | { ok: false };

/** Go `coerceInt`: integer, integral float, or trimmed decimal string; anything else fails. */
export function coerceInt(value: unknown): IntResult {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || !Number.isInteger(value)) return { ok: false };
    return { ok: true, value };
  }
  if (typeof value === "string") {
    const parsed = parseGoAtoi(goTrimSpace(value));
    return parsed === undefined ? { ok: false } : { ok: true, value: parsed };
  }
  return { ok: false };
}
