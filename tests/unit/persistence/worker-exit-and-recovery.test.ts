import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  type AggregateTotals,
  INTERRUPTED_RUN_ERROR,
  openStore,
  type RetryEntryRow,
  type SqliteStore,
  type WorkerExitRecord,
} from "../../../src/persistence/index.ts";
import { fixedClock, tempDirs } from "./helpers.ts";

const dirs = tempDirs();
const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  dirs.cleanup();
});

async function newStore(clock = fixedClock("2026-03-29T10:10:00Z")) {
  const path = join(dirs.make(), "sortie.db");
  const store = await openStore(path, { now: clock.now });
  open.push(store);
  return { store, path, clock };
}

const totals: AggregateTotals = {
  inputTokens: 1000,
  outputTokens: 200,
  totalTokens: 1200,
  cacheReadTokens: 50,
  secondsRunning: 600.5,
};

function exitRecord(overrides: Partial<WorkerExitRecord> = {}): WorkerExitRecord {
  return {
    run: {
      issueId: "1",
      identifier: "P-1",
      attempt: 2,
      agentAdapter: "claude-code",
      workspace: "/ws/P-1",
      startedAt: new Date("2026-03-29T10:00:00Z"),
      completedAt: new Date("2026-03-29T10:10:00Z"),
      status: "timed_out",
      error: "interrupted by shutdown",
      inputTokens: 300,
      outputTokens: 40,
    },
    totals,
    ...overrides,
  };
}

async function dispatch(store: SqliteStore, issueId = "1", attempt = 2): Promise<void> {
  await store.insertActiveRun({
    issueId,
    identifier: `P-${issueId}`,
    displayIdentifier: null,
    attempt,
    sessionId: "sess-1",
    agentAdapter: "claude-code",
    workspace: `/ws/P-${issueId}`,
    workflowFile: null,
    pgid: 999,
    startedAt: new Date("2026-03-29T10:00:00Z"),
  });
}

describe("recordWorkerExit", () => {
  test("writes history, totals, session metadata and the retry row, and removes the active run", async () => {
    const { store } = await newStore();
    await dispatch(store);
    const retry: RetryEntryRow = {
      issueId: "1",
      identifier: "P-1",
      attempt: 2,
      dueAtMs: Date.parse("2026-03-29T10:10:00Z"),
      error: "interrupted by shutdown",
      sessionId: "sess-1",
    };
    const id = await store.recordWorkerExit(
      exitRecord({
        session: {
          issueId: "1",
          sessionId: "sess-1",
          agentPid: "999",
          inputTokens: 300,
          outputTokens: 40,
          totalTokens: 340,
          cacheReadTokens: 0,
          modelName: "m",
          apiRequestCount: 3,
        },
        retry: { kind: "save", entry: retry },
      }),
    );
    expect(await store.queryRunHistoryByIssue("1")).toMatchObject([
      {
        id,
        status: "timed_out",
        error: "interrupted by shutdown",
        attempt: 2,
        inputTokens: 300,
        outputTokens: 40,
      },
    ]);
    expect(await store.loadAggregateMetrics("agent_totals")).toMatchObject({
      ...totals,
      updatedAt: "2026-03-29T10:10:00Z",
    });
    expect(await store.loadSessionMetadata("1")).toMatchObject({ sessionId: "sess-1", apiRequestCount: 3 });
    expect(await store.loadRetryEntries()).toEqual([retry]);
    expect(await store.loadActiveRuns()).toEqual([]);
  });

  test("a delete retry change removes the issue's retry row; no change leaves it alone", async () => {
    const { store } = await newStore();
    const retry = { issueId: "1", identifier: "P-1", attempt: 1, dueAtMs: 5, error: null, sessionId: null };
    await store.saveRetryEntry(retry);
    await store.recordWorkerExit(exitRecord());
    expect(await store.loadRetryEntries()).toEqual([retry]);
    expect(await store.loadSessionMetadata("1")).toBeUndefined();
    await store.recordWorkerExit(exitRecord({ retry: { kind: "delete" } }));
    expect(await store.loadRetryEntries()).toEqual([]);
    expect(await store.countRunHistoryByIssue("1")).toBe(2);
  });

  test("a write failing inside the transaction leaves none of the exit's rows behind", async () => {
    const { store } = await newStore();
    await dispatch(store);
    // identifier is NOT NULL: the retry upsert, after the history and totals writes, fails.
    const broken = { issueId: "1", identifier: null, attempt: 3, dueAtMs: 1, error: null, sessionId: null };
    const err = await store
      .recordWorkerExit(exitRecord({ retry: { kind: "save", entry: broken as unknown as RetryEntryRow } }))
      .catch((e: unknown) => e);
    expect(String(err)).toContain("NOT NULL");
    expect(await store.countRunHistoryByIssue("1")).toBe(0);
    expect(await store.loadAggregateMetrics("agent_totals")).toBeUndefined();
    expect(await store.loadActiveRuns()).toHaveLength(1);
    // The store stays usable.
    await store.recordWorkerExit(exitRecord());
    expect(await store.countRunHistoryByIssue("1")).toBe(1);
  });

  test("concurrent calls are serialised on the one connection and all commit", async () => {
    const { store } = await newStore();
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.recordWorkerExit(exitRecord({ run: { ...exitRecord().run, issueId: `i${i}` } })),
      ),
    );
    expect(new Set(ids).size).toBe(20);
    expect((await store.queryRecentRunHistory(100)).length).toBe(20);
  });
});

