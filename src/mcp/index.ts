// sortie's agent tools and the MCP server that serves them to agent CLIs over stdio.
export { type McpConfigWriterOptions, mcpConfigWriter, operatorMcpConfigPath } from "./config-writer.ts";
export { FrameTooLongError, type ReadFramesOptions, readFrames } from "./framing.ts";
export {
  BASELINE_PROTOCOL_VERSION,
  createDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  handleLine,
  INVALID_PARAMS,
  INVALID_REQUEST,
  type JsonRpcResponse,
  METHOD_NOT_FOUND,
  negotiateProtocolVersion,
  PARSE_ERROR,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "./protocol.ts";
export {
  buildSessionTools,
  orchestratorTools,
  type SessionTools,
  type SessionToolsOptions,
  toolRegistry,
} from "./registry.ts";
export { type SelfCommand, sortieSelfCommand } from "./self-command.ts";
export { MAX_MCP_LINE_BYTES, type McpServerLogger, type ServeMcpOptions, serveMcp } from "./server.ts";
export { type AgentTool, callTool, sortTools, type ToolCallOutcome } from "./tool.ts";
export {
  NO_INPUT_SCHEMA,
  readSortieStatus,
  SORTIE_STATUS_TOOL_NAME,
  type SortieStatus,
  type SortieStatusOptions,
  sortieStatusTool,
} from "./tools/sortie-status.ts";
export {
  isInProject,
  runTrackerApi,
  TRACKER_API_DESCRIPTION,
  TRACKER_API_INPUT_SCHEMA,
  TRACKER_API_OPERATIONS,
  TRACKER_API_TOOL_NAME,
  type TrackerApiOperation,
  type TrackerApiOptions,
  type TrackerApiResult,
  trackerApiTool,
} from "./tools/tracker-api.ts";
export {
  readWorkspaceHistory,
  WORKSPACE_HISTORY_LIMIT,
  WORKSPACE_HISTORY_TOOL_NAME,
  type WorkspaceHistory,
  type WorkspaceHistoryEntry,
  type WorkspaceHistoryOptions,
  workspaceHistoryTool,
} from "./tools/workspace-history.ts";
