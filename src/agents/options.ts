// Lenient readers for an adapter's pass-through block (`claude-code:`, `mock:`, …): a value of
// the wrong type falls back to the default instead of failing the run.
import { isJsonObject } from "../domain/json.ts";

export type AdapterOptions = Readonly<Record<string, unknown>>;

export function optString(options: AdapterOptions, key: string, fallback = ""): string {
  const value = options[key];
  return typeof value === "string" ? value : fallback;
}

/** Whole numbers only; a fractional or non-numeric value gives the fallback. */
export function optInt(options: AdapterOptions, key: string, fallback = 0): number {
  const value = options[key];
  return typeof value === "number" && Number.isInteger(value) ? value : fallback;
}

export function optNumber(options: AdapterOptions, key: string, fallback = 0): number {
  const value = options[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** Only real booleans count; "true" as a string gives the fallback. */
export function optBool(options: AdapterOptions, key: string, fallback: boolean): boolean {
  const value = options[key];
  return typeof value === "boolean" ? value : fallback;
}

/** A list of strings; non-string items are skipped, a non-list gives []. */
export function optStringList(options: AdapterOptions, key: string): string[] {
  const value = options[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function optList(options: AdapterOptions, key: string): unknown[] {
  const value = options[key];
  return Array.isArray(value) ? value : [];
}

export function optRecord(options: AdapterOptions, key: string): Record<string, unknown> | undefined {
  const value = options[key];
  return isJsonObject(value) ? value : undefined;
}
