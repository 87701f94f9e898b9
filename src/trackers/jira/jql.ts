// JQL built from the configuration. Every value that comes from config or from the caller
// (project key, state names, issue keys) is a quoted, backslash-escaped string literal, so no
// value can end the literal early or add clauses; the operator's `query_filter` is trusted JQL
// and only wrapped in its own parentheses.

/** `"<value>"` with `\` → `\\` and `"` → `\"`: `Won't Do` → `"Won't Do"`, `a"b\` → `"a\"b\\"`. */
export function jqlString(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** `"a", "b"`: quoted literals joined for an IN list. */
export function jqlList(values: readonly string[]): string {
  return values.map(jqlString).join(", ");
}

function projectStates(project: string, states: readonly string[], queryFilter: string): string {
  const filter = queryFilter.trim() === "" ? "" : ` AND (${queryFilter})`;
  return `project = ${jqlString(project)} AND status IN (${jqlList(states)})${filter}`;
}

/** Candidate issues: the project's issues in active states, most urgent and oldest first. */
export function candidatesJql(project: string, activeStates: readonly string[], queryFilter: string): string {
  return `${projectStates(project, activeStates, queryFilter)} ORDER BY priority ASC, created ASC`;
}

/** The project's issues in the given states, oldest first. */
export function byStatesJql(project: string, states: readonly string[], queryFilter: string): string {
  return `${projectStates(project, states, queryFilter)} ORDER BY created ASC`;
}

/** Issues by key, across projects (a moved issue keeps answering under its new key). */
export function byKeysJql(keys: readonly string[]): string {
  return `key IN (${jqlList(keys)}) ORDER BY key ASC`;
}

/**
 * Issues by numeric id. Ids are trimmed and anything that is not digits is dropped, because an
 * id is an unquoted number in JQL; null when nothing is left (no request to send).
 */
export function byIdsJql(ids: readonly string[]): string | null {
  const numeric = numericIds(ids);
  return numeric.length === 0 ? null : `id IN (${numeric.join(", ")}) ORDER BY key ASC`;
}

/** The trimmed ids that are plain digit strings. */
export function numericIds(ids: readonly string[]): string[] {
  return ids.map((id) => id.trim()).filter((id) => /^\d+$/.test(id));
}
