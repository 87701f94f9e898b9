// Turns an issue identifier into the directory name of its workspace: a single, safe, bounded
// path segment. Two identifiers map to the same key only if they differ in replaced characters.
import { createHash } from "node:crypto";
import { WorkspacePathError } from "./errors.ts";

/** Keys longer than this are shortened; with the hash suffix they stay far below NAME_MAX (255). */
export const MAX_KEY_BYTES = 200;
const KEPT_PREFIX_BYTES = 183;
const HASH_HEX_DIGITS = 16;

// The `u` flag makes the class match whole code points, so an emoji becomes one `_`, not two.
const UNSAFE = /[^A-Za-z0-9._-]/gu;

/** The reason an identifier cannot become a key, or null when it can. */
export function keyProblem(identifier: string): string | null {
  if (identifier === "") return "identifier is empty";
  const key = identifier.replace(UNSAFE, "_");
  if (key === "." || key === "..") return `identifier sanitizes to ${JSON.stringify(key)}`;
  return null;
}

/**
 * Every character outside `[A-Za-z0-9._-]` becomes `_`. An empty identifier or one that
 * sanitises to `.` or `..` is rejected. Keys over 200 bytes are cut to 183 bytes plus `-` and
 * 16 hex digits of the identifier's SHA-256, so long identifiers stay distinct and creatable.
 */
export function sanitizeKey(identifier: string): string {
  const problem = keyProblem(identifier);
  if (problem !== null) throw new WorkspacePathError("sanitize", "", identifier, problem);
  const key = identifier.replace(UNSAFE, "_");
  // After replacement the key is ASCII, so string length equals byte length.
  if (key.length <= MAX_KEY_BYTES) return key;
  const digest = createHash("sha256").update(identifier, "utf8").digest("hex").slice(0, HASH_HEX_DIGITS);
  return `${key.slice(0, KEPT_PREFIX_BYTES)}-${digest}`;
}
