// The workspace layer: per-issue directories under one root, their hooks, and the `.sortie/` files
// agents and the orchestrator exchange through them.
export {
  type CleanupByPathOptions,
  type CleanupOptions,
  type CleanupTerminalOptions,
  type CleanupTerminalResult,
  cleanupTerminalWorkspaces,
  cleanupWorkspace,
  cleanupWorkspaceByPath,
  type RemovalResult,
} from "./cleanup.ts";
export {
  attemptValue,
  buildHookEnv,
  HOOK_ENV_ALLOWLIST,
  type HookEnvInput,
  type IssueEnvInput,
  issueSessionEnv,
  type ParentEnv,
  sortieVariables,
} from "./env.ts";
export { HookError, type HookOp, type PathOp, WorkspacePathError } from "./errors.ts";
export {
  HOOK_OUTPUT_CAP_BYTES,
  HOOK_PIPE_GRACE_MS,
  type HookName,
  type HookResult,
  outputTail,
  type RunHookOptions,
  runHook,
} from "./hooks.ts";
export { MAX_KEY_BYTES, sanitizeKey } from "./key.ts";
export {
  buildMcpDocument,
  buildMcpEnv,
  MCP_SERVER_NAME,
  type McpConfigOptions,
  type McpEnvInput,
  type McpServerEntry,
  writeMcpConfig,
} from "./mcp-config.ts";
export {
  checkRemovablePath,
  computeWorkspacePath,
  type EnsuredWorkspace,
  ensureWorkspace,
  listWorkspaceKeys,
  resolveWorkspaceRoot,
} from "./path.ts";
export {
  type AfterRunOptions,
  type HookSettings,
  type IssueRef,
  type PreparedWorkspace,
  type PrepareOptions,
  prepareWorkspace,
  runAfterRun,
  type SelfReviewStatus,
} from "./prepare.ts";
export {
  deleteReviewVerdict,
  findReviewSummary,
  type ReviewIssue,
  type ReviewVerdict,
  readReviewVerdict,
  writeReviewSummary,
} from "./review-files.ts";
export { readScmJson, type ScmMetadata } from "./scm-file.ts";
export { SORTIE_DIR, sortieDirPath, sortieFilePath, writeGitignore } from "./sortie-dir.ts";
export {
  formatRfc3339Nano,
  parseRfc3339,
  readStateJson,
  type SessionState,
  type SessionStateRead,
  writeStateJson,
} from "./state-file.ts";
export { deleteStatusFile, readStatusSignal, type StatusSignal } from "./status-file.ts";
