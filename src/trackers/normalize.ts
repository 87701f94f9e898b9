// Normalization rules every tracker adapter shares: label casing, the two priority flavours and
// case-insensitive state matching.

/** Lower-cases each label, keeping order and duplicates; null/undefined becomes []. */
export function normalizeLabels(labels: readonly (string | null | undefined)[] | null | undefined): string[] {
  if (labels === null || labels === undefined) return [];
  return labels.map((label) => (label ?? "").toLowerCase());
}

/**
 * Priority from a JSON value that must be an integer literal (file tracker). Anything else —
 * strings, fractions, booleans, null, absent — is null. Numbers whose source text was not in
 * canonical form (`2.0`, `1e2`, `-0`) arrive as raw JSON values from the file reader and are
 * rejected here too, matching the original's strict decoding.
 */
export function strictIntegerPriority(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && !Object.is(value, -0) ? value : null;
}

const INTEGER_STRING = /^-?\d+$/;

/** Priority from an integer string such as Jira's `priority.id`: trimmed, optional `-`, digits only. */
export function integerStringPriority(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (!INTEGER_STRING.test(trimmed)) return null;
  const parsed = Number.parseInt(trimmed, 10);
  return Number.isSafeInteger(parsed) ? parsed : null;
}

/** The lower-cased set of configured state names, for case-insensitive membership tests. */
export function stateSet(states: readonly string[]): Set<string> {
  return new Set(states.map((state) => state.toLowerCase()));
}
