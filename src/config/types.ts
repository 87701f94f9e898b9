// The resolved, typed configuration built from WORKFLOW.md front matter, SORTIE_* overrides and
// defaults. Everything downstream of config/ reads these shapes and never the raw YAML.
import type { Secret } from "./secret.ts";

export interface TrackerCommentsConfig {
  onDispatch: boolean;
  onCompletion: boolean;
  onFailure: boolean;
}

export interface TrackerConfig {
  kind: string;
  endpoint: string;
  apiKey: Secret;
  project: string;
  /** Effective lists: the adapter's defaults are resolved in when the workflow omits them. */
  activeStates: string[];
  terminalStates: string[];
  queryFilter: string;
  /** null = disabled. */
  handoffState: string | null;
  /** null = disabled. */
  inProgressState: string | null;
  comments: TrackerCommentsConfig;
}

export interface HooksConfig {
  afterCreate: string | null;
  beforeRun: string | null;
  afterRun: string | null;
  beforeRemove: string | null;
  timeoutMs: number;
}

export interface AgentConfig {
  kind: string;
  command: string;
  turnTimeoutMs: number;
  readTimeoutMs: number;
  /** <= 0 disables stall detection. */
  stallTimeoutMs: number;
  maxConcurrentAgents: number;
  /** May be < 1 here; the worker clamps it to 1 with a warning. */
  maxTurns: number;
  maxRetryBackoffMs: number;
  /** Keys lower-cased; only positive integers survive parsing. */
  maxConcurrentAgentsByState: Record<string, number>;
  /** 0 = unlimited. */
  maxSessions: number;
  /** "" = automatic (next to the database). Absolute after resolution when non-empty. */
  homeDir: string;
}

export type EscalationMode = "label" | "comment";

export interface CiFeedbackConfig {
  /** "" = disabled. */
  kind: string;
  maxRetries: number;
  maxLogLines: number;
  escalation: EscalationMode;
  escalationLabel: string;
}

export interface ReactionConfig {
  provider: string;
  maxRetries: number;
  escalation: EscalationMode;
  escalationLabel: string;
  /** Keys other than the ones above, untouched. */
  extra: Record<string, unknown>;
}

export interface SelfReviewConfig {
  enabled: boolean;
  maxIterations: number;
  verificationCommands: string[];
  verificationTimeoutMs: number;
  maxDiffBytes: number;
  reviewer: "same";
}

export interface ServiceConfig {
  tracker: TrackerConfig;
  polling: { intervalMs: number };
  /** Absolute, `~` and `$VAR` expanded. */
  workspace: { root: string };
  hooks: HooksConfig;
  agent: AgentConfig;
  /** Absolute database path (SORTIE_DB_PATH > db_path > next to the workflow file). */
  dbPath: string;
  ciFeedback: CiFeedbackConfig;
  selfReview: SelfReviewConfig;
  /** Sorted by kind; `ci_failure` is folded into ciFeedback and removed. */
  reactions: Record<string, ReactionConfig>;
  /** Every top-level key that is not a core key, untouched (server, logging, worker, token_rates, adapter blocks). */
  extensions: Record<string, unknown>;
}

/** A configuration error naming the field, with its place in WORKFLOW.md when it came from YAML. */
export interface ConfigIssue {
  field: string;
  message: string;
  line?: number;
  column?: number;
}

/** One `validate` finding. */
export interface Diagnostic {
  severity: "error" | "warning";
  check: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}
