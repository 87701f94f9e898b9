// Agent kinds sortie knows: `agent.kind` → how to build its adapter. A new agent is a new
// folder plus one line here.
import type { AgentAdapter } from "../domain/agent.ts";
import { agentError } from "../domain/errors.ts";
import { CLAUDE_DEFAULT_COMMAND, ClaudeCodeAdapter } from "./claude-code/index.ts";
import { CODEX_DEFAULT_COMMAND, CodexAdapter } from "./codex/index.ts";
import { COPILOT_DEFAULT_COMMAND, CopilotCliAdapter } from "./copilot-cli/index.ts";
import { MockAdapter } from "./mock/index.ts";
import { OPENCODE_DEFAULT_COMMAND, OpenCodeAdapter } from "./opencode/index.ts";
import type { AgentAdapterConfig, AgentDeps } from "./types.ts";

export type { AgentAdapterConfig, AgentDeps } from "./types.ts";

export interface AgentKind {
  /** Preflight rejects an empty `agent.command` for this kind. */
  requiresCommand: boolean;
  /** The adapter's fallback when the command is empty ("" = none). */
  defaultCommand: string;
  create(config: AgentAdapterConfig, deps: AgentDeps): AgentAdapter;
}

const KINDS: Readonly<Record<string, AgentKind>> = {
  "claude-code": {
    requiresCommand: true,
    defaultCommand: CLAUDE_DEFAULT_COMMAND,
    create: (config, deps) => new ClaudeCodeAdapter(config, deps),
  },
  "copilot-cli": {
    requiresCommand: true,
    defaultCommand: COPILOT_DEFAULT_COMMAND,
    create: (config, deps) => new CopilotCliAdapter(config, deps),
  },
  codex: {
    requiresCommand: true,
    defaultCommand: CODEX_DEFAULT_COMMAND,
    create: (config, deps) => new CodexAdapter(config, deps),
  },
  opencode: {
    requiresCommand: true,
    defaultCommand: OPENCODE_DEFAULT_COMMAND,
    create: (config, deps) => new OpenCodeAdapter(config, deps),
  },
  mock: {
    requiresCommand: false,
    defaultCommand: "",
    create: (config, deps) => new MockAdapter(config, deps),
  },
};

/** Every registered kind, sorted. */
export const AGENT_KINDS: readonly string[] = Object.freeze(Object.keys(KINDS).sort());

export function lookupAgentKind(kind: string): AgentKind | undefined {
  return Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
}

/** Builds the adapter for `config.kind`; an unknown kind is `agent_not_found`. */
export function createAgentAdapter(config: AgentAdapterConfig, deps: AgentDeps): AgentAdapter {
  const entry = lookupAgentKind(config.kind);
  if (entry === undefined) {
    throw agentError(
      "agent_not_found",
      `unsupported agent kind "${config.kind}" (known: ${AGENT_KINDS.join(", ")})`,
    );
  }
  return entry.create(config, deps);
}
