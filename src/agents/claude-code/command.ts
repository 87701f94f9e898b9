// The argv of one `claude -p` turn, in the order the CLI has always been invoked with.
import { promptArgument } from "../process/prompt-argument.ts";
import type { ClaudeSettings } from "./settings.ts";

export interface ClaudeTurnArgs {
  prompt: string;
  sessionId: string;
  /** True only on the first turn of a session that continues nothing: `--session-id` fixes the id. */
  newSession: boolean;
  /** Generated `.sortie/mcp.json`; "" = fall back to the operator's `mcp_config`. */
  mcpConfigPath: string;
}

export function buildClaudeArgs(settings: ClaudeSettings, turn: ClaudeTurnArgs): string[] {
  const args = ["-p", promptArgument(turn.prompt), "--output-format", "stream-json", "--verbose"];
  if (settings.permissionMode !== "") args.push("--permission-mode", settings.permissionMode);
  else args.push("--dangerously-skip-permissions");
  if (turn.newSession) args.push("--session-id", turn.sessionId);
  else args.push("--resume", turn.sessionId);
  if (settings.model !== "") args.push("--model", settings.model);
  if (settings.fallbackModel !== "") args.push("--fallback-model", settings.fallbackModel);
  if (settings.maxTurns > 0) args.push("--max-turns", String(settings.maxTurns));
  if (settings.maxBudgetUsd > 0) args.push("--max-budget-usd", String(settings.maxBudgetUsd));
  if (settings.effort !== "") args.push("--effort", settings.effort);
  if (settings.allowedTools !== "") args.push("--allowedTools", settings.allowedTools);
  if (settings.disallowedTools !== "") args.push("--disallowedTools", settings.disallowedTools);
  if (settings.systemPrompt !== "") args.push("--append-system-prompt", settings.systemPrompt);
  const mcp = turn.mcpConfigPath !== "" ? turn.mcpConfigPath : settings.mcpConfig;
  if (mcp !== "") args.push("--mcp-config", mcp);
  if (!settings.sessionPersistence) args.push("--no-session-persistence");
  return args;
}
