// Reconciliation while agents run: an issue that turns terminal is stopped and its workspace
// removed; one that leaves the active states is stopped and kept; a silent agent is stalled out
// and retried.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SortieProcess } from "../helpers/sortie-process.ts";
import { useSortieRuns } from "../helpers/sortie-runs.ts";
import { waitFor } from "../helpers/wait.ts";
import { fileMockFrontMatter, type WorkflowDir } from "../helpers/workflow.ts";

setDefaultTimeout(60_000);

const runs = useSortieRuns();

function setup(opts: Parameters<typeof fileMockFrontMatter>[1]): { w: WorkflowDir; p: SortieProcess } {
  const w = runs.dir();
  w.writeIssues([
    { id: "1", identifier: "R-1", title: "Will be done", state: "To Do" },
    { id: "2", identifier: "R-2", title: "Will be parked", state: "To Do" },
  ]);
  w.writeWorkflow(fileMockFrontMatter(w, opts));
  const p = runs.start(["--port", "0", w.workflow], { cwd: w.dir });
  return { w, p };
}

function setState(w: WorkflowDir, id: string, state: string): void {
  w.writeIssues(w.readIssues().map((i) => (i.id === id ? { ...i, state } : i)));
}

describe("reconciliation", () => {
  test("a terminal issue's worker is stopped and its workspace removed; a non-active one is stopped and kept", async () => {
    const { w, p } = setup({
      mock: "  turn_delay_ms: 60000",
      extra: "hooks:\n  before_remove: 'touch ../removed-$SORTIE_ISSUE_IDENTIFIER'",
    });
    await waitFor(() => p.logs("turn started").length === 2, { what: "both agents running" });
    setState(w, "1", "Done");
    setState(w, "2", "Backlog");
    const stopped = await p.waitForLog("stopping worker for terminal issue");
    expect(stopped).toMatchObject({ issue_identifier: "R-1", state: "Done" });
    await p.waitForLog("stopping worker for non-active issue", (r) => r.issue_identifier === "R-2");
    await waitFor(() => !existsSync(join(w.workspaces, "R-1")), { what: "R-1 workspace removed" });
    expect(existsSync(join(w.workspaces, "removed-R-1"))).toBe(true);
    expect(existsSync(join(w.workspaces, "R-2"))).toBe(true);
    await p.waitForLog("tick completed", (r) => r.running === 0 && r.retrying === 0);
  });

  test("an agent silent for longer than stall_timeout_ms is cancelled and retried", async () => {
    const { p } = setup({ mock: "  turn_delay_ms: 60000", agent: "  stall_timeout_ms: 400", pollMs: 150 });
    const stall = await p.waitForLog("stall detected, cancelling worker");
    expect(Number(stall.elapsed_ms)).toBeGreaterThan(400);
    expect(stall.stall_timeout_ms).toBe(400);
    await p.waitForLog("retried issue dispatched", (r) => r.issue_identifier === stall.issue_identifier);
  });
});
