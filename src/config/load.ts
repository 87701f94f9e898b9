// The load pipeline shared by start-up, reloads, `validate` and `mcp-server`: read WORKFLOW.md
// and the .env file, split and decode the front matter, apply overrides and build the config.
import { createHash } from "node:crypto";
import { type BuildOptions, buildServiceConfig } from "./build.ts";
import type { StateDefaults } from "./build-tracker.ts";
import type { RawMap } from "./coerce.ts";
import { type DotEnvFile, parseDotEnv, readDotEnvFile, resolveEnvFilePath } from "./dotenv.ts";
import { ConfigBuildError, WorkflowError } from "./errors.ts";
import type { Env } from "./expand.ts";
import { type ConfigLogger, defaultConfigLogger } from "./logger.ts";
import type { PositionIndex } from "./positions.ts";
import type { ServiceConfig } from "./types.ts";
import { parseWorkflow, readWorkflowBytes, type WorkflowDocument, workflowText } from "./workflow-file.ts";

export interface LoadOptions {
  /** Absolute path of WORKFLOW.md. */
  workflowPath: string;
  /** The .env file (`--env-file`); defaults to `$SORTIE_ENV_FILE`; relative paths resolve against cwd. */
  envFilePath?: string;
  env: Env;
  cwd: string;
  homeDir: string | undefined;
  stateDefaults?: StateDefaults;
  logger?: ConfigLogger;
}

/** The bytes one load works from; their hash decides whether a reload has anything to do. */
export interface WorkflowSource {
  workflowBytes: Uint8Array;
  envFile: DotEnvFile | null;
  /** Deferred: a .env read error is reported after the workflow's own errors, as in the original. */
  envFileError: WorkflowError | null;
  /** SHA-256 (hex) of the workflow bytes plus the .env bytes. */
  contentHash: string;
}

export interface LoadedWorkflow {
  document: WorkflowDocument;
  config: ServiceConfig;
  /** The front matter after SORTIE_* overrides (what front-matter analysis reads). */
  raw: RawMap;
  /** Positions of values that came from the file (overridden fields removed). */
  positions: PositionIndex;
  overridden: ReadonlySet<string>;
  contentHash: string;
}

/** Reads WORKFLOW.md (missing → WorkflowError) and the .env file, and hashes both. */
export async function readWorkflowSource(options: LoadOptions): Promise<WorkflowSource> {
  const workflowBytes = await readWorkflowBytes(options.workflowPath);
  const envPath = options.envFilePath ?? resolveEnvFilePath(undefined, options.env);
  let envFile: DotEnvFile | null = null;
  let envFileError: WorkflowError | null = null;
  if (envPath !== undefined && envPath !== "") {
    try {
      envFile = await readDotEnvFile(envPath, options.cwd);
    } catch (err) {
      if (!(err instanceof WorkflowError)) throw err;
      envFileError = err;
    }
  }
  const hash = createHash("sha256").update(workflowBytes);
  hash.update(
    envFile === null ? "\0no-env-file" : envFile.bytes === null ? "\0env-file-missing" : "\0env-file\0",
  );
  if (envFile?.bytes) hash.update(envFile.bytes);
  if (envFileError !== null) hash.update(`\0env-file-error\0${envFileError.message}`);
  return { workflowBytes, envFile, envFileError, contentHash: hash.digest("hex") };
}

/**
 * Parses and builds from already-read bytes. Throws WorkflowError (YAML, not a map, .env) or
 * ConfigBuildError (every ConfigIssue of the build).
 */
export function loadFromSource(source: WorkflowSource, options: LoadOptions): LoadedWorkflow {
  const log = options.logger ?? defaultConfigLogger();
  const document = parseWorkflow(workflowText(source.workflowBytes), options.workflowPath);
  if (source.envFileError !== null) throw source.envFileError;
  let dotenv: Record<string, string> | null = null;
  if (source.envFile !== null) {
    if (source.envFile.bytes === null)
      log.warn("env file not found, skipping", { path: source.envFile.path });
    else dotenv = parseDotEnv(source.envFile.bytes, source.envFile.path);
  }
  const buildOptions: BuildOptions = {
    workflowPath: options.workflowPath,
    env: options.env,
    cwd: options.cwd,
    homeDir: options.homeDir,
    dotenv,
    positions: document.positions,
    logger: log,
    ...(options.stateDefaults === undefined ? {} : { stateDefaults: options.stateDefaults }),
  };
  const result = buildServiceConfig(document.frontMatter, buildOptions);
  if (!result.ok) throw new ConfigBuildError(result.issues, options.workflowPath);
  return {
    document,
    config: result.config,
    raw: result.raw,
    positions: result.positions,
    overridden: result.overridden,
    contentHash: source.contentHash,
  };
}

export async function loadWorkflow(options: LoadOptions): Promise<LoadedWorkflow> {
  return loadFromSource(await readWorkflowSource(options), options);
}
