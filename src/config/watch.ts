// Watches the directory that holds WORKFLOW.md. Every event counts, whatever its file name: a
// Kubernetes ConfigMap update swaps the `..data` symlink, so the workflow's own name never shows up
// in an event. Events are debounced; the caller then re-reads the file and compares its hash.
import { type FSWatcher, watch } from "node:fs";
import { dirname } from "node:path";

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

  const fire = () => {
    debounce = undefined;
    if (!closed) onChange();
  };
  const bump = () => {
    if (closed) return;
    if (debounce !== undefined) timers.clear(debounce);
    debounce = timers.set(fire, debounceMs);
  };
  const scheduleRestart = () => {
    if (closed || retry !== undefined) return;
    const current = watcher;
    watcher = undefined;
    current?.removeAllListeners();
    current?.close();
    retry = timers.set(() => {
      retry = undefined;
      start();
      // Anything may have changed while no watch was active.
      bump();
    }, retryMs);
  };
  const start = () => {
    if (closed) return;
    try {
      const created = watch(directory, { persistent: false }, bump);
      created.on("error", (error) => {
        options.onError?.(error);
        scheduleRestart();
      });
      created.on("close", () => {
        if (watcher === created) scheduleRestart();
      });
      watcher = created;
    } catch (error) {
      options.onError?.(error);
      scheduleRestart();
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
