import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore, type RunHistoryInput, type SqliteStore } from "../../../src/persistence/index.ts";
import { fixedClock, inspect, tempDirs } from "./helpers.ts";

const dirs = tempDirs();
const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  dirs.cleanup();
});

async function newStore(now = fixedClock("2026-03-29T10:00:00Z").now) {
  const path = join(dirs.make(), "sortie.db");
  const store = await openStore(path, { now });
  open.push(store);
  return { store, path };
}

function run(overrides: Partial<RunHistoryInput> = {}): RunHistoryInput {
  return {
    issueId: "10001",
    identifier: "PROJ-1",
    attempt: 1,
    agentAdapter: "claude-code",
    workspace: "/ws/PROJ-1",
    startedAt: new Date("2026-03-29T10:00:00Z"),
    completedAt: new Date("2026-03-29T10:05:00Z"),
    status: "succeeded",
    ...overrides,
  };
}

describe("retry entries", () => {
  test("an upsert replaces every column and empty error or session text is stored as NULL", async () => {
    const { store, path } = await newStore();
    await store.saveRetryEntry({
      issueId: "1",
      identifier: "P-1",
      attempt: 1,
      dueAtMs: 1000,
      error: "worker exited: boom",
      sessionId: "sess-1",
    });
    await store.saveRetryEntry({
      issueId: "1",
      identifier: "P-1b",
      attempt: 2,
      dueAtMs: 2000,
      error: "",
      sessionId: "",
    });
    expect(await store.loadRetryEntries()).toEqual([
      { issueId: "1", identifier: "P-1b", attempt: 2, dueAtMs: 2000, error: null, sessionId: null },
    ]);
    const raw = inspect(path, (db) => db.query("SELECT error, session_id FROM retry_entries").get());
    expect(raw).toEqual({ error: null, session_id: null });
  });

  test("rows load ordered by due time, then issue id, with the remaining delay for recovery", async () => {
    const { store } = await newStore();
    for (const [issueId, dueAtMs] of [
      ["c", 5000],
      ["b", 1000],
      ["a", 5000],
      ["d", 9000],
    ] as const) {
      await store.saveRetryEntry({
        issueId,
        identifier: issueId.toUpperCase(),
        attempt: 1,
        dueAtMs,
        error: null,
        sessionId: null,
      });
    }
    expect((await store.loadRetryEntries()).map((r) => r.issueId)).toEqual(["b", "a", "c", "d"]);
    const pending = await store.loadRetryEntriesForRecovery(5000);
    expect(pending.map((r) => [r.issueId, r.remainingMs])).toEqual([
      ["b", 0],
      ["a", 0],
      ["c", 0],
      ["d", 4000],
    ]);
  });

  test("deleting removes only that issue and is a no-op when absent", async () => {
    const { store } = await newStore();
    await store.saveRetryEntry({
      issueId: "1",
      identifier: "P-1",
      attempt: 1,
      dueAtMs: 1,
      error: null,
      sessionId: null,
    });
    await store.saveRetryEntry({
      issueId: "2",
      identifier: "P-2",
      attempt: 1,
      dueAtMs: 2,
      error: null,
      sessionId: null,
    });
    await store.deleteRetryEntry("1");
    await store.deleteRetryEntry("missing");
    expect((await store.loadRetryEntries()).map((r) => r.issueId)).toEqual(["2"]);
  });
});

