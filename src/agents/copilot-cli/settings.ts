// The `copilot-cli:` block of WORKFLOW.md, read leniently into typed settings.
import { type AdapterOptions, optBool, optInt, optString, optStringList } from "../options.ts";

export const DEFAULT_MAX_AUTOPILOT_CONTINUES = 50;

export interface CopilotSettings {
  model: string;
  /** Always passed; a value ≤ 0 falls back to the default. */
  maxAutopilotContinues: number;
  agent: string;
  allowedTools: string;
  deniedTools: string;
  availableTools: string;
  excludedTools: string;
  /** Operator MCP config, used only when sortie generated none for the session. */
  mcpConfig: string;
  disableBuiltinMcps: boolean;
  noCustomInstructions: boolean;
  experimental: boolean;
  /** SORTIE_* variables the operator lets through to the agent. */
  envPassthrough: string[];
}

export function copilotSettings(options: AdapterOptions): CopilotSettings {
  const continues = optInt(options, "max_autopilot_continues", 0);
  return {
    model: optString(options, "model"),
    maxAutopilotContinues: continues > 0 ? continues : DEFAULT_MAX_AUTOPILOT_CONTINUES,
    agent: optString(options, "agent"),
    allowedTools: optString(options, "allowed_tools"),
    deniedTools: optString(options, "denied_tools"),
    availableTools: optString(options, "available_tools"),
    excludedTools: optString(options, "excluded_tools"),
    mcpConfig: optString(options, "mcp_config"),
    disableBuiltinMcps: optBool(options, "disable_builtin_mcps", false),
    noCustomInstructions: optBool(options, "no_custom_instructions", false),
    experimental: optBool(options, "experimental", false),
    envPassthrough: optStringList(options, "env_passthrough"),
  };
}
