// Which changes between two configs a reload cannot apply (they are read once at start-up), and
// whether the inputs of the tracker or agent adapter changed (so the caller rebuilds it).
import { isRawMap } from "./coerce.ts";
import { Secret } from "./secret.ts";
import type { ServiceConfig } from "./types.ts";

/** A canonical text of a decoded value (sorted keys, Maps as entry lists) for equality checks. */
export function canonical(value: unknown): string {
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [canonical(k), canonical(v)]).sort();
    return `Map${JSON.stringify(entries)}`;
  }
  if (value instanceof Secret) return `Secret${JSON.stringify(value.reveal())}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isRawMap(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value === undefined ? "undefined" : JSON.stringify(value);
}

function changed(a: unknown, b: unknown): boolean {
  return canonical(a) !== canonical(b);
}

/** Restart-only fields whose value differs, e.g. `db_path`, `server`, `agent.home_dir`. */
export function restartRequiredChanges(previous: ServiceConfig, next: ServiceConfig): string[] {
  const fields: string[] = [];
  if (previous.dbPath !== next.dbPath) fields.push("db_path");
  for (const key of ["server", "logging", "token_rates"]) {
    if (changed(previous.extensions[key], next.extensions[key])) fields.push(key);
  }
  if (previous.agent.homeDir !== next.agent.homeDir) fields.push("agent.home_dir");
  if (previous.ciFeedback.kind !== next.ciFeedback.kind) fields.push("ci_feedback.kind");
  if (previous.ciFeedback.maxLogLines !== next.ciFeedback.maxLogLines)
    fields.push("ci_feedback.max_log_lines");
  const kinds = [...new Set([...Object.keys(previous.reactions), ...Object.keys(next.reactions)])].sort();
  for (const kind of kinds) {
    if ((previous.reactions[kind]?.provider ?? "") !== (next.reactions[kind]?.provider ?? "")) {
      fields.push(`reactions.${kind}.provider`);
    }
  }
  if (changed(previous.reactions.review_comments?.extra, next.reactions.review_comments?.extra)) {
    fields.push("reactions.review_comments");
  }
  return fields;
}

/** True when anything the tracker adapter is built from changed (typed fields or its pass-through block). */
export function trackerInputsChanged(previous: ServiceConfig, next: ServiceConfig): boolean {
  return (
    changed(previous.tracker, next.tracker) ||
    changed(previous.extensions[previous.tracker.kind], next.extensions[next.tracker.kind])
  );
}

/** True when anything the agent adapter is built from changed (kind, command, timeouts, pass-through block). */
export function agentInputsChanged(previous: ServiceConfig, next: ServiceConfig): boolean {
  const inputs = (c: ServiceConfig) => ({
    kind: c.agent.kind,
    command: c.agent.command,
    turnTimeoutMs: c.agent.turnTimeoutMs,
    readTimeoutMs: c.agent.readTimeoutMs,
    stallTimeoutMs: c.agent.stallTimeoutMs,
    block: c.extensions[c.agent.kind],
  });
  return changed(inputs(previous), inputs(next));
}
