// Holds the workflow's last good config and prompt template and reloads them on demand (file
// watcher, every poll tick). A failed reload never replaces what works: the previous pair stays
// in force and the failure is recorded until the file is fixed.
import { basename } from "node:path";
import { errorMessage } from "../domain/errors.ts";
import { WorkflowError } from "./errors.ts";
import { type LoadedWorkflow, type LoadOptions, loadFromSource, readWorkflowSource } from "./load.ts";
import { agentInputsChanged, restartRequiredChanges, trackerInputsChanged } from "./restart-fields.ts";
import type { ServiceConfig } from "./types.ts";
import type { WorkflowDocument } from "./workflow-file.ts";

export const WORKFLOW_RELOADED = "workflow reloaded";
export const WORKFLOW_RELOAD_FAILED = "workflow reload failed";
export const WORKFLOW_RELOAD_REJECTED = "workflow reload rejected by validation";
export const WORKFLOW_RESTART_REQUIRED = "workflow change requires restart";
export const WORKFLOW_WATCHER_ERROR = "workflow watcher error";
export const PROMOTION_ERROR_MESSAGE =
  "tracker.active_states and tracker.terminal_states are both empty; at least one must be configured";

export type TemplateParser<T> = (body: string, source: { sourcePath: string; frontMatterLines: number }) => T;

export interface WorkflowManagerOptions<T> extends LoadOptions {
  /** Parses the prompt template; throws on a syntax error. */
  parseTemplate: TemplateParser<T>;
  now?: () => Date;
}

export interface WorkflowSnapshot<T> {
  config: ServiceConfig;
  template: T;
  /** SHA-256 of the workflow bytes plus the .env bytes this snapshot was built from. */
  contentHash: string;
  loadedAt: Date;
  document: WorkflowDocument;
  /** Front matter after SORTIE_* overrides. */
  raw: LoadedWorkflow["raw"];
}

export type ReloadTrigger = "watch" | "poll";

/** `load`: file, YAML, .env, config or template error; `validation`: the promotion check. */
export type ReloadFailureKind = "load" | "validation";

export interface ReloadFailure {
  kind: ReloadFailureKind;
  error: Error;
  /** The error text (for `error=` attributes and the preflight message). */
  message: string;
  at: Date;
}

export type ReloadResult =
  | { status: "unchanged" }
  | {
      status: "reloaded";
      trigger: ReloadTrigger;
      /** Restart-only fields that changed (they keep their old effect until restart). */
      restartRequired: string[];
      /** The tracker adapter's inputs changed: build a new adapter for the next tick. */
      trackerChanged: boolean;
      /** The agent adapter's inputs changed: new sessions use a newly built adapter. */
      agentChanged: boolean;
    }
  | ({
      status: "failed";
      trigger: ReloadTrigger /** Same content failed before (do not log again). */;
      repeated: boolean;
    } & Omit<ReloadFailure, "at">);

