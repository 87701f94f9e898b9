// Workspace removal: before_remove (failure logged, deletion proceeds), then `rm -rf` of a path that
// has been checked to be a real directory directly under the workspace root.
import { rm } from "node:fs/promises";
import { errorMessage } from "../domain/errors.ts";
import { WorkspacePathError } from "./errors.ts";
import { checkRemovablePath, computeWorkspacePath } from "./path.ts";
import { type HookSettings, hookFailureFields, type IssueRef, invokeHook, loggerOf } from "./prepare.ts";

export interface RemovalResult {
  /** The workspace path that was (or would have been) removed. */
  path: string;
  /** False when there was nothing to remove. */
  removed: boolean;
}

async function removeChecked(
  settings: HookSettings,
  root: string,
  path: string,
  issue: IssueRef,
  attempt: number | null,
): Promise<boolean> {
  const existing = await checkRemovablePath(root, path);
  if (existing === null) return false;
  if (settings.hooks.beforeRemove) {
    try {
      // Detached from any worker or shutdown signal: bounded by hooks.timeout_ms only.
      await invokeHook(settings, {
        name: "before_remove",
        script: settings.hooks.beforeRemove,
        workspace: existing,
        issue,
        attempt,
      });
    } catch (err) {
      loggerOf(settings).warn("before_remove hook failed", hookFailureFields(existing, err));
    }
  }
  try {
    await rm(existing, { recursive: true, force: true });
  } catch (err) {
    throw new WorkspacePathError("remove", root, issue.identifier, errorMessage(err), err);
  }
  return true;
}

export interface CleanupOptions extends HookSettings {
  root: string;
  identifier: string;
  /** The tracker id when known; otherwise hooks see the identifier as SORTIE_ISSUE_ID. */
  issueId?: string;
}

/** Removes the workspace of an identifier (start-up and sweep cleanup). Missing is success. */
export async function cleanupWorkspace(opts: CleanupOptions): Promise<RemovalResult> {
  const path = await computeWorkspacePath(opts.root, opts.identifier);
  const issue = { id: opts.issueId ?? opts.identifier, identifier: opts.identifier };
  return { path, removed: await removeChecked(opts, opts.root, path, issue, 0) };
}

export interface CleanupByPathOptions extends HookSettings {
  /** The current workspace root; the path must be its direct child. */
  root: string;
  path: string;
  issue: IssueRef;
  attempt: number | null;
}

/**
 * Removes a workspace by the path a worker reported. The path must be absolute, normalised, not
 * `/`, and directly under the realpath'd root: anything else is refused, never deleted.
 */
export async function cleanupWorkspaceByPath(opts: CleanupByPathOptions): Promise<RemovalResult> {
  return {
    path: opts.path,
    removed: await removeChecked(opts, opts.root, opts.path, opts.issue, opts.attempt),
  };
}

export interface CleanupTerminalOptions extends HookSettings {
  root: string;
  identifiers: readonly string[];
  /** Tracker ids for the hooks' SORTIE_ISSUE_ID; identifiers not listed use themselves. */
  issueIds?: Readonly<Record<string, string>>;
}

export interface CleanupTerminalResult {
  cleaned: string[];
  failed: { identifier: string; error: unknown }[];
}

/**
 * Cleans each identifier's workspace in turn; one failure does not stop the others. Only actual
 * removals are logged, so a periodic sweep over long-gone workspaces stays quiet.
 */
export async function cleanupTerminalWorkspaces(
  opts: CleanupTerminalOptions,
): Promise<CleanupTerminalResult> {
  const log = loggerOf(opts);
  const result: CleanupTerminalResult = { cleaned: [], failed: [] };
  for (const identifier of opts.identifiers) {
    try {
      const issueId = opts.issueIds?.[identifier];
      const { path, removed } = await cleanupWorkspace({ ...opts, identifier, issueId });
      if (removed) {
        log.info("workspace cleaned", { identifier, workspace: path });
        result.cleaned.push(identifier);
      }
    } catch (err) {
      log.warn("workspace cleanup failed", { identifier, error: errorMessage(err) });
      result.failed.push({ identifier, error: err });
    }
  }
  return result;
}
