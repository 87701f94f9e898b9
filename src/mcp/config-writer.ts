// Binds `.sortie/mcp.json` generation to the running orchestrator: which binary to start, which
// workflow it loads, the operator's own MCP file, and the session variables of each attempt.
import type { ServiceConfig } from "../config/types.ts";
import type { Issue } from "../domain/issue.ts";
import { buildMcpEnv, type ParentEnv, writeMcpConfig } from "../workspace/index.ts";
import { type SelfCommand, sortieSelfCommand } from "./self-command.ts";

export interface McpConfigWriterOptions {
  /** Absolute WORKFLOW.md path; "" = unknown, and no file is written. */
  workflowPath: string;
  /** The live configuration (read on every attempt, so a reload applies to the next one). */
  config: () => ServiceConfig;
  /** The orchestrator's environment; its SORTIE_* variables travel in the entry. */
  parentEnv: ParentEnv;
  /** How to start sortie again; the running binary (or runtime + entry script) by default. */
  self?: SelfCommand;
}

/** `<agent.kind>.mcp_config` from the workflow, "" when absent or not a string. */
export function operatorMcpConfigPath(config: ServiceConfig): string {
  const block = config.extensions[config.agent.kind];
  if (block === null || typeof block !== "object" || Array.isArray(block)) return "";
  const value = (block as Record<string, unknown>).mcp_config;
  return typeof value === "string" ? value : "";
}

/**
 * A function with the worker's `writeMcpConfig(workspace, issue, attempt)` shape: writes the file
 * and returns its path ("" when the workflow path is unknown). `attempt` 0 is a first dispatch
 * (no SORTIE_ATTEMPT); any failure throws and should fail the attempt.
 */
export function mcpConfigWriter(
  options: McpConfigWriterOptions,
): (workspace: string, issue: Issue, attempt: number) => Promise<string> {
  const self = options.self ?? sortieSelfCommand();
  return async (workspace, issue, attempt) => {
    if (options.workflowPath === "") return "";
    const config = options.config();
    const env = buildMcpEnv({
      parentEnv: options.parentEnv,
      issueId: issue.id,
      issueIdentifier: issue.identifier,
      workspace,
      dbPath: config.dbPath,
      attempt: attempt > 0 ? attempt : null,
    });
    return writeMcpConfig(workspace, {
      selfExecutable: self.executable,
      selfArgs: self.args,
      workflowPath: options.workflowPath,
      env,
      operatorConfigPath: operatorMcpConfigPath(config),
    });
  };
}
