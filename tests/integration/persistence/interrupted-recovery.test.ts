// A process records active runs and is SIGKILLed; the next open recovers them into timed_out
// history rows and resuming retries, keeping a retry that already had a higher attempt.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { INTERRUPTED_RUN_ERROR, openStore } from "../../../src/persistence/index.ts";
import { tempDirs, waitFor } from "../../unit/persistence/helpers.ts";

const WRITER = join(import.meta.dir, "crash-writer.ts");
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe("interrupted-run recovery after a crash", () => {
  test("leftover active runs become timed_out history rows and retries due now that resume their sessions", async () => {
    const path = join(dirs.make(), "sortie.db");
    const before = await openStore(path);
    // issue-3 already has a retry with a higher attempt than the run the crash interrupted.
    const kept = {
      issueId: "issue-3",
      identifier: "PROJ-3",
      attempt: 7,
      dueAtMs: 42,
      error: "earlier",
      sessionId: null,
    };
    await before.saveRetryEntry(kept);
    await before.close();

    const child = Bun.spawn([process.execPath, WRITER, "active", path, "3"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    let out = "";
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        out += new TextDecoder().decode(value);
      }
    })();
    await waitFor(() => (out.includes("ready") ? true : undefined), 10_000, "active runs written");
    child.kill("SIGKILL");
    await child.exited;
    await reading;
    expect(existsSync(`${path}-wal`)).toBe(true);

    const now = new Date("2026-03-29T10:00:00Z");
    const store = await openStore(path, { now: () => now });
    try {
      expect(await store.loadActiveRuns()).toHaveLength(3);
      const recovered = await store.recoverInterruptedRuns(now);
      expect(
        recovered.map((r) => ({
          id: r.issueId,
          identifier: r.identifier,
          session: r.sessionId,
          pgid: r.pgid,
          attempt: r.attempt,
          agent: r.agentAdapter,
          retry: r.retryScheduled,
        })),
      ).toEqual([
        {
          id: "issue-1",
          identifier: "PROJ-1",
          session: "session-1",
          pgid: 100001,
          attempt: 1,
          agent: "claude-code",
          retry: true,
        },
        {
          id: "issue-2",
          identifier: "PROJ-2",
          session: null,
          pgid: 100002,
          attempt: 2,
          agent: "claude-code",
          retry: true,
        },
        {
          id: "issue-3",
          identifier: "PROJ-3",
          session: "session-3",
          pgid: 100003,
          attempt: 3,
          agent: "claude-code",
          retry: false,
        },
      ]);

      for (const r of recovered) {
        const [row] = await store.queryRunHistoryByIssue(r.issueId);
        expect(row).toMatchObject({
          id: r.runHistoryId,
          status: "timed_out",
          error: INTERRUPTED_RUN_ERROR,
          attempt: r.attempt,
          startedAt: r.startedAt,
          completedAt: "2026-03-29T10:00:00Z",
          workspace: `/ws/${r.identifier}`,
          agentAdapter: "claude-code",
          displayIdentifier: `#${r.attempt}`,
          workflowFile: "/cfg/WORKFLOW.md",
        });
      }
      expect(await store.loadRetryEntries()).toEqual([
        {
          issueId: "issue-3",
          identifier: "PROJ-3",
          attempt: 7,
          dueAtMs: 42,
          error: "earlier",
          sessionId: null,
        },
        {
          issueId: "issue-1",
          identifier: "PROJ-1",
          attempt: 1,
          dueAtMs: now.getTime(),
          error: INTERRUPTED_RUN_ERROR,
          sessionId: "session-1",
        },
        {
          issueId: "issue-2",
          identifier: "PROJ-2",
          attempt: 2,
          dueAtMs: now.getTime(),
          error: INTERRUPTED_RUN_ERROR,
          sessionId: null,
        },
      ]);
      expect(await store.loadActiveRuns()).toEqual([]);
      expect(await store.warmStartStats(now)).toEqual({
        retriesRestored: 3,
        retriesOverdue: 3,
        runHistoryEntries: 3,
        agentTotalsRestored: false,
        hasPersistedRows: true,
      });
    } finally {
      await store.close();
    }

    // A second start finds nothing left to recover.
    const again = await openStore(path);
    expect(await again.recoverInterruptedRuns(new Date())).toEqual([]);
    expect(await again.countRunHistoryByIssue("issue-1")).toBe(1);
    await again.close();
  }, 20_000);
});
