// Which agent tools exist. The orchestrator offers `tracker_api` when the workflow names a tracker
// project (it advertises it in the first prompt and may serve it itself); the MCP server started
// for one session adds the tools that read that session's files and history.

import type { ServiceConfig } from "../config/types.ts";
import { errorMessage } from "../domain/errors.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import type { Store } from "../persistence/index.ts";
import type { PromptTool } from "../prompt/index.ts";
import type { AgentTool } from "./tool.ts";
import { sortTools } from "./tool.ts";
import { sortieStatusTool } from "./tools/sortie-status.ts";
import {
  TRACKER_API_DESCRIPTION,
  TRACKER_API_INPUT_SCHEMA,
  TRACKER_API_TOOL_NAME,
  trackerApiTool,
} from "./tools/tracker-api.ts";
import { workspaceHistoryTool } from "./tools/workspace-history.ts";

/** `tracker_api` is offered only for a configured project: its scope check needs one. */
function offersTrackerApi(config: ServiceConfig): boolean {
  return config.tracker.project !== "";
}

/**
 * The orchestrator's registry as the prompt advertises it: `tracker_api` when `tracker.project`
 * is set, otherwise nothing.
 */
export function toolRegistry(config: ServiceConfig): PromptTool[] {
  if (!offersTrackerApi(config)) return [];
  return [
    {
      name: TRACKER_API_TOOL_NAME,
      description: TRACKER_API_DESCRIPTION,
      inputSchema: TRACKER_API_INPUT_SCHEMA,
    },
  ];
}

/** The same registry with callable tools, for agents whose protocol carries tool calls itself. */
export function orchestratorTools(config: ServiceConfig, tracker: TrackerAdapter): AgentTool[] {
  if (!offersTrackerApi(config)) return [];
  return [trackerApiTool({ tracker, project: config.tracker.project })];
}

export interface SessionToolsOptions {
  /** null when the workflow names no tracker kind. */
  tracker: TrackerAdapter | null;
  project: string;
  /** `SORTIE_WORKSPACE`; "" = no `sortie_status`. */
  workspace: string;
  /** `SORTIE_DB_PATH`; "" = no `workspace_history`. */
  dbPath: string;
  /** `SORTIE_ISSUE_ID`; "" = no `workspace_history`. */
  issueId: string;
  /** Opens the database read-only. */
  openReadonlyStore: (path: string) => Promise<Store>;
  logger: { warn(message: string, properties?: Record<string, unknown>): void };
}

export interface SessionTools {
  tools: AgentTool[];
  /** Closes the read-only database, if one was opened. */
  close(): Promise<void>;
}

/** The MCP server's tools for one agent session, by what its environment provides. */
export async function buildSessionTools(options: SessionToolsOptions): Promise<SessionTools> {
  const tools: AgentTool[] = [];
  if (options.tracker !== null && options.project !== "") {
    tools.push(trackerApiTool({ tracker: options.tracker, project: options.project }));
  }
  if (options.workspace !== "") tools.push(sortieStatusTool({ workspace: options.workspace }));
  let store: Store | null = null;
  if (options.dbPath !== "" && options.issueId !== "") {
    try {
      store = await options.openReadonlyStore(options.dbPath);
      tools.push(workspaceHistoryTool({ store, issueId: options.issueId }));
    } catch (err) {
      options.logger.warn("failed to open read-only db for workspace_history", {
        db_path: options.dbPath,
        error: errorMessage(err),
      });
    }
  }
  return {
    tools: sortTools(tools),
    close: async () => {
      await store?.close();
    },
  };
}
