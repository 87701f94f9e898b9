// The argv of one non-interactive `copilot -p` turn, in the CLI's documented order. Autopilot
// with no user questions and every permission granted is what lets it run unattended.
import { promptArgument } from "../process/prompt-argument.ts";
import type { CopilotSettings } from "./settings.ts";

/** How a turn joins an earlier conversation. */
export type CopilotResume =
  | { kind: "none" }
  /** The id was never learned: the most recent conversation in the (per-issue) workspace. */
  | { kind: "continue" }
  | { kind: "resume"; sessionId: string };

export interface CopilotTurnArgs {
  prompt: string;
  resume: CopilotResume;
  /** Generated `.sortie/mcp.json`; "" = fall back to the operator's `mcp_config`. */
  mcpConfigPath: string;
}

export function buildCopilotArgs(settings: CopilotSettings, turn: CopilotTurnArgs): string[] {
  const args = [
    "-p",
    promptArgument(turn.prompt),
    "--output-format",
    "json",
    "-s",
    "--autopilot",
    "--no-ask-user",
    "--max-autopilot-continues",
    String(settings.maxAutopilotContinues),
  ];
  if (turn.resume.kind === "continue") args.push("--continue");
  else if (turn.resume.kind === "resume") args.push("--resume", turn.resume.sessionId);
  if (settings.model !== "") args.push("--model", settings.model);
  if (settings.agent !== "") args.push("--agent", settings.agent);
  const scoped =
    settings.allowedTools !== "" ||
    settings.deniedTools !== "" ||
    settings.availableTools !== "" ||
    settings.excludedTools !== "";
  if (!scoped) args.push("--allow-all");
  if (settings.allowedTools !== "") args.push("--allow-tool", settings.allowedTools);
  if (settings.deniedTools !== "") args.push("--deny-tool", settings.deniedTools);
  if (settings.availableTools !== "") args.push("--available-tools", settings.availableTools);
  if (settings.excludedTools !== "") args.push("--excluded-tools", settings.excludedTools);
  const mcp = turn.mcpConfigPath !== "" ? `@${turn.mcpConfigPath}` : formatMcpConfig(settings.mcpConfig);
  if (mcp !== "") args.push("--additional-mcp-config", mcp);
  if (settings.disableBuiltinMcps) args.push("--disable-builtin-mcps");
  if (settings.noCustomInstructions) args.push("--no-custom-instructions");
  if (settings.experimental) args.push("--experimental");
  return args;
}

/**
 * `--additional-mcp-config` takes inline JSON or `@<file>`. A bare path is read as (invalid) JSON,
 * after which the CLI exits 0 without any output, so a path gets its `@`.
 */
export function formatMcpConfig(value: string): string {
  const trimmed = value.trim();
  if (trimmed === "" || trimmed.startsWith("{") || trimmed.startsWith("@")) return trimmed;
  return `@${trimmed}`;
}