export class WorkflowManager<T> {
  readonly #options: WorkflowManagerOptions<T>;
  #current: WorkflowSnapshot<T> | undefined;
  #lastError: ReloadFailure | null = null;
  /** Hash of the content last attempted, successful or not. */
  #attemptedHash: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: WorkflowManagerOptions<T>) {
    this.#options = options;
  }

  /** Absolute path of the workflow file (for logs). */
  get path(): string {
    return this.#options.workflowPath;
  }

  /** The file name only (the `workflow_file` column of runs and the API). */
  fileName(): string {
    return basename(this.#options.workflowPath);
  }

  /** The last reload failure, or null once a load succeeded after it. */
  get lastError(): ReloadFailure | null {
    return this.#lastError;
  }

  /** The config and template in force; throws before the first successful load(). */
  current(): WorkflowSnapshot<T> {
    if (this.#current === undefined) throw new Error("workflow manager used before load()");
    return this.#current;
  }

  /** Initial load: throws WorkflowError / ConfigBuildError / the template error on failure. */
  load(): Promise<WorkflowSnapshot<T>> {
    return this.#serialize(async () => {
      try {
        const source = await readWorkflowSource(this.#options);
        this.#attemptedHash = source.contentHash;
        const snapshot = this.#pipeline(loadFromSource(source, this.#options));
        this.#current = snapshot;
        this.#lastError = null;
        return snapshot;
      } catch (err) {
        const kind =
          err instanceof WorkflowError && err.message === PROMOTION_ERROR_MESSAGE ? "validation" : "load";
        this.#fail("poll", kind, err, false);
        throw err;
      }
    });
  }

  /** Re-reads the file and .env; rebuilds only when their bytes changed since the last attempt. */
  reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    return this.#serialize(async () => {
      let loaded: LoadedWorkflow;
      let hash: string | undefined;
      try {
        const source = await readWorkflowSource(this.#options);
        hash = source.contentHash;
        if (hash === this.#attemptedHash) {
          const failure = this.#lastError;
          if (failure === null) return { status: "unchanged" } as const;
          return {
            status: "failed",
            trigger,
            repeated: true,
            kind: failure.kind,
            error: failure.error,
            message: failure.message,
          } as const;
        }
        this.#attemptedHash = hash;
        loaded = loadFromSource(source, this.#options);
      } catch (err) {
        // A missing file is retried every time (no hash to compare), but reported as repeated.
        const repeated =
          hash === undefined && this.#lastError !== null && this.#lastError.message === errorMessage(err);
        // Forget the last attempt: a file restored with its old bytes must clear the failure.
        if (hash === undefined) this.#attemptedHash = undefined;
        return this.#fail(trigger, "load", err, repeated);
      }
      let snapshot: WorkflowSnapshot<T>;
      try {
        snapshot = this.#pipeline(loaded);
      } catch (err) {
        const kind =
          err instanceof WorkflowError && err.message === PROMOTION_ERROR_MESSAGE ? "validation" : "load";
        return this.#fail(trigger, kind, err, false);
      }
      const previous = this.#current;
      this.#current = snapshot;
      this.#lastError = null;
      const before = previous?.config;
      return {
        status: "reloaded",
        trigger,
        restartRequired: before === undefined ? [] : restartRequiredChanges(before, snapshot.config),
        trackerChanged: before === undefined || trackerInputsChanged(before, snapshot.config),
        agentChanged: before === undefined || agentInputsChanged(before, snapshot.config),
      } as const;
    });
  }

  /** Template parse, then the promotion check; the pair is only swapped in when both pass. */
  #pipeline(loaded: LoadedWorkflow): WorkflowSnapshot<T> {
    const { document, config } = loaded;
    const template = this.#options.parseTemplate(document.promptTemplate, {
      sourcePath: document.path,
      frontMatterLines: document.frontMatterLines,
    });
    if (config.tracker.activeStates.length === 0 && config.tracker.terminalStates.length === 0) {
      throw new WorkflowError("config_error", PROMOTION_ERROR_MESSAGE, { path: document.path });
    }
    return {
      config,
      template,
      contentHash: loaded.contentHash,
      loadedAt: (this.#options.now ?? (() => new Date()))(),
      document,
      raw: loaded.raw,
    };
  }

  #fail(trigger: ReloadTrigger, kind: ReloadFailureKind, err: unknown, repeated: boolean): ReloadResult {
    const error = err instanceof Error ? err : new Error(String(err));
    const message = errorMessage(err);
    this.#lastError = { kind, error, message, at: (this.#options.now ?? (() => new Date()))() };
    return { status: "failed", trigger, repeated, kind, error, message };
  }

  #serialize<R>(task: () => Promise<R>): Promise<R> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** What a caller logs for a reload outcome (messages and attributes of the original, plus `trigger`). */
export interface ReloadLogger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

/** Logs a reload outcome: INFO reloaded, WARN restart-required fields, ERROR failed/rejected (once per content). */
export function logReloadResult(result: ReloadResult, path: string, log: ReloadLogger): void {
  if (result.status === "unchanged") return;
  if (result.status === "reloaded") {
    log.info(WORKFLOW_RELOADED, { path, trigger: result.trigger });
    if (result.restartRequired.length > 0) {
      log.warn(WORKFLOW_RESTART_REQUIRED, { fields: result.restartRequired.join(","), path });
    }
    return;
  }
  if (result.repeated) return;
  const message = result.kind === "validation" ? WORKFLOW_RELOAD_REJECTED : WORKFLOW_RELOAD_FAILED;
  log.error(message, { error: result.message, path, trigger: result.trigger });
}
