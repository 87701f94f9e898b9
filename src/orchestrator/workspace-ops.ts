// Binds the workspace layer to the live configuration: hooks, root and timeouts are re-read on
// every call, so a workflow reload applies to the next attempt.
import type { Logger } from "@logtape/logtape";
import type { ServiceConfig } from "../config/types.ts";
import type { Issue } from "../domain/issue.ts";
import {
  cleanupTerminalWorkspaces,
  cleanupWorkspaceByPath,
  listWorkspaceKeys,
  type ParentEnv,
  prepareWorkspace,
  readStatusSignal,
  runAfterRun,
  sanitizeKey,
  writeStateJson,
} from "../workspace/index.ts";
import type { OrchestratorWorkspace } from "./orchestrator.ts";

export interface WorkspaceBinding {
  config: () => ServiceConfig;
  parentEnv: ParentEnv;
  /** HOME for hooks and agents when sortie's own HOME is not writable. */
  agentHome?: string;
  logger: Logger;
  /**
   * Writes `.sortie/mcp.json` for the attempt and returns its path; absent → no MCP config
   * (the agent then gets only the operator's own `mcp_config`).
   */
  writeMcpConfig?: (workspace: string, issue: Issue, attempt: number) => Promise<string>;
}

export function bindWorkspace(b: WorkspaceBinding): OrchestratorWorkspace {
  const settings = (logger: Logger = b.logger) => ({
    hooks: b.config().hooks,
    parentEnv: b.parentEnv,
    agentHome: b.agentHome,
    logger,
  });
  const ref = (issue: Issue) => ({ id: issue.id, identifier: issue.identifier });
  return {
    sanitizeKey,
    listKeys: (root) => listWorkspaceKeys(root),
    prepare: async (issue, attempt, signal) => {
      const ws = await prepareWorkspace({
        ...settings(),
        root: b.config().workspace.root,
        issue: ref(issue),
        attempt,
        signal,
      });
      return { path: ws.path };
    },
    afterRun: (path, issue, attempt, deadline) =>
      runAfterRun({ ...settings(), workspace: path, issue: ref(issue), attempt, deadline }),
    readStatusSignal: (path) => readStatusSignal(path, b.logger),
    writeMcpConfig: (path, issue, attempt) => b.writeMcpConfig?.(path, issue, attempt) ?? Promise.resolve(""),
    writeState: (path, state) => writeStateJson(path, state),
    cleanupPath: async (path, issue, attempt) => {
      await cleanupWorkspaceByPath({
        ...settings(),
        root: b.config().workspace.root,
        path,
        issue: ref(issue),
        attempt,
      });
    },
    cleanupKeys: async (keys) => {
      const result = await cleanupTerminalWorkspaces({
        ...settings(),
        root: b.config().workspace.root,
        identifiers: keys,
      });
      return result.cleaned.length;
    },
  };
}