describe("recoverInterruptedRuns", () => {
  test("turns each active run into a timed_out history row and a resuming retry due now", async () => {
    const { store } = await newStore();
    await store.insertActiveRun({
      issueId: "1",
      identifier: "P-1",
      displayIdentifier: "#1",
      attempt: 3,
      sessionId: "sess-abc",
      agentAdapter: "codex",
      workspace: "/ws/P-1",
      workflowFile: "/cfg/WORKFLOW.md",
      pgid: 1234,
      startedAt: new Date("2026-03-29T09:00:00Z"),
    });
    const now = new Date("2026-03-29T10:00:00.250Z");
    const recovered = await store.recoverInterruptedRuns(now);
    expect(recovered).toEqual([
      {
        issueId: "1",
        identifier: "P-1",
        displayIdentifier: "#1",
        sessionId: "sess-abc",
        pgid: 1234,
        attempt: 3,
        agentAdapter: "codex",
        workspace: "/ws/P-1",
        workflowFile: "/cfg/WORKFLOW.md",
        startedAt: "2026-03-29T09:00:00Z",
        runHistoryId: expect.any(Number),
        retryScheduled: true,
      },
    ]);
    expect(await store.queryRunHistoryByIssue("1")).toEqual([
      {
        id: recovered[0]!.runHistoryId,
        issueId: "1",
        identifier: "P-1",
        displayIdentifier: "#1",
        attempt: 3,
        agentAdapter: "codex",
        workspace: "/ws/P-1",
        startedAt: "2026-03-29T09:00:00Z",
        completedAt: "2026-03-29T10:00:00Z",
        status: "timed_out",
        error: INTERRUPTED_RUN_ERROR,
        workflowFile: "/cfg/WORKFLOW.md",
        turnsCompleted: 0,
        reviewMetadata: null,
        inputTokens: null,
        outputTokens: null,
        cacheReadTokens: null,
        cacheWriteTokens: null,
      },
    ]);
    expect(await store.loadRetryEntries()).toEqual([
      {
        issueId: "1",
        identifier: "P-1",
        attempt: 3,
        dueAtMs: now.getTime(),
        error: "interrupted: orchestrator exited during session",
        sessionId: "sess-abc",
      },
    ]);
    expect(await store.loadActiveRuns()).toEqual([]);
    expect(await store.recoverInterruptedRuns(now)).toEqual([]);
  });

  test("keeps an existing retry with an equal or higher attempt and replaces a lower one", async () => {
    const { store } = await newStore();
    const keepHigher = {
      issueId: "a",
      identifier: "P-a",
      attempt: 5,
      dueAtMs: 1,
      error: "x",
      sessionId: null,
    };
    const keepEqual = { issueId: "b", identifier: "P-b", attempt: 2, dueAtMs: 2, error: "y", sessionId: "s" };
    const replaceLower = {
      issueId: "c",
      identifier: "P-c",
      attempt: 1,
      dueAtMs: 3,
      error: "z",
      sessionId: null,
    };
    for (const r of [keepHigher, keepEqual, replaceLower]) {
      await store.saveRetryEntry(r);
      await dispatch(store, r.issueId, 2);
    }
    const recovered = await store.recoverInterruptedRuns(new Date("2026-03-29T10:00:00Z"));
    expect(recovered.map((r) => [r.issueId, r.retryScheduled])).toEqual([
      ["a", false],
      ["b", false],
      ["c", true],
    ]);
    const byId = new Map((await store.loadRetryEntries()).map((r) => [r.issueId, r]));
    expect(byId.get("a")).toEqual(keepHigher);
    expect(byId.get("b")).toEqual(keepEqual);
    expect(byId.get("c")).toMatchObject({ attempt: 2, error: INTERRUPTED_RUN_ERROR, sessionId: "sess-1" });
    expect(await store.countRunHistoryByIssue("a")).toBe(1);
    expect(await store.loadActiveRuns()).toEqual([]);
  });
});

describe("warmStartStats", () => {
  test("an empty database is a cold start", async () => {
    const { store } = await newStore();
    expect(await store.warmStartStats()).toEqual({
      retriesRestored: 0,
      retriesOverdue: 0,
      runHistoryEntries: 0,
      agentTotalsRestored: false,
      hasPersistedRows: false,
    });
  });

  test("counts retries, overdue ones at the given time, history rows and the totals row", async () => {
    const { store } = await newStore();
    const now = Date.parse("2026-03-29T10:00:00Z");
    for (const [issueId, dueAtMs] of [
      ["a", now - 1],
      ["b", now],
      ["c", now + 1],
    ] as const) {
      await store.saveRetryEntry({
        issueId,
        identifier: issueId,
        attempt: 1,
        dueAtMs,
        error: null,
        sessionId: null,
      });
    }
    await store.recordWorkerExit(exitRecord());
    expect(await store.warmStartStats(new Date(now))).toEqual({
      retriesRestored: 3,
      retriesOverdue: 2,
      runHistoryEntries: 1,
      agentTotalsRestored: true,
      hasPersistedRows: true,
    });
  });

  test("any persisted row, such as a lone reaction fingerprint, makes it a warm start", async () => {
    const { store } = await newStore();
    await store.upsertReactionFingerprint("1", "ci", "sha");
    expect(await store.warmStartStats()).toMatchObject({ hasPersistedRows: true, retriesRestored: 0 });
  });
});
