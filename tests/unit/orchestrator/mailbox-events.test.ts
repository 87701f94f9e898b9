import { describe, expect, test } from "bun:test";
import type { AgentEvent } from "../../../src/domain/agent.ts";
import { agentError, trackerError } from "../../../src/domain/errors.ts";
import { emptyIssue } from "../../../src/domain/issue.ts";
import { isRetryable } from "../../../src/orchestrator/classify.ts";
import { completionComment, failureComment, goDuration } from "../../../src/orchestrator/comments.ts";
import { applyAgentEvent } from "../../../src/orchestrator/events.ts";
import { Mailbox } from "../../../src/orchestrator/mailbox.ts";
import { newRunningEntry, newState } from "../../../src/orchestrator/state.ts";

function event(type: AgentEvent["type"], extra: Partial<AgentEvent> = {}): AgentEvent {
  return { type, timestamp: new Date(1_000), agentPid: "", message: "", ...extra };
}

describe("Mailbox", () => {
  test("delivers messages in arrival order", async () => {
    const box = new Mailbox();
    box.post({ type: "tick" });
    box.post({ type: "refresh" });
    expect((await box.take()).type).toBe("tick");
    expect((await box.take()).type).toBe("refresh");
  });

  test("a newer heartbeat replaces a queued one of the same issue, so a flood stays one message", async () => {
    const box = new Mailbox();
    for (let i = 0; i < 10_000; i++) {
      box.post({ type: "agentEvent", issueId: "1", event: event("notification", { message: `n${i}` }) });
    }
    expect(box.size).toBe(1);
    const m = await box.take();
    expect(m.type === "agentEvent" && m.event.message).toBe("n9999");
  });

  test("accounting events, exits and other issues' events are never replaced", () => {
    const box = new Mailbox();
    box.post({ type: "agentEvent", issueId: "1", event: event("notification") });
    box.post({ type: "agentEvent", issueId: "1", event: event("token_usage") });
    box.post({ type: "agentEvent", issueId: "1", event: event("token_usage") });
    box.post({ type: "agentEvent", issueId: "2", event: event("notification") });
    box.post({ type: "agentEvent", issueId: "1", event: event("notification") });
    expect(box.size).toBe(4);
  });

  test("take waits for the next post", async () => {
    const box = new Mailbox();
    const pending = box.take();
    box.post({ type: "tick" });
    expect((await pending).type).toBe("tick");
  });

  test("retain drops what a draining orchestrator no longer handles", async () => {
    const box = new Mailbox();
    box.post({ type: "tick" });
    box.post({ type: "retryFired", issueId: "1", token: 1 });
    box.post({ type: "agentEvent", issueId: "1", event: event("notification") });
    box.retain((m) => m.type === "agentEvent");
    expect(box.size).toBe(1);
    expect((await box.take()).type).toBe("agentEvent");
  });
});

function entryFor(agentKind: string) {
  return newRunningEntry({
    issue: emptyIssue({ id: "1", identifier: "A-1" }),
    retryAttempt: null,
    startedAt: 0,
    sessionId: "",
    sshHost: "",
    workflowFile: "WORKFLOW.md",
    agentKind,
    continuation: null,
  });
}

describe("applyAgentEvent", () => {
  const usage = (input: number | null, output: number | null, cacheRead: number | null = null) => ({
    inputTokens: input,
    outputTokens: output,
    totalTokens: input === null || output === null ? null : input + output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: null,
    costUsd: null,
  });

  test("adds deltas against high-water marks to the entry and the totals", () => {
    const state = newState({ pollIntervalMs: 1000, maxConcurrentAgents: 1 });
    const entry = entryFor("mock");
    expect(
      applyAgentEvent(
        entry,
        event("token_usage", { usage: usage(100, 50, 10), model: "m1" }),
        state.agentTotals,
      ),
    ).toEqual({
      input: 100,
      output: 50,
      cacheRead: 10,
    });
    // A cumulative report that went backwards never subtracts.
    applyAgentEvent(entry, event("token_usage", { usage: usage(80, 40, 10) }), state.agentTotals);
    applyAgentEvent(
      entry,
      event("token_usage", { usage: usage(250, 90, 30), requests: 2 }),
      state.agentTotals,
    );
    expect(entry.tokens).toEqual({ input: 250, output: 90, total: 340, cacheRead: 30, cacheWrite: null });
    expect(state.agentTotals).toMatchObject({
      inputTokens: 250,
      outputTokens: 90,
      totalTokens: 340,
      cacheReadTokens: 30,
    });
    expect(entry.apiRequestCount).toBe(4);
    expect(Object.fromEntries(entry.requestsByModel)).toEqual({ m1: 4 });
  });

  test("counters the agent never reports stay unknown, never 0", () => {
    const state = newState({ pollIntervalMs: 1000, maxConcurrentAgents: 1 });
    const entry = entryFor("copilot-cli");
    applyAgentEvent(
      entry,
      event("token_usage", { usage: { ...usage(null, null), premiumRequests: 3 } }),
      state.agentTotals,
    );
    expect(entry.tokens).toEqual({
      input: null,
      output: null,
      total: null,
      cacheRead: null,
      cacheWrite: null,
    });
    expect(entry.premiumRequests).toBe(3);
  });

  test("timestamps only move forward; session ids, messages and tool time are recorded", () => {
    const state = newState({ pollIntervalMs: 1000, maxConcurrentAgents: 1 });
    const entry = entryFor("mock");
    applyAgentEvent(
      entry,
      { ...event("session_started", { sessionId: "s-1", message: "hi" }), timestamp: new Date(5_000) },
      state.agentTotals,
    );
    applyAgentEvent(
      entry,
      { ...event("tool_result", { toolName: "Bash", toolDurationMs: 40 }), timestamp: new Date(4_000) },
      state.agentTotals,
    );
    expect(entry.lastAgentTimestamp).toBe(5_000);
    expect(entry.sessionId).toBe("s-1");
    expect(entry.lastAgentMessage).toBe("hi");
    expect(entry.lastAgentEvent).toBe("tool_result");
    expect(entry.toolTimeMs).toBe(40);
  });
});

describe("isRetryable", () => {
  test("walks the cause chain for an agent or tracker kind", () => {
    expect(isRetryable(new Error("agent turn 1", { cause: agentError("turn_failed", "x") }))).toBe(true);
    expect(isRetryable(new Error("agent session start", { cause: agentError("agent_not_found", "x") }))).toBe(
      false,
    );
    expect(isRetryable(trackerError("tracker_auth_error", "401"))).toBe(false);
    expect(isRetryable(trackerError("tracker_transport_error", "503"))).toBe(true);
    expect(isRetryable(new Error("workspace preparation: hook failed"))).toBe(true);
  });
});

describe("lifecycle comments", () => {
  test("durations print like Go's time.Duration truncated to seconds", () => {
    expect([0, 999, 45_000, 60_000, 3_723_000].map(goDuration)).toEqual([
      "0s",
      "0s",
      "45s",
      "1m0s",
      "1h2m3s",
    ]);
  });

  test("completion and failure texts", () => {
    expect(
      completionComment({ sessionId: "", durationMs: 61_000, turns: 2, requeued: true, softStopReason: "" }),
    ).toBe("Sortie session completed (re-queuing).\nSession: unknown\nDuration: 1m1s\nTurns: 2");
    expect(
      failureComment({ sessionId: "s", durationMs: 0, error: "x".repeat(250), retryAttempt: null }),
    ).toBe(
      `Sortie session failed.\nSession: s\nDuration: 0s\nError: ${"x".repeat(200)}...\nRetry: no — not retryable`,
    );
  });
});
