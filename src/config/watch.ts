// Watches the directory that holds WORKFLOW.md. Every event counts, whatever its file name: a
// Kubernetes ConfigMap update swaps the `..data` symlink, so the workflow's own name never shows up
// in an event. Events are debounced; the caller then re-reads the file and compares its hash.
import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";

export const WATCH_DEBOUNCE_MS = 50;
const RETRY_MS = 500;

export interface WorkflowWatcherOptions {
  /** Quiet period after the last event before onChange runs (default 50 ms). */
  debounceMs?: number;
  /** Delay before re-creating a watch that failed or closed (default 500 ms). */
  retryMs?: number;
  /** A watch error (the caller logs `workflow watcher error`); the watch is re-created. */
  onError?: (error: unknown) => void;
  /** Timer functions (tests pass a fake to observe the debounce). */
  timers?: WatchTimers;
}

export interface WatchTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: WatchTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface WorkflowWatcher {
  close(): void;
}

/** Calls onChange (debounced) after any change in the workflow file's directory until close(). */
export function watchWorkflowDirectory(
  workflowPath: string,
  onChange: () => void,
  options: WorkflowWatcherOptions = {},
): WorkflowWatcher {
  const directory = dirname(workflowPath);
  const debounceMs = options.debounceMs ?? WATCH_DEBOUNCE_MS;
  const retryMs = options.retryMs ?? RETRY_MS;
  let watcher: FSWatcher | undefined;
  const timers = options.timers ?? realTimers;
  let debounce: unknown;
  let retry: unknown;
  let closed = false;

  // If the directory itself is removed or replaced, the old watch goes quiet without an error.
  // The runtime reports that as an event named like the directory (or the inode changes), and
  // the watch is then re-created.
  const directoryName = basename(directory);
  let watchedInode: string | undefined;
  let failing = false;

  const fire = () => {
    debounce = undefined;
    if (!closed) onChange();
  };
  const bump = () => {
    if (closed) return;
    if (debounce !== undefined) timers.clear(debounce);
    debounce = timers.set(fire, debounceMs);
  };
  const onEvent = (_event: string, filename: string | Buffer | null) => {
    bump();
    if (String(filename ?? "") === directoryName || inodeOf(directory) !== watchedInode) scheduleRestart();
  };
  const reportError = (error: unknown) => {
    // One report per outage: a directory that stays missing is retried quietly.
    if (!failing) options.onError?.(error);
    failing = true;
  };
  const scheduleRestart = () => {
    if (closed || retry !== undefined) return;
    const current = watcher;
    watcher = undefined;
    current?.removeAllListeners();
    current?.close();
    retry = timers.set(() => {
      retry = undefined;
      // Anything may have changed while no watch was active.
      if (start()) bump();
    }, retryMs);
    (retry as { unref?: () => void }).unref?.();
  };
  const start = (): boolean => {
    if (closed) return false;
    try {
      watchedInode = inodeOf(directory);
      const created = watch(directory, { persistent: false }, onEvent);
      created.on("error", (error) => {
        reportError(error);
        scheduleRestart();
      });
      created.on("close", () => {
        if (watcher === created) scheduleRestart();
      });
      watcher = created;
      failing = false;
      return true;
    } catch (error) {
      reportError(error);
      scheduleRestart();
      return false;
    }
  };

  start();
  return {
    close() {
      closed = true;
      if (debounce !== undefined) timers.clear(debounce);
      if (retry !== undefined) timers.clear(retry);
      const current = watcher;
      watcher = undefined;
      current?.removeAllListeners();
      current?.close();
    },
  };
}

function inodeOf(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}
