// `workspace_history`: the newest run-history rows of the session's issue, read from sortie's
// database opened read-only, so the agent can learn what earlier attempts ran into.
import { errorMessage } from "../../domain/errors.ts";
import type { Store } from "../../persistence/index.ts";
import type { AgentTool } from "../tool.ts";
import { NO_INPUT_SCHEMA } from "./sortie-status.ts";

export const WORKSPACE_HISTORY_TOOL_NAME = "workspace_history";

export const WORKSPACE_HISTORY_DESCRIPTION =
  "Returns the most recent completed run attempts for the current issue, including status, error " +
  "messages, and timing. Use this to understand what happened in prior sessions before deciding on a strategy.";

export const WORKSPACE_HISTORY_LIMIT = 10;

export interface WorkspaceHistoryEntry {
  attempt: number;
  agent_adapter: string;
  started_at: string;
  completed_at: string;
  status: string;
  error: string | null;
}

export interface WorkspaceHistory {
  issue_id: string;
  entries: WorkspaceHistoryEntry[];
}

export interface WorkspaceHistoryOptions {
  store: Pick<Store, "queryRunHistoryByIssue">;
  /** `SORTIE_ISSUE_ID`. */
  issueId: string;
}

export async function readWorkspaceHistory(
  options: WorkspaceHistoryOptions,
): Promise<WorkspaceHistory | { error: string }> {
  let rows: Awaited<ReturnType<Store["queryRunHistoryByIssue"]>>;
  try {
    rows = await options.store.queryRunHistoryByIssue(options.issueId);
  } catch (err) {
    return { error: errorMessage(err) };
  }
  return {
    issue_id: options.issueId,
    entries: rows.slice(0, WORKSPACE_HISTORY_LIMIT).map((r) => ({
      attempt: r.attempt,
      agent_adapter: r.agentAdapter,
      started_at: r.startedAt,
      completed_at: r.completedAt,
      status: r.status,
      error: r.error,
    })),
  };
}

export function workspaceHistoryTool(options: WorkspaceHistoryOptions): AgentTool {
  return {
    name: WORKSPACE_HISTORY_TOOL_NAME,
    description: WORKSPACE_HISTORY_DESCRIPTION,
    inputSchema: NO_INPUT_SCHEMA,
    call: () => readWorkspaceHistory(options),
  };
}
