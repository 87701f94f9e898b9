// What every adapter factory receives.
import type { Logger } from "@logtape/logtape";
import type { AgentRuntimeConfig } from "../domain/agent.ts";

/** The `agent:` settings plus the pass-through block named after the kind. */
export interface AgentAdapterConfig extends AgentRuntimeConfig {
  /** The WORKFLOW front-matter block whose key equals the kind, untouched (e.g. `claude-code:`). */
  options: Readonly<Record<string, unknown>>;
}

export interface DynamicToolResult {
  success: boolean;
  /** Text handed back to the model (JSON for sortie's tools). */
  output: string;
}

/**
 * One of sortie's own tools (e.g. `tracker_api`) for adapters that offer tools to the agent
 * directly instead of through the MCP sidecar (Codex's dynamic tools).
 */
export interface DynamicTool {
  name: string;
  description: string;
  /** A JSON Schema object, or its JSON text. */
  inputSchema: unknown;
  /** A thrown error is a failed call whose output is the error text. */
  execute(args: unknown, signal: AbortSignal): Promise<DynamicToolResult>;
}

export interface AgentDeps {
  logger: Logger;
  /** Sortie's own environment snapshot; agents get it minus SORTIE_* (see `env_passthrough`). */
  baseEnv: Readonly<Record<string, string>>;
  now?: () => Date;
  /** Sortie's tools for adapters that take them directly; absent = no tool registry. */
  tools?: readonly DynamicTool[];
}
