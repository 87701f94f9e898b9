// The tracker kinds sortie knows, what each requires from the configuration, and the one place
// adapters are constructed. A new tracker is a folder under src/trackers/ plus one entry in
// TRACKER_DEFINITIONS below.
import type { Diagnostic, ServiceConfig, TrackerConfig } from "../config/types.ts";
import { trackerError } from "../domain/errors.ts";
import { isJsonObject } from "../domain/json.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import { fileTracker } from "./file/index.ts";
import { githubTracker } from "./github/index.ts";
import { instrumentTracker, type MetricsPolicy } from "./instrumented.ts";
import { jiraTracker } from "./jira/index.ts";

/**
 * What adapters log through. A LogTape `Logger` satisfies it; tests pass a recorder. Messages are
 * constant strings, context goes in snake_case properties.
 */
export interface TrackerLogger {
  debug(message: string, properties?: Record<string, unknown>): void;
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

/** The resolved tracker config plus what the host adds for the adapter. */
export interface TrackerAdapterConfig extends TrackerConfig {
  /** `sortie/<version>` in the main process, `sortie-mcp/<version>` in the MCP sidecar. */
  userAgent: string;
  /**
   * The top-level front-matter block named after the kind (`file: {path}`), minus keys that
   * name typed tracker fields: typed keys always win, so an extension block cannot override them.
   */
  options: Record<string, unknown>;
}

export interface TrackerDeps {
  fetch: typeof fetch;
  logger: TrackerLogger;
  now: () => Date;
  /** Relative paths in adapter options resolve against this directory. */
  cwd: string;
}

/** Environment variables a validator may consult (passed in; adapters never read process.env). */
export type TrackerEnv = Readonly<Record<string, string | undefined>>;

export interface TrackerKindDefinition {
  kind: string;
  requiresProject: boolean;
  requiresApiKey: boolean;
  /** Resolved into the effective config when the workflow omits `active_states`. */
  defaultActiveStates: readonly string[];
  /** Resolved into the effective config when the workflow omits `terminal_states`. */
  defaultTerminalStates: readonly string[];
  /** Network-free checks for `sortie validate`. */
  validate?(config: TrackerConfig, env: TrackerEnv): Diagnostic[];
  /** Which calls are not counted in `sortie_tracker_requests_total`; default: empty-input list calls. */
  metrics?: MetricsPolicy;
  /** Builds the bare adapter; throws a tracker SortieError on invalid configuration. */
  create(config: TrackerAdapterConfig, deps: TrackerDeps): TrackerAdapter;
}

const TRACKER_DEFINITIONS: readonly TrackerKindDefinition[] = [fileTracker, githubTracker, jiraTracker];

/**
 * State defaults of kinds whose adapters are not registered yet. The config layer resolves
 * defaults into the effective state lists, so it needs them before the adapters exist; once an
 * adapter registers, its definition is the source (a test keeps the two equal).
 */
export const PENDING_STATE_DEFAULTS: Readonly<Record<string, TrackerStateDefaults>> = {
  github: { active: ["backlog", "in-progress", "review"], terminal: ["done", "wontfix"] },
  jira: { active: ["Backlog", "Selected for Development", "In Progress"], terminal: [] },
};

export interface TrackerStateDefaults {
  active: readonly string[];
  terminal: readonly string[];
}

const BY_KIND: ReadonlyMap<string, TrackerKindDefinition> = new Map(
  TRACKER_DEFINITIONS.map((definition) => [definition.kind, definition]),
);

/** Registered kinds, sorted. */
export const TRACKER_KINDS: readonly string[] = [...BY_KIND.keys()].sort();

export function lookupTrackerKind(kind: string): TrackerKindDefinition | undefined {
  return BY_KIND.get(kind);
}

/** The adapter's default active/terminal states; none for unknown kinds and for `file`. */
export function trackerStateDefaults(kind: string): TrackerStateDefaults {
  const definition = BY_KIND.get(kind);
  if (definition !== undefined) {
    return { active: definition.defaultActiveStates, terminal: definition.defaultTerminalStates };
  }
  return PENDING_STATE_DEFAULTS[kind] ?? { active: [], terminal: [] };
}

/** `unknown tracker adapter kind "<k>"; registered: [file, github, jira]`. */
export function unknownTrackerKindMessage(kind: string): string {
  if (TRACKER_KINDS.length === 0) return `unknown tracker adapter kind "${kind}"; no adapters registered`;
  return `unknown tracker adapter kind "${kind}"; registered: [${TRACKER_KINDS.join(", ")}]`;
}

/** Keys of the typed tracker map; an extension block never supplies them. */
const TYPED_TRACKER_KEYS = new Set([
  "kind",
  "endpoint",
  "api_key",
  "project",
  "active_states",
  "terminal_states",
  "query_filter",
  "handoff_state",
  "in_progress_state",
  "comments",
  "user_agent",
]);

/** Builds the adapter config from the effective service config and the host's user agent. */
export function trackerAdapterConfig(config: ServiceConfig, userAgent: string): TrackerAdapterConfig {
  const block = config.extensions[config.tracker.kind];
  const options: Record<string, unknown> = {};
  if (isJsonObject(block)) {
    for (const [key, value] of Object.entries(block)) {
      if (!TYPED_TRACKER_KEYS.has(key)) options[key] = value;
    }
  }
  return { ...config.tracker, userAgent, options };
}

/**
 * Constructs the adapter for `config.kind`, checking the kind's required fields first, and
 * wraps it for metrics: call `setMetrics` on the result to count requests.
 */
export function createTracker(config: TrackerAdapterConfig, deps: TrackerDeps): TrackerAdapter {
  const definition = BY_KIND.get(config.kind);
  if (definition === undefined) {
    throw trackerError("unsupported_tracker_kind", unknownTrackerKindMessage(config.kind));
  }
  if (definition.requiresApiKey && config.apiKey.isEmpty) {
    throw trackerError("missing_tracker_api_key", "missing required config key: api_key");
  }
  if (definition.requiresProject && config.project.trim() === "") {
    throw trackerError("missing_tracker_project", "missing required config key: project");
  }
  return instrumentTracker(definition.create(config, deps), definition.metrics);
}
