// The argv of one `opencode run` turn and of the usage-fallback `opencode export`.
import type { OpenCodeSettings } from "./settings.ts";

export interface OpenCodeTurnArgs {
  workspace: string;
  /** "" = a new session. */
  sessionId: string;
  prompt: string;
}

export function buildRunArgs(settings: OpenCodeSettings, turn: OpenCodeTurnArgs): string[] {
  const args = ["run", "--format", "json", "--dir", turn.workspace];
  if (turn.sessionId !== "") args.push("--session", turn.sessionId);
  if (settings.model !== "") args.push("--model", settings.model);
  if (settings.agent !== "") args.push("--agent", settings.agent);
  if (settings.variant !== "") args.push("--variant", settings.variant);
  if (settings.thinking) args.push("--thinking");
  if (settings.pure) args.push("--pure");
  if (settings.dangerouslySkipPermissions) args.push("--dangerously-skip-permissions");
  // After `--` the prompt is never mistaken for an option, whatever it starts with.
  args.push("--", turn.prompt);
  return args;
}

export function buildExportArgs(sessionId: string): string[] {
  return ["export", "--sanitize", sessionId];
}
