// The configuration layer's public surface: load WORKFLOW.md into a typed ServiceConfig, reload
// it, analyse it for `validate`, read extension blocks, and watch the file's directory.
export {
  type AnalyzeOptions,
  analyzeFrontMatter,
  FRONT_MATTER_SECTIONS,
  KNOWN_EXTENSION_KEYS,
} from "./analyze.ts";
export { type BuildOptions, type BuildResult, buildServiceConfig, CORE_KEYS } from "./build.ts";
export { CI_DEFAULTS, SELF_REVIEW_DEFAULTS } from "./build-feedback.ts";
export { AGENT_DEFAULTS, DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_POLL_INTERVAL_MS } from "./build-runtime.ts";
export type { StateDefaults } from "./build-tracker.ts";
export { goType, isRawMap, type RawMap } from "./coerce.ts";
export { DEFAULT_DB_FILE, resolveDbPath } from "./db-path.ts";
export { configIssueDiagnostics, loadErrorDiagnostics, workflowErrorDiagnostic } from "./diagnostics.ts";
export { type DotEnvFile, parseDotEnv, readDotEnvFile, resolveEnvFilePath } from "./dotenv.ts";
export { applyEnvOverrides, ENV_OVERRIDES, type EnvOverride } from "./env.ts";
export {
  ConfigBuildError,
  formatConfigIssue,
  type SourcePosition,
  WorkflowError,
  type WorkflowErrorKind,
} from "./errors.ts";
export { type Env, expandEnv, expandPath, expandTilde, expandWholeValue } from "./expand.ts";
export {
  DEFAULT_SERVER_HOST,
  DEFAULT_SERVER_PORT,
  type ExtensionWarning,
  isIpLiteral,
  type LogFormatName,
  type LoggingExtension,
  type LogLevelName,
  type Parsed,
  parseLogFormat,
  parseLoggingExtension,
  parseLogLevel,
  parseReviewCommentsExtras,
  parseServerExtension,
  parseTokenRates,
  parseWorkerExtension,
  passThroughBlock,
  providerConfigMap,
  type ReviewCommentsSettings,
  type ServerExtension,
  type StrictHostKeyChecking,
  type TokenRate,
  type WorkerExtension,
} from "./extensions.ts";
export { frontMatterSchema } from "./front-matter-schema.ts";
export { workflowJsonSchema, workflowJsonSchemaText } from "./json-schema.ts";
export {
  type LoadedWorkflow,
  type LoadOptions,
  loadFromSource,
  loadWorkflow,
  readWorkflowSource,
  type WorkflowSource,
} from "./load.ts";
export {
  type ConfigLogger,
  defaultConfigLogger,
  type RecordedLog,
  recordingLogger,
  silentLogger,
} from "./logger.ts";
export {
  logReloadResult,
  PROMOTION_ERROR_MESSAGE,
  type ReloadFailure,
  type ReloadFailureKind,
  type ReloadLogger,
  type ReloadResult,
  type ReloadTrigger,
  type TemplateParser,
  WORKFLOW_RELOAD_FAILED,
  WORKFLOW_RELOAD_REJECTED,
  WORKFLOW_RELOADED,
  WORKFLOW_RESTART_REQUIRED,
  WORKFLOW_WATCHER_ERROR,
  WorkflowManager,
  type WorkflowManagerOptions,
  type WorkflowSnapshot,
} from "./manager.ts";
export { PositionIndex } from "./positions.ts";
export { agentInputsChanged, restartRequiredChanges, trackerInputsChanged } from "./restart-fields.ts";
export { assertServiceConfig, serviceConfigSchema } from "./schema.ts";
export { Secret } from "./secret.ts";
export type * from "./types.ts";
export {
  WATCH_DEBOUNCE_MS,
  type WorkflowWatcher,
  type WorkflowWatcherOptions,
  watchWorkflowDirectory,
} from "./watch.ts";
export { parseWorkflow, readWorkflowBytes, type WorkflowDocument } from "./workflow-file.ts";
