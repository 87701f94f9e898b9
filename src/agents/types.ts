// What every adapter factory receives.
import type { Logger } from "@logtape/logtape";

/** The `agent:` settings plus the pass-through block named after the kind. */
export interface AgentAdapterConfig {
  kind: string;
  command: string;
  turnTimeoutMs: number;
  readTimeoutMs: number;
  stallTimeoutMs: number;
  /** The WORKFLOW front-matter block whose key equals the kind, untouched (e.g. `claude-code:`). */
  options: Readonly<Record<string, unknown>>;
}

export interface AgentDeps {
  logger: Logger;
  /** Sortie's own environment snapshot; agents get it minus SORTIE_* (see `env_passthrough`). */
  baseEnv: Readonly<Record<string, string>>;
  now?: () => Date;
}
