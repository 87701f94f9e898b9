// What end-to-end tests start, ended whatever the outcome: sortie processes still running are
// stopped (SIGKILL past the deadline), then fake servers, then the workflow directories go.
import { afterEach } from "bun:test";
import { type SortieProcess, startSortie } from "./sortie-process.ts";
import { makeWorkflowDir, type WorkflowDir } from "./workflow.ts";

export interface SortieRuns {
  /** A fresh workflow directory. */
  dir(prefix?: string): WorkflowDir;
  /** `startSortie`, the process kept for cleanup. */
  start(...args: Parameters<typeof startSortie>): SortieProcess;
  /** A fake server, kept for cleanup. */
  fake<F extends { stop(): Promise<void> }>(fake: F): F;
  /** Ends everything kept so far. */
  cleanup(): Promise<void>;
}

export function sortieRuns(stopTimeoutMs = 10_000): SortieRuns {
  let dirs: WorkflowDir[] = [];
  let procs: SortieProcess[] = [];
  let fakes: { stop(): Promise<void> }[] = [];
  return {
    dir(prefix) {
      const w = makeWorkflowDir(prefix);
      dirs.push(w);
      return w;
    },
    start(...args) {
      const p = startSortie(...args);
      procs.push(p);
      return p;
    },
    fake(fake) {
      fakes.push(fake);
      return fake;
    },
    async cleanup() {
      for (const p of procs) if (p.proc.exitCode === null) await p.stop(stopTimeoutMs);
      for (const f of fakes) await f.stop();
      for (const d of dirs) d.cleanup();
      dirs = [];
      procs = [];
      fakes = [];
    },
  };
}

/** Call at the top of a test file: what each test starts is ended after it. */
export function useSortieRuns(stopTimeoutMs = 10_000): SortieRuns {
  const runs = sortieRuns(stopTimeoutMs);
  afterEach(() => runs.cleanup());
  return runs;
}
