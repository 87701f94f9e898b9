// What every adapter factory receives.
import type { Logger } from "@logtape/logtape";
import type { AgentRuntimeConfig } from "../domain/agent.ts";

/** The `agent:` settings plus the pass-through block named after the kind. */
export interface AgentAdapterConfig extends AgentRuntimeConfig {
  /** The WORKFLOW front-matter block whose key equals the kind, untouched (e.g. `claude-code:`). */
  options: Readonly<Record<string, unknown>>;
}

export interface AgentDeps {
  logger: Logger;
  /** Sortie's own environment snapshot; agents get it minus SORTIE_* (see `env_passthrough`). */
  baseEnv: Readonly<Record<string, string>>;
  now?: () => Date;
}
