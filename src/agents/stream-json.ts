// Lenient reading of the JSON the agent CLIs print. Their formats change between versions, so a
// missing or mistyped field reads as empty instead of failing the line.
import { isJsonObject } from "../domain/json.ts";

export type Json = Record<string, unknown>;

/** The line as a JSON object; undefined for anything else (invalid JSON, arrays, scalars). */
export function parseJsonObject(line: string): Json | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  return isJsonObject(parsed) ? parsed : undefined;
}

export function obj(value: unknown): Json {
  return isJsonObject(value) ? value : {};
}

export function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Finite numbers only; anything else reads as 0. */
export function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
