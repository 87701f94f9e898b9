// Advisory checks of the front matter for `sortie validate`: unknown keys, wrong value types and
// values the runtime silently replaces. They never make a workflow invalid.
import { goQuote } from "../domain/go-format.ts";
import { CORE_KEYS } from "./build.ts";
import { coerceInt, goType, isRawMap, type RawMap } from "./coerce.ts";
import type { PositionIndex } from "./positions.ts";
import type { Diagnostic, ServiceConfig } from "./types.ts";

type FieldType = "string" | "integer" | "bool" | "list of strings" | "map";

interface FieldDef {
  name: string;
  type: FieldType;
  nested?: FieldDef[];
}

interface SectionDef {
  fields: FieldDef[];
  /** A sub-key equal to the section's own `kind` (an adapter block) is not unknown. */
  allowKindBlock?: boolean;
  /** Keys are free-form (reactions): only the section type is checked. */
  dynamicKeys?: boolean;
}

const f = (name: string, type: FieldType, nested?: FieldDef[]): FieldDef =>
  nested === undefined ? { name, type } : { name, type, nested };

/** Known sub-keys per section, in schema order (the order type warnings are emitted in). */
export const FRONT_MATTER_SECTIONS: Readonly<Record<string, SectionDef>> = {
  tracker: {
    fields: [
      f("kind", "string"),
      f("endpoint", "string"),
      f("api_key", "string"),
      f("project", "string"),
      f("active_states", "list of strings"),
      f("terminal_states", "list of strings"),
      f("query_filter", "string"),
      f("handoff_state", "string"),
      f("in_progress_state", "string"),
      f("comments", "map", [f("on_dispatch", "bool"), f("on_completion", "bool"), f("on_failure", "bool")]),
    ],
    allowKindBlock: true,
  },
  polling: { fields: [f("interval_ms", "integer")] },
  workspace: { fields: [f("root", "string")] },
  hooks: {
    fields: [
      f("after_create", "string"),
      f("before_run", "string"),
      f("after_run", "string"),
      f("before_remove", "string"),
      f("timeout_ms", "integer"),
    ],
  },
  agent: {
    fields: [
      f("kind", "string"),
      f("command", "string"),
      f("turn_timeout_ms", "integer"),
      f("read_timeout_ms", "integer"),
      f("stall_timeout_ms", "integer"),
      f("max_concurrent_agents", "integer"),
      f("max_turns", "integer"),
      f("max_retry_backoff_ms", "integer"),
      f("max_concurrent_agents_by_state", "map"),
      f("max_sessions", "integer"),
      f("home_dir", "string"),
    ],
    allowKindBlock: true,
  },
  ci_feedback: {
    fields: [
      f("kind", "string"),
      f("max_retries", "integer"),
      f("max_log_lines", "integer"),
      f("escalation", "string"),
      f("escalation_label", "string"),
    ],
  },
  self_review: {
    fields: [
      f("enabled", "bool"),
      f("max_iterations", "integer"),
      f("verification_commands", "list of strings"),
      f("verification_timeout_ms", "integer"),
      f("max_diff_bytes", "integer"),
      f("reviewer", "string"),
    ],
  },
  reactions: { fields: [], dynamicKeys: true },
};

/** Top-level extension keys with a meaning of their own. */
export const KNOWN_EXTENSION_KEYS: readonly string[] = ["server", "logging", "worker", "token_rates"];

function typeMatches(value: unknown, type: FieldType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "bool":
      return typeof value === "boolean";
    case "map":
      return isRawMap(value);
    case "list of strings":
      return Array.isArray(value);
    case "integer":
      return coerceInt(value).ok;
  }
}

export interface AnalyzeOptions {
  /** Absolute workflow path, set as `file` on diagnostics that have a position. */
  file?: string;
  /** Positions of values that came from the file (overridden fields removed). */
  positions?: PositionIndex;
}

/**
 * Front-matter warnings in the fixed emission order. raw is the front matter after SORTIE_*
 * overrides; config supplies the effective tracker and agent kinds.
 */
