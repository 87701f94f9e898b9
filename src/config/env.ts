// SORTIE_* overrides: real environment variables beat the .env file, which beats the YAML. An
// override replaces the raw YAML value before any section is read, so every coercion, default
// and check applies to it; the fields it touched are returned so `$VAR` expansion skips them.
import { goType, isRawMap, type RawMap } from "./coerce.ts";
import type { Env } from "./expand.ts";
import { goTrimSpace, parseGoAtoi } from "./go-scalar.ts";
import type { ConfigLogger } from "./logger.ts";
import type { ConfigIssue } from "./types.ts";

export type OverrideKind = "string" | "csv" | "bool" | "int";

export interface EnvOverride {
  variable: string;
  /** Dotted field path, e.g. `tracker.comments.on_dispatch` or `db_path`. */
  field: string;
  kind: OverrideKind;
}

/** The exactly 24 override variables, in the order their coercion errors are reported. */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { variable: "SORTIE_TRACKER_KIND", field: "tracker.kind", kind: "string" },
  { variable: "SORTIE_TRACKER_ENDPOINT", field: "tracker.endpoint", kind: "string" },
  { variable: "SORTIE_TRACKER_API_KEY", field: "tracker.api_key", kind: "string" },
  { variable: "SORTIE_TRACKER_PROJECT", field: "tracker.project", kind: "string" },
  { variable: "SORTIE_TRACKER_ACTIVE_STATES", field: "tracker.active_states", kind: "csv" },
  { variable: "SORTIE_TRACKER_TERMINAL_STATES", field: "tracker.terminal_states", kind: "csv" },
  { variable: "SORTIE_TRACKER_QUERY_FILTER", field: "tracker.query_filter", kind: "string" },
  { variable: "SORTIE_TRACKER_HANDOFF_STATE", field: "tracker.handoff_state", kind: "string" },
  { variable: "SORTIE_TRACKER_IN_PROGRESS_STATE", field: "tracker.in_progress_state", kind: "string" },
  { variable: "SORTIE_TRACKER_COMMENTS_ON_DISPATCH", field: "tracker.comments.on_dispatch", kind: "bool" },
  {
    variable: "SORTIE_TRACKER_COMMENTS_ON_COMPLETION",
    field: "tracker.comments.on_completion",
    kind: "bool",
  },
  { variable: "SORTIE_TRACKER_COMMENTS_ON_FAILURE", field: "tracker.comments.on_failure", kind: "bool" },
  { variable: "SORTIE_POLLING_INTERVAL_MS", field: "polling.interval_ms", kind: "int" },
  { variable: "SORTIE_WORKSPACE_ROOT", field: "workspace.root", kind: "string" },
  { variable: "SORTIE_AGENT_KIND", field: "agent.kind", kind: "string" },
  { variable: "SORTIE_AGENT_COMMAND", field: "agent.command", kind: "string" },
  { variable: "SORTIE_AGENT_TURN_TIMEOUT_MS", field: "agent.turn_timeout_ms", kind: "int" },
  { variable: "SORTIE_AGENT_READ_TIMEOUT_MS", field: "agent.read_timeout_ms", kind: "int" },
  { variable: "SORTIE_AGENT_STALL_TIMEOUT_MS", field: "agent.stall_timeout_ms", kind: "int" },
  { variable: "SORTIE_AGENT_MAX_CONCURRENT_AGENTS", field: "agent.max_concurrent_agents", kind: "int" },
  { variable: "SORTIE_AGENT_MAX_TURNS", field: "agent.max_turns", kind: "int" },
  { variable: "SORTIE_AGENT_MAX_RETRY_BACKOFF_MS", field: "agent.max_retry_backoff_ms", kind: "int" },
  { variable: "SORTIE_AGENT_MAX_SESSIONS", field: "agent.max_sessions", kind: "int" },
  { variable: "SORTIE_DB_PATH", field: "db_path", kind: "string" },
];

export interface OverrideOutcome {
  /** Field paths whose value now comes from the environment (including ones whose coercion failed). */
  overridden: Set<string>;
  /** Field paths whose override could not be coerced; later checks of these fields are skipped. */
  failed: Set<string>;
  issues: ConfigIssue[];
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

function coerceOverride(kind: OverrideKind, raw: string): Coerced {
  switch (kind) {
    case "string":
      return { ok: true, value: raw };
    case "csv":
      return {
        ok: true,
        value: raw
          .split(",")
          .map((item) => goTrimSpace(item))
          .filter((item) => item !== ""),
      };
    case "bool": {
      const normalized = goTrimSpace(raw).toLowerCase();
      if (normalized === "true" || normalized === "1") return { ok: true, value: true };
      if (normalized === "false" || normalized === "0") return { ok: true, value: false };
      return { ok: false, message: `invalid boolean value: ${raw} (expected true/false/1/0)` };
    }
    case "int": {
      const parsed = parseGoAtoi(goTrimSpace(raw));
      return parsed === undefined
        ? { ok: false, message: `invalid integer value: ${raw}` }
        : { ok: true, value: parsed };
    }
  }
}

/** Makes map[key] a string-keyed mapping, replacing a non-map value (with a warning). */
function ensureSection(map: RawMap, key: string, log: ConfigLogger): RawMap {
  const existing = Object.hasOwn(map, key) ? map[key] : undefined;
  if (isRawMap(existing)) return existing;
  if (existing !== undefined && existing !== null) {
    log.warn("env override replaced non-map YAML section", { section: key, yaml_type: goType(existing) });
  }
  const fresh: RawMap = {};
  map[key] = fresh;
  return fresh;
}

/**
 * Applies the overrides to raw (mutated). A variable set to "" counts as unset; then the .env
 * value is used, and an empty .env value overrides nothing either.
 */
export function applyEnvOverrides(
  raw: RawMap,
  env: Env,
  dotenv: Readonly<Record<string, string>> | null,
  log: ConfigLogger,
): OverrideOutcome {
  const outcome: OverrideOutcome = { overridden: new Set(), failed: new Set(), issues: [] };
  for (const override of ENV_OVERRIDES) {
    let value = env[override.variable] ?? "";
    if (value === "" && dotenv !== null) value = dotenv[override.variable] ?? "";
    if (value === "") continue;
    const coerced = coerceOverride(override.kind, value);
    if (!coerced.ok) {
      outcome.issues.push({
        field: override.field,
        message: `${coerced.message} (from ${override.variable})`,
      });
      outcome.overridden.add(override.field);
      outcome.failed.add(override.field);
      continue;
    }
    log.debug("env override applied", { var: override.variable });
    const segments = override.field.split(".");
    const leaf = segments.pop() as string;
    let target = raw;
    for (const segment of segments) target = ensureSection(target, segment, log);
    target[leaf] = coerced.value;
    outcome.overridden.add(override.field);
  }
  return outcome;
}