describe("run history", () => {
  test("every column round-trips, timestamps stored as RFC 3339 UTC seconds", async () => {
    const { store, path } = await newStore();
    const id = await store.appendRunHistory(
      run({
        displayIdentifier: "#1",
        attempt: 3,
        startedAt: new Date("2026-03-29T10:00:01.999Z"),
        completedAt: new Date("2026-03-29T12:34:56.001+02:00"),
        status: "failed",
        error: "agent: turn_timeout: turn 2 exceeded 60000 ms",
        workflowFile: "/etc/sortie/WORKFLOW.md",
        turnsCompleted: 4,
        reviewMetadata: '{"iterations":1}',
        inputTokens: 1200,
        outputTokens: 340,
        cacheReadTokens: 5000,
        cacheWriteTokens: 0,
      }),
    );
    expect(await store.queryRunHistoryByIssue("10001")).toEqual([
      {
        id,
        issueId: "10001",
        identifier: "PROJ-1",
        displayIdentifier: "#1",
        attempt: 3,
        agentAdapter: "claude-code",
        workspace: "/ws/PROJ-1",
        startedAt: "2026-03-29T10:00:01Z",
        completedAt: "2026-03-29T10:34:56Z",
        status: "failed",
        error: "agent: turn_timeout: turn 2 exceeded 60000 ms",
        workflowFile: "/etc/sortie/WORKFLOW.md",
        turnsCompleted: 4,
        reviewMetadata: '{"iterations":1}',
        inputTokens: 1200,
        outputTokens: 340,
        cacheReadTokens: 5000,
        cacheWriteTokens: 0,
      },
    ]);
    const raw = inspect(path, (db) => db.query("SELECT started_at, completed_at FROM run_history").get());
    expect(raw).toEqual({ started_at: "2026-03-29T10:00:01Z", completed_at: "2026-03-29T10:34:56Z" });
  });

  test("optional columns default to NULL, turns to 0, and an empty error to NULL", async () => {
    const { store } = await newStore();
    await store.appendRunHistory(run({ error: "", workspace: "" }));
    const [row] = await store.queryRecentRunHistory(1);
    expect(row).toMatchObject({
      displayIdentifier: null,
      error: null,
      workflowFile: null,
      turnsCompleted: 0,
      reviewMetadata: null,
      workspace: "",
      inputTokens: null,
      outputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
    });
  });

  test("ids increase, per-issue queries are newest first and counts are per issue", async () => {
    const { store } = await newStore();
    const a1 = await store.appendRunHistory(run({ issueId: "a" }));
    const b1 = await store.appendRunHistory(run({ issueId: "b" }));
    const a2 = await store.appendRunHistory(run({ issueId: "a", attempt: 2, status: "cancelled" }));
    expect(a1 < b1 && b1 < a2).toBe(true);
    expect((await store.queryRunHistoryByIssue("a")).map((r) => r.id)).toEqual([a2, a1]);
    expect(await store.countRunHistoryByIssue("a")).toBe(2);
    expect(await store.countRunHistoryByIssue("b")).toBe(1);
    expect(await store.countRunHistoryByIssue("none")).toBe(0);
  });

  test("recent history pages backwards with afterId and never returns fewer than one row per page", async () => {
    const { store } = await newStore();
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await store.appendRunHistory(run({ issueId: `i${i}` })));
    const newest = ids.slice().reverse();
    const page1 = await store.queryRecentRunHistory(3);
    expect(page1.map((r) => r.id)).toEqual(newest.slice(0, 3));
    const page2 = await store.queryRecentRunHistory(3, page1.at(-1)!.id);
    expect(page2.map((r) => r.id)).toEqual(newest.slice(3, 6));
    const page3 = await store.queryRecentRunHistory(3, page2.at(-1)!.id);
    expect(page3.map((r) => r.id)).toEqual(newest.slice(6));
    expect(await store.queryRecentRunHistory(3, ids[0]!)).toEqual([]);
    expect((await store.queryRecentRunHistory(0)).length).toBe(1);
    expect((await store.queryRecentRunHistory(3, 0)).map((r) => r.id)).toEqual(newest.slice(0, 3));
  });

  test("the budget query returns issues at or over max_sessions, whatever their statuses, across chunks of ids", async () => {
    const { store } = await newStore();
    const statuses = ["succeeded", "failed", "cancelled", "ci_failed", "timed_out"] as const;
    // Over 500 candidates so the query runs in several chunks; the exhausted ones sit in different chunks.
    const candidates = Array.from({ length: 1234 }, (_, i) => `issue-${i}`);
    for (const id of ["issue-3", "issue-777", "issue-1200"]) {
      for (const status of statuses.slice(0, 3)) await store.appendRunHistory(run({ issueId: id, status }));
    }
    for (const status of statuses.slice(3))
      await store.appendRunHistory(run({ issueId: "issue-900", status }));
    await store.appendRunHistory(run({ issueId: "not-a-candidate" }));
    await store.appendRunHistory(run({ issueId: "not-a-candidate" }));
    await store.appendRunHistory(run({ issueId: "not-a-candidate" }));

    expect([...(await store.queryBudgetExhaustedIssues(candidates, 3))].sort()).toEqual([
      "issue-1200",
      "issue-3",
      "issue-777",
    ]);
    expect([...(await store.queryBudgetExhaustedIssues(candidates, 2))].sort()).toEqual([
      "issue-1200",
      "issue-3",
      "issue-777",
      "issue-900",
    ]);
    expect((await store.queryBudgetExhaustedIssues([], 1)).size).toBe(0);
  });

  test("the token series buckets finished sessions and tokens by completion time, aligned to the bucket size", async () => {
    const clock = fixedClock("2026-03-29T12:05:00Z");
    const { store } = await newStore(clock.now);
    const at = (iso: string) => new Date(iso);
    await store.appendRunHistory(run({ completedAt: at("2026-03-29T10:59:59Z"), inputTokens: 999 })); // before the window
    await store.appendRunHistory(
      run({ completedAt: at("2026-03-29T11:00:00Z"), inputTokens: 100, outputTokens: 20 }),
    );
    await store.appendRunHistory(
      run({
        completedAt: at("2026-03-29T11:09:59Z"),
        status: "failed",
        inputTokens: 5,
        cacheReadTokens: 1000,
      }),
    );
    await store.appendRunHistory(run({ completedAt: at("2026-03-29T11:30:00Z"), status: "timed_out" }));
    await store.appendRunHistory(run({ completedAt: at("2026-03-29T12:04:59Z"), outputTokens: 7 }));

    const buckets = await store.tokenUsageSeries(at("2026-03-29T11:03:00Z"), 10 * 60_000);
    expect(buckets.map((b) => new Date(b.startMs).toISOString())).toEqual([
      "2026-03-29T11:00:00.000Z",
      "2026-03-29T11:10:00.000Z",
      "2026-03-29T11:20:00.000Z",
      "2026-03-29T11:30:00.000Z",
      "2026-03-29T11:40:00.000Z",
      "2026-03-29T11:50:00.000Z",
      "2026-03-29T12:00:00.000Z",
    ]);
    expect(buckets[0]).toEqual({
      startMs: Date.parse("2026-03-29T11:00:00Z"),
      sessions: 2,
      sessionsByStatus: { succeeded: 1, failed: 1 },
      tokens: 125,
      sessionsWithUnknownTokens: 0,
    });
    expect(buckets[3]).toMatchObject({
      sessions: 1,
      sessionsByStatus: { timed_out: 1 },
      tokens: 0,
      sessionsWithUnknownTokens: 1,
    });
    expect(buckets[6]).toMatchObject({ sessions: 1, tokens: 7 });
    expect(buckets.reduce((n, b) => n + b.sessions, 0)).toBe(4);

    const explicit = await store.tokenUsageSeries(
      at("2026-03-29T11:00:00Z"),
      3_600_000,
      at("2026-03-29T11:59:59Z"),
    );
    expect(explicit).toHaveLength(1);
    expect(explicit[0]).toMatchObject({ sessions: 3, tokens: 125 });
    await expect(store.tokenUsageSeries(at("2026-03-29T11:00:00Z"), 0)).rejects.toThrow(RangeError);
  });
});