export function analyzeFrontMatter(
  raw: RawMap,
  config: { tracker: Pick<ServiceConfig["tracker"], "kind">; agent: Pick<ServiceConfig["agent"], "kind"> },
  options: AnalyzeOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (check: string, field: string, text: string, at: "key" | "value") => {
    const position = at === "key" ? options.positions?.key(field) : options.positions?.value(field);
    const diagnostic: Diagnostic = { severity: "warning", check, message: `${field}: ${text}` };
    if (position !== undefined) {
      if (options.file !== undefined) diagnostic.file = options.file;
      diagnostic.line = position.line;
      diagnostic.column = position.column;
    }
    out.push(diagnostic);
  };

  const recognized = new Set([...CORE_KEYS, ...KNOWN_EXTENSION_KEYS]);
  if (config.tracker.kind !== "") recognized.add(config.tracker.kind);
  if (config.agent.kind !== "") recognized.add(config.agent.kind);
  for (const key of Object.keys(raw).sort()) {
    if (!recognized.has(key)) warn("unknown_key", key, `unknown top-level key ${goQuote(key)}`, "key");
  }

  for (const name of Object.keys(FRONT_MATTER_SECTIONS).sort()) {
    const schema = FRONT_MATTER_SECTIONS[name] as SectionDef;
    const section = Object.hasOwn(raw, name) ? raw[name] : null;
    if (section === null || section === undefined) continue;
    if (!isRawMap(section)) {
      warn("type_mismatch", name, `expected map, got ${goType(section)}`, "value");
      continue;
    }
    if (schema.dynamicKeys) continue;
    checkSection(name, section, schema, warn);
  }

  const dbPath = raw.db_path;
  if (dbPath !== null && dbPath !== undefined && typeof dbPath !== "string") {
    warn("type_mismatch", "db_path", `expected string, got ${goType(dbPath)}`, "value");
  }
  checkHookTimeout(raw, warn);
  checkByStateLimits(raw, warn);
  return out;
}

type Warn = (check: string, field: string, text: string, at: "key" | "value") => void;

function checkSection(name: string, section: RawMap, schema: SectionDef, warn: Warn): void {
  const known = new Set(schema.fields.map((field) => field.name));
  const kindBlock = schema.allowKindBlock && typeof section.kind === "string" ? section.kind : "";
  for (const key of Object.keys(section).sort()) {
    if (known.has(key) || (kindBlock !== "" && key === kindBlock)) continue;
    warn(
      "unknown_sub_key",
      `${name}.${key}`,
      `unknown key ${goQuote(key)} in section ${goQuote(name)}`,
      "key",
    );
  }
  for (const field of schema.fields) {
    if (field.nested === undefined) continue;
    const nested = section[field.name];
    if (!isRawMap(nested)) continue;
    const nestedKnown = new Set(field.nested.map((n) => n.name));
    const sectionName = `${name}.${field.name}`;
    for (const key of Object.keys(nested).sort()) {
      if (nestedKnown.has(key)) continue;
      warn(
        "unknown_sub_key",
        `${sectionName}.${key}`,
        `unknown key ${goQuote(key)} in section ${goQuote(sectionName)}`,
        "key",
      );
    }
  }
  for (const field of schema.fields) {
    const value = section[field.name];
    if (value === null || value === undefined) continue;
    const path = `${name}.${field.name}`;
    if (!typeMatches(value, field.type)) {
      warn("type_mismatch", path, `expected ${field.type}, got ${goType(value)}`, "value");
      continue;
    }
    if (field.type === "list of strings") {
      (value as unknown[]).forEach((element, i) => {
        if (typeof element !== "string") {
          warn("type_mismatch", `${path}[${i}]`, `expected string element, got ${goType(element)}`, "value");
        }
      });
    }
    for (const nested of field.nested ?? []) {
      const nestedValue = (value as RawMap)[nested.name];
      if (nestedValue === null || nestedValue === undefined || typeMatches(nestedValue, nested.type))
        continue;
      warn(
        "type_mismatch",
        `${path}.${nested.name}`,
        `expected ${nested.type}, got ${goType(nestedValue)}`,
        "value",
      );
    }
  }
}

function checkHookTimeout(raw: RawMap, warn: Warn): void {
  const hooks = raw.hooks;
  if (!isRawMap(hooks) || hooks.timeout_ms === null || hooks.timeout_ms === undefined) return;
  const timeout = coerceInt(hooks.timeout_ms);
  if (timeout.ok && timeout.value <= 0) {
    warn(
      "type_mismatch",
      "hooks.timeout_ms",
      `non-positive value ${timeout.value} will fall back to default 60000`,
      "value",
    );
  }
}

function checkByStateLimits(raw: RawMap, warn: Warn): void {
  const agent = raw.agent;
  if (!isRawMap(agent)) return;
  const limits = agent.max_concurrent_agents_by_state;
  if (!isRawMap(limits)) return;
  for (const key of Object.keys(limits).sort()) {
    const path = `agent.max_concurrent_agents_by_state.${key}`;
    const limit = coerceInt(limits[key]);
    if (!limit.ok) warn("type_mismatch", path, "non-numeric value will be ignored", "value");
    else if (limit.value <= 0)
      warn("type_mismatch", path, `non-positive value ${limit.value} will be ignored`, "value");
  }
}
