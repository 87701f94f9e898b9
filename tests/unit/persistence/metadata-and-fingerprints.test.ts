import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type ActiveRunInput, openStore, type SqliteStore } from "../../../src/persistence/index.ts";
import { fixedClock, inspect, tempDirs } from "./helpers.ts";

const dirs = tempDirs();
const open: SqliteStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  dirs.cleanup();
});

async function newStore(clock = fixedClock("2026-03-29T10:00:00Z")) {
  const path = join(dirs.make(), "sortie.db");
  const store = await openStore(path, { now: clock.now });
  open.push(store);
  return { store, path, clock };
}

describe("session metadata", () => {
  test("upsert replaces every column, stamps updated_at from the clock and round-trips", async () => {
    const { store, clock } = await newStore();
    await store.upsertSessionMetadata({
      issueId: "1",
      sessionId: "s-old",
      agentPid: "42",
      inputTokens: 1,
      outputTokens: 1,
      totalTokens: 2,
      cacheReadTokens: 0,
      modelName: "m-old",
      apiRequestCount: 1,
    });
    clock.set("2026-03-29T10:00:07.600Z");
    await store.upsertSessionMetadata({
      issueId: "1",
      sessionId: "s-new",
      agentPid: null,
      inputTokens: 1500,
      outputTokens: 300,
      totalTokens: 1800,
      cacheReadTokens: 9000,
      modelName: "claude-sonnet",
      apiRequestCount: 12,
    });
    expect(await store.loadSessionMetadata("1")).toEqual({
      issueId: "1",
      sessionId: "s-new",
      agentPid: null,
      inputTokens: 1500,
      outputTokens: 300,
      totalTokens: 1800,
      cacheReadTokens: 9000,
      modelName: "claude-sonnet",
      apiRequestCount: 12,
      updatedAt: "2026-03-29T10:00:07Z",
    });
    expect(await store.loadSessionMetadata("missing")).toBeUndefined();
  });

  test("loadAll orders by updated_at descending then issue id, and delete removes one", async () => {
    const { store, clock } = await newStore();
    const meta = (issueId: string) => ({
      issueId,
      sessionId: `s-${issueId}`,
      agentPid: null,
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      cacheReadTokens: 0,
      modelName: "",
      apiRequestCount: 0,
    });
    clock.set("2026-03-29T10:00:00Z");
    await store.upsertSessionMetadata(meta("b"));
    await store.upsertSessionMetadata(meta("a"));
    clock.set("2026-03-29T11:00:00Z");
    await store.upsertSessionMetadata(meta("c"));
    expect((await store.loadAllSessionMetadata()).map((m) => m.issueId)).toEqual(["c", "a", "b"]);
    await store.deleteSessionMetadata("a");
    await store.deleteSessionMetadata("missing");
    expect((await store.loadAllSessionMetadata()).map((m) => m.issueId)).toEqual(["c", "b"]);
  });
});

describe("aggregate metrics", () => {
  test("stores the absolute totals given, per key, and reports a missing key as undefined", async () => {
    const { store, clock } = await newStore();
    expect(await store.loadAggregateMetrics("agent_totals")).toBeUndefined();
    await store.upsertAggregateMetrics("agent_totals", {
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      cacheReadTokens: 3,
      secondsRunning: 1.25,
    });
    clock.set("2026-03-29T10:01:00Z");
    await store.upsertAggregateMetrics("agent_totals", {
      inputTokens: 100,
      outputTokens: 50,
      totalTokens: 150,
      cacheReadTokens: 30,
      secondsRunning: 12.5,
    });
    expect(await store.loadAggregateMetrics("agent_totals")).toEqual({
      key: "agent_totals",
      inputTokens: 100,
      outputTokens: 50,
      totalTokens: 150,
      cacheReadTokens: 30,
      secondsRunning: 12.5,
      updatedAt: "2026-03-29T10:01:00Z",
    });
  });
});

