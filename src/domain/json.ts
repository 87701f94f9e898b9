// The one test for "a JSON object" used wherever decoded JSON (agent lines, MCP messages, operator
// files, tracker payloads, config blocks) is read leniently.

/** A JSON object: not null, not an array, not a scalar. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
