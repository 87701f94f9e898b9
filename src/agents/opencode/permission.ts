// The `OPENCODE_PERMISSION` policy built from `allowed_tools` / `denied_tools`: an allow list
// denies every other known tool, a deny list denies only what it names.
import type { Logger } from "@logtape/logtape";

/** The permission keys OpenCode knows. */
export const OPENCODE_PERMISSION_KEYS: readonly string[] = Object.freeze([
  "bash",
  "codesearch",
  "doom_loop",
  "edit",
  "external_directory",
  "glob",
  "grep",
  "list",
  "lsp",
  "question",
  "read",
  "skill",
  "task",
  "todowrite",
  "webfetch",
  "websearch",
]);

/** The policy as JSON with sorted keys, or undefined when neither list is set. */
export function permissionPolicy(
  allowed: readonly string[],
  denied: readonly string[],
  logger?: Logger,
): string | undefined {
  if (allowed.length === 0 && denied.length === 0) return undefined;
  const known = new Set(OPENCODE_PERMISSION_KEYS);
  for (const key of [...allowed, ...denied]) {
    if (!known.has(key)) logger?.debug("unknown opencode permission key passed through", { key });
  }
  const policy = new Map<string, "allow" | "deny">();
  for (const key of allowed) policy.set(key, "allow");
  if (allowed.length > 0) {
    for (const key of OPENCODE_PERMISSION_KEYS) if (!policy.has(key)) policy.set(key, "deny");
  }
  for (const key of denied) policy.set(key, "deny");
  const sorted = [...policy.keys()].sort();
  return JSON.stringify(Object.fromEntries(sorted.map((k) => [k, policy.get(k)])));
}