describe("active runs", () => {
  const base: ActiveRunInput = {
    issueId: "1",
    identifier: "P-1",
    displayIdentifier: "#1",
    attempt: 2,
    sessionId: null,
    agentAdapter: "claude-code",
    workspace: "",
    workflowFile: "/cfg/WORKFLOW.md",
    pgid: null,
    startedAt: new Date("2026-03-29T10:00:00.500Z"),
  };

  test("insert, partial updates, load and delete round-trip every column", async () => {
    const { store } = await newStore();
    await store.insertActiveRun(base);
    await store.updateActiveRun("1", { workspace: "/ws/P-1" });
    await store.updateActiveRun("1", { sessionId: "sess-9" });
    await store.updateActiveRun("1", { pgid: 4242 });
    await store.updateActiveRun("1", {});
    await store.updateActiveRun("missing", { pgid: 1 });
    expect(await store.loadActiveRuns()).toEqual([
      { ...base, workspace: "/ws/P-1", sessionId: "sess-9", pgid: 4242, startedAt: "2026-03-29T10:00:00Z" },
    ]);
    await store.updateActiveRun("1", { pgid: null, sessionId: null });
    expect(await store.loadActiveRuns()).toMatchObject([
      { pgid: null, sessionId: null, workspace: "/ws/P-1" },
    ]);
    await store.deleteActiveRun("1");
    await store.deleteActiveRun("1");
    expect(await store.loadActiveRuns()).toEqual([]);
  });

  test("inserting again for the same issue replaces the row", async () => {
    const { store } = await newStore();
    await store.insertActiveRun(base);
    await store.insertActiveRun({ ...base, attempt: 3, sessionId: "resume-me", pgid: 77 });
    expect(await store.loadActiveRuns()).toMatchObject([
      { issueId: "1", attempt: 3, sessionId: "resume-me", pgid: 77 },
    ]);
  });
});

describe("reaction fingerprints", () => {
  test("a new fingerprint is undispatched; an unchanged value keeps the flag, a changed one resets it", async () => {
    const { store, path, clock } = await newStore();
    expect(await store.getReactionFingerprint("1", "ci")).toEqual({ fingerprint: "", dispatched: false });

    await store.upsertReactionFingerprint("1", "ci", "abc123");
    expect(await store.getReactionFingerprint("1", "ci")).toEqual({
      fingerprint: "abc123",
      dispatched: false,
    });

    await store.markReactionDispatched("1", "ci");
    clock.set("2026-03-29T10:30:00Z");
    await store.upsertReactionFingerprint("1", "ci", "abc123");
    expect(await store.getReactionFingerprint("1", "ci")).toEqual({
      fingerprint: "abc123",
      dispatched: true,
    });
    const stamped = inspect(path, (db) => db.query("SELECT updated_at FROM reaction_fingerprints").get());
    expect(stamped).toEqual({ updated_at: "2026-03-29T10:30:00Z" });

    await store.upsertReactionFingerprint("1", "ci", "def456");
    expect(await store.getReactionFingerprint("1", "ci")).toEqual({
      fingerprint: "def456",
      dispatched: false,
    });
  });

  test("marking without a row does nothing, and deletes work per kind and per issue", async () => {
    const { store } = await newStore();
    await store.markReactionDispatched("1", "review");
    expect(await store.getReactionFingerprint("1", "review")).toEqual({ fingerprint: "", dispatched: false });

    await store.upsertReactionFingerprint("1", "ci", "ref");
    await store.upsertReactionFingerprint("1", "review", "sha");
    await store.upsertReactionFingerprint("2", "ci", "other");
    await store.deleteReactionFingerprint("1", "ci");
    expect(await store.getReactionFingerprint("1", "ci")).toEqual({ fingerprint: "", dispatched: false });
    expect(await store.getReactionFingerprint("1", "review")).toEqual({
      fingerprint: "sha",
      dispatched: false,
    });
    await store.deleteReactionFingerprintsByIssue("1");
    expect(await store.getReactionFingerprint("1", "review")).toEqual({ fingerprint: "", dispatched: false });
    expect(await store.getReactionFingerprint("2", "ci")).toEqual({
      fingerprint: "other",
      dispatched: false,
    });
  });
});
