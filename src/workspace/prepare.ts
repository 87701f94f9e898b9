// The per-attempt workspace lifecycle around an agent run: ensure the directory, after_create (new
// directories only, rolled back on failure), clear the stale status signal, before_run; and
// after_run on the way out, which is logged but never fails anything.
import { rm } from "node:fs/promises";
import { getLogger, type Logger } from "@logtape/logtape";
import type { HooksConfig } from "../config/types.ts";
import { errorMessage } from "../domain/errors.ts";
import type { Issue } from "../domain/issue.ts";
import { buildHookEnv, type ParentEnv } from "./env.ts";
import { HookError } from "./errors.ts";
import { type HookName, outputTail, runHook } from "./hooks.ts";
import { ensureWorkspace } from "./path.ts";
import { findReviewSummary } from "./review-files.ts";
import { deleteStatusFile } from "./status-file.ts";

/** What every hook invocation needs besides the workspace and the issue. */
export interface HookSettings {
  hooks: HooksConfig;
  /** The environment hooks draw their allowlist and SORTIE_* variables from (process.env). */
  parentEnv: ParentEnv;
  /** HOME for hooks when sortie's own HOME is not writable. */
  agentHome?: string;
  sshHost?: string;
  /** Defaults to the `sortie.workspace` logger; pass the worker's scoped logger for issue context. */
  logger?: Logger;
}

export type IssueRef = Pick<Issue, "id" | "identifier">;

export interface PrepareOptions extends HookSettings {
  root: string;
  issue: IssueRef;
  /** null on a first dispatch. */
  attempt: number | null;
  /** The worker's signal: aborting it kills a running after_create/before_run. */
  signal?: AbortSignal;
  /** Removes the new directory after a failed after_create; `rm -rf` unless replaced (tests). */
  removeTree?: (path: string) => Promise<void>;
}

export interface PreparedWorkspace {
  path: string;
  key: string;
  createdNow: boolean;
}

export function loggerOf(settings: { logger?: Logger }): Logger {
  return settings.logger ?? getLogger(["sortie", "workspace"]);
}

interface HookCall {
  name: HookName;
  script: string;
  workspace: string;
  issue: IssueRef;
  attempt: number | null;
  signal?: AbortSignal;
  extraEnv?: Record<string, string>;
}

export function invokeHook(settings: HookSettings, call: HookCall) {
  return runHook({
    name: call.name,
    script: call.script,
    cwd: call.workspace,
    env: buildHookEnv({
      parentEnv: settings.parentEnv,
      issueId: call.issue.id,
      issueIdentifier: call.issue.identifier,
      workspace: call.workspace,
      attempt: call.attempt,
      sshHost: settings.sshHost,
      agentHome: settings.agentHome,
      extra: call.extraEnv,
    }),
    timeoutMs: settings.hooks.timeoutMs,
    signal: call.signal,
    logger: settings.logger,
  });
}

/** Log attributes for a failed hook: the error text and the tail of what it printed. */
export function hookFailureFields(workspace: string, err: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = { workspace, error: errorMessage(err) };
  if (err instanceof HookError && err.output !== "") fields.output = outputTail(err.output);
  return fields;
}

/**
 * Ensures the issue's workspace and runs the preparation hooks. Throws a WorkspacePathError, a
 * HookError, or the signal's reason when already aborted; after a failed after_create the new
 * directory is gone, after a failed before_run it is kept.
 */
export async function prepareWorkspace(opts: PrepareOptions): Promise<PreparedWorkspace> {
  const log = loggerOf(opts);
  // A cancelled worker must not create directories or start hooks.
  opts.signal?.throwIfAborted();
  const ws = await ensureWorkspace(opts.root, opts.issue.identifier);
  const call = { workspace: ws.path, issue: opts.issue, attempt: opts.attempt, signal: opts.signal };

  if (ws.createdNow && opts.hooks.afterCreate) {
    try {
      await invokeHook(opts, { ...call, name: "after_create", script: opts.hooks.afterCreate });
    } catch (err) {
      log.warn("after_create hook failed, rolling back workspace", hookFailureFields(ws.path, err));
      try {
        await (opts.removeTree ?? ((p: string) => rm(p, { recursive: true, force: true })))(ws.path);
      } catch (rmErr) {
        log.error("workspace rollback failed after after_create hook error", {
          workspace: ws.path,
          error: errorMessage(rmErr),
        });
      }
      throw err;
    }
  }

  // Before before_run, so a before_run hook can itself gate the attempt by writing a status.
  await deleteStatusFile(ws.path, opts.logger);

  if (opts.hooks.beforeRun) {
    try {
      await invokeHook(opts, { ...call, name: "before_run", script: opts.hooks.beforeRun });
    } catch (err) {
      log.warn("before_run hook failed", hookFailureFields(ws.path, err));
      throw err;
    }
  }
  return ws;
}

export type SelfReviewStatus = "disabled" | "passed" | "cap_reached" | "error";

export interface AfterRunOptions extends HookSettings {
  workspace: string;
  issue: IssueRef;
  attempt: number | null;
  selfReviewStatus?: SelfReviewStatus;
  /**
   * An extra bound besides hooks.timeout_ms (what is left of the shutdown drain budget). The
   * worker's own signal must not be passed: after_run also runs when the worker was cancelled.
   */
  deadline?: AbortSignal;
}

/** Runs after_run if configured; failures are logged (WARN with the output's tail) and swallowed. */
export async function runAfterRun(opts: AfterRunOptions): Promise<void> {
  const script = opts.hooks.afterRun;
  if (!script) return;
  const extraEnv: Record<string, string> = { SORTIE_SELF_REVIEW_STATUS: opts.selfReviewStatus ?? "disabled" };
  const summary = await findReviewSummary(opts.workspace);
  if (summary !== null) extraEnv.SORTIE_SELF_REVIEW_SUMMARY_PATH = summary;
  try {
    await invokeHook(opts, {
      name: "after_run",
      script,
      workspace: opts.workspace,
      issue: opts.issue,
      attempt: opts.attempt,
      signal: opts.deadline,
      extraEnv,
    });
  } catch (err) {
    loggerOf(opts).warn("after_run hook failed", hookFailureFields(opts.workspace, err));
  }
}
