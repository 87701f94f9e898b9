// The value model of the template engine. Template data is plain JSON-like JavaScript; the few
// distinctions Go makes that JavaScript does not (int vs float64, []string vs []interface {},
// "no value" vs a nil interface) are carried by the conventions below.
//
//   undefined            Go's invalid reflect.Value ("no value": a missing result, an untyped nil)
//   null                 a nil interface{} held in a map or list
//   integral number      int        (bigint beyond 2^53)
//   other number         float64    (GoFloat for float literals such as 2.0 that look integral)
//   array                []interface {} unless tagged with withGoType (e.g. []string)
//   plain object         map[string]interface {}

import { goTypeName } from "../../domain/go-format.ts";

/** A float64 produced by a template literal; keeps `2.0` a float where a JS number would look like an int. */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** Marks "no final argument" in a pipeline, distinct from every real value (Go's missingVal). */
export const MISSING: unique symbol = Symbol("missing");
export type Missing = typeof MISSING;

const GO_TYPE: unique symbol = Symbol("goType");

interface Tagged {
  [GO_TYPE]?: string;
}

/**
 * Tags a list with its Go slice type (`[]string`, `[]map[string]interface {}`), which decides what
 * `join` accepts and what `%T` and error messages print. Untagged lists are `[]interface {}`.
 */
export function withGoType<T extends unknown[]>(list: T, type: string): T {
  Object.defineProperty(list, GO_TYPE, { value: type, enumerable: false, configurable: true });
  return list;
}

export function sliceType(list: readonly unknown[]): string {
  return (list as Tagged)[GO_TYPE] ?? "[]interface {}";
}

/** Elements of a typed slice are concrete values; elements of []interface {} are interfaces. */
export function hasInterfaceElements(list: readonly unknown[]): boolean {
  return (list as Tagged)[GO_TYPE] === undefined;
}

export function isGoMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof GoFloat);
}

export function isGoInt(value: unknown): value is number | bigint {
  return typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value));
}

export function isGoFloat(value: unknown): value is number | GoFloat {
  return value instanceof GoFloat || (typeof value === "number" && !Number.isInteger(value));
}

export function floatOf(value: number | GoFloat): number {
  return value instanceof GoFloat ? value.value : value;
}

/** Go `%T` of a template value. */
export function typeName(value: unknown): string {
  if (value instanceof GoFloat) return "float64";
  if (Array.isArray(value)) return sliceType(value);
  return goTypeName(value);
}

/** Go's notion of truth used by if, with, and, or, not. */
export function isTrue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  switch (typeof value) {
    case "string":
      return value.length > 0;
    case "boolean":
      return value;
    case "number":
      return value !== 0;
    case "bigint":
      return value !== 0n;
  }
  if (value instanceof GoFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isGoMap(value)) {
    for (const key in value) if (Object.hasOwn(value, key)) return true;
    return false;
  }
  return true;
}

/** Map keys in Go's sorted order (byte-wise for strings, which equals code point order). */
export function sortedKeys(map: Record<string, unknown>): string[] {
  return Object.keys(map).sort(compareStrings);
}

export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      // UTF-16 order differs from UTF-8 byte order only for surrogates vs U+E000..U+FFFF.
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1;
      return ca < cb ? -1 : 1;
    }
  }
  return a.length - b.length;
}

/** Reads a map entry the way Go reads map[string]interface {}: an own key, undefined members as nil. */
export function mapEntry(map: Record<string, unknown>, key: string): { found: boolean; value: unknown } {
  if (!Object.hasOwn(map, key)) return { found: false, value: undefined };
  const value = map[key];
  return { found: true, value: value === undefined ? null : value };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Length in UTF-8 bytes, which is what Go's len reports for a string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function utf8Decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Converts a parsed integer to the number/bigint representation used at run time. */
export function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function toBigInt(n: number | bigint): bigint {
  return typeof n === "bigint" ? n : BigInt(n);
}
