// The `claude-code:` block of WORKFLOW.md, read leniently into typed settings.
import { type AdapterOptions, optBool, optInt, optNumber, optString, optStringList } from "../options.ts";

export interface ClaudeSettings {
  /** "" = `--dangerously-skip-permissions`. */
  permissionMode: string;
  model: string;
  fallbackModel: string;
  /** Claude's own inner agentic-loop limit; 0 = not passed. */
  maxTurns: number;
  /** 0 = not passed. */
  maxBudgetUsd: number;
  effort: string;
  allowedTools: string;
  disallowedTools: string;
  systemPrompt: string;
  /** Operator MCP config, used only when sortie generated none for the session. */
  mcpConfig: string;
  sessionPersistence: boolean;
  /** SORTIE_* variables the operator lets through to the agent. */
  envPassthrough: string[];
}

export function claudeSettings(options: AdapterOptions): ClaudeSettings {
  return {
    permissionMode: optString(options, "permission_mode"),
    model: optString(options, "model"),
    fallbackModel: optString(options, "fallback_model"),
    maxTurns: optInt(options, "max_turns", 0),
    maxBudgetUsd: optNumber(options, "max_budget_usd", 0),
    effort: optString(options, "effort"),
    allowedTools: optString(options, "allowed_tools"),
    disallowedTools: optString(options, "disallowed_tools"),
    systemPrompt: optString(options, "system_prompt"),
    mcpConfig: optString(options, "mcp_config"),
    sessionPersistence: optBool(options, "session_persistence", true),
    envPassthrough: optStringList(options, "env_passthrough"),
  };
}
