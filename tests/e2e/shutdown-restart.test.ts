// The deployment guide's promises around restarts: SIGTERM drains within the grace period and
// persists interrupted runs as resuming retries; a SIGKILLed process leaves active-run rows that the
// next start turns into timed-out history rows and retries; either way the warm start says so and
// nothing is dispatched twice.

import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { groupAlive } from "../../src/platform/process-group.ts";
import { query } from "../helpers/sortie-db.ts";
import type { SortieProcess } from "../helpers/sortie-process.ts";
import { useSortieRuns } from "../helpers/sortie-runs.ts";
import { waitFor } from "../helpers/wait.ts";
import { fileMockFrontMatter, type WorkflowDir } from "../helpers/workflow.ts";

setDefaultTimeout(60_000);

const runs = useSortieRuns();

function setup(frontMatterOpts: Parameters<typeof fileMockFrontMatter>[1]): WorkflowDir {
  const w = runs.dir();
  w.writeIssues([{ id: "7", identifier: "LONG-7", title: "A long job", state: "To Do" }]);
  w.writeWorkflow(fileMockFrontMatter(w, frontMatterOpts));
  return w;
}

function run(w: WorkflowDir): SortieProcess {
  const p = runs.start(["--port", "0", w.workflow], { cwd: w.dir });
  return p;
}

describe("graceful shutdown", () => {
  test("SIGTERM during a turn exits 0, records a timed_out run and a retry that resumes the session", async () => {
    const w = setup({ mock: "  turn_delay_ms: 60000\n  session_id: sess-long-7" });
    const first = run(w);
    await first.waitForLog("turn started");
    const started = Date.now();
    expect(await first.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(first.logs("draining workers")[0]).toMatchObject({ count: 1 });
    expect(first.records.at(-1)?.msg).toBe("shutting down");

    const runs = query<{ status: string; error: string; attempt: number }>(
      w.dbPath,
      "SELECT status, error, attempt FROM run_history",
    );
    expect(runs).toEqual([{ status: "timed_out", error: "interrupted by shutdown", attempt: 1 }]);
    const retries = query<{ attempt: number; session_id: string; error: string }>(
      w.dbPath,
      "SELECT attempt, session_id, error FROM retry_entries",
    );
    expect(retries).toEqual([{ attempt: 1, session_id: "sess-long-7", error: "interrupted by shutdown" }]);
    expect(query(w.dbPath, "SELECT * FROM active_runs")).toEqual([]);

    // The next start restores the retry before its first tick and dispatches it once.
    w.writeWorkflow(fileMockFrontMatter(w, { mock: "  session_id: sess-long-7" }));
    const second = run(w);
    const warm = await second.waitForLog("warm start: restored persisted state");
    expect(warm).toMatchObject({ retries_restored: 1, retries_overdue: 1, interrupted_sessions: 0 });
    await second.waitForLog("retried issue dispatched", (r) => r.attempt === 1);
    await waitFor(() => w.issue("7")?.state === "Human Review");
    expect(second.logs("agent session started").map((r) => r.session_id)).toEqual(["sess-long-7"]);
    const dispatches = second.records.filter((r) => r.msg === "workspace prepared");
    expect(dispatches).toHaveLength(1);
  });

  test("a second signal during the drain kills the agents and exits 1 at once", async () => {
    const w = setup({
      agent: "  kind: claude-code\n  command: sh\n",
      mock: "",
    });
    // A stubborn "agent": a shell that ignores SIGTERM and keeps a child alive.
    w.writeWorkflow(
      fileMockFrontMatter(w, {}).replace(
        "  kind: mock",
        `  kind: claude-code\n  command: ${w.dir}/stubborn.sh`,
      ),
    );
    await Bun.write(`${w.dir}/stubborn.sh`, "#!/bin/sh\ntrap '' TERM\nsleep 600 &\nwait\n");
    await Bun.$`chmod +x ${w.dir}/stubborn.sh`;
    const p = run(w);
    await p.waitForLog("turn started");
    const pgid = await waitFor(() => {
      const rows = query<{ pgid: number | null }>(w.dbPath, "SELECT pgid FROM active_runs");
      return rows[0]?.pgid ?? undefined;
    });
    p.signal("SIGTERM");
    await p.waitForLog("draining workers");
    p.signal("SIGTERM");
    expect(await p.exited).toBe(1);
    await waitFor(() => !groupAlive(pgid), { what: "agent process group gone" });
  });
});

describe("crash recovery", () => {
  test("after SIGKILL the next start kills the orphaned agent, records timed_out and retries exactly once", async () => {
    const w = setup({ mock: "" });
    w.writeWorkflow(
      fileMockFrontMatter(w, {}).replace(
        "  kind: mock",
        `  kind: claude-code\n  command: ${w.dir}/slow-agent.sh`,
      ),
    );
    await Bun.write(`${w.dir}/slow-agent.sh`, "#!/bin/sh\nsleep 600\n");
    await Bun.$`chmod +x ${w.dir}/slow-agent.sh`;
    const first = run(w);
    await first.waitForLog("turn started");
    const pgid = await waitFor(
      () => query<{ pgid: number | null }>(w.dbPath, "SELECT pgid FROM active_runs")[0]?.pgid ?? undefined,
    );
    first.signal("SIGKILL");
    expect(await first.exited).not.toBe(0);
    expect(groupAlive(pgid)).toBe(true);

    // Restart with the mock agent so the retried run completes.
    w.writeWorkflow(fileMockFrontMatter(w, {}));
    const second = run(w);
    const recovered = await second.waitForLog("interrupted session recovered, scheduling retry");
    expect(recovered).toMatchObject({ issue_id: "7", next_attempt: 1 });
    const warm = await second.waitForLog("warm start: restored persisted state");
    expect(warm).toMatchObject({ interrupted_sessions: 1, retries_restored: 1 });
    await waitFor(() => w.issue("7")?.state === "Human Review");
    // The hand-off is written to the tracker before the exit's database transaction commits.
    await waitFor(() => query(w.dbPath, "SELECT id FROM run_history").length === 2, {
      what: "second run recorded",
    });
    const runs = query<{ status: string; error: string | null }>(
      w.dbPath,
      "SELECT status, error FROM run_history ORDER BY id",
    );
    expect(runs).toEqual([
      { status: "timed_out", error: "interrupted: orchestrator exited during session" },
      { status: "succeeded", error: null },
    ]);
    expect(second.logs("workspace prepared")).toHaveLength(1);
  });
});
