// A hand-built OrchestratorView for server tests: constructed snapshots, settable health flags,
// scripted refresh answers and a manual change trigger.
import type {
  HealthFlags,
  OrchestratorView,
  RefreshAnswer,
  RetrySnapshot,
  RunningSnapshot,
  RuntimeSnapshot,
} from "../../../src/orchestrator/snapshot.ts";

export const GENERATED_AT = new Date("2026-04-26T10:15:30.123Z");

export function makeRunning(overrides: Partial<RunningSnapshot> = {}): RunningSnapshot {
  return {
    issueId: "10042",
    identifier: "PROJ-42",
    displayId: "",
    state: "In Progress",
    sessionId: "sess-01",
    turnCount: 3,
    lastEvent: "tool_result",
    lastEventAt: new Date("2026-04-26T10:15:10.000Z"),
    lastMessage: "",
    startedAt: new Date("2026-04-26T10:01:00.000Z"),
    workspacePath: "/home/sortie/data/workspaces/PROJ-42",
    inputTokens: 1200,
    outputTokens: 800,
    totalTokens: 2000,
    cacheReadTokens: 400,
    cacheWriteTokens: 50,
    costUsd: null,
    premiumRequests: null,
    modelName: "",
    apiRequestCount: 3,
    requestsByModel: {},
    toolTimeMs: 0,
    apiTimeMs: 0,
    workflowFile: "WORKFLOW.md",
    sshHost: "",
    selfReviewActive: false,
    selfReviewIteration: 0,
    agentKind: "claude-code",
    attempt: 1,
    ...overrides,
  };
}

export function makeRetry(overrides: Partial<RetrySnapshot> = {}): RetrySnapshot {
  return {
    issueId: "10043",
    identifier: "PROJ-43",
    displayId: "",
    attempt: 2,
    dueAt: new Date("2026-04-26T10:16:00.000Z"),
    error: "agent exited with code 1",
    ...overrides,
  };
}

export function makeSnapshot(overrides: Partial<RuntimeSnapshot> = {}): RuntimeSnapshot {
  return {
    generatedAt: GENERATED_AT,
    running: [],
    retrying: [],
    agentTotals: {
      inputTokens: 5000,
      outputTokens: 2400,
      totalTokens: 7400,
      cacheReadTokens: 1500,
      secondsRunning: 1834.2,
    },
    rateLimits: {},
    budgetExhausted: [],
    maxConcurrentAgents: 2,
    trackerRateLimits: [],
    ...overrides,
  };
}

export class FakeView implements OrchestratorView {
  /** null makes snapshot() throw, like an orchestrator that has not started or has stopped. */
  current: RuntimeSnapshot | null;
  flags: HealthFlags = { preflightOk: true, workflowLoaded: true, started: true, draining: false };
  refreshAnswer: RefreshAnswer = { queued: true, coalesced: false };
  refreshCalls = 0;
  snapshotCalls = 0;
  readonly listeners = new Set<() => void>();

  constructor(snapshot: RuntimeSnapshot | null = makeSnapshot()) {
    this.current = snapshot;
  }

  snapshot(): RuntimeSnapshot {
    this.snapshotCalls++;
    if (!this.current) throw new Error("orchestrator not running");
    return this.current;
  }

  health(): HealthFlags {
    return { ...this.flags };
  }

  requestRefresh(): RefreshAnswer {
    this.refreshCalls++;
    return this.refreshAnswer;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replace the snapshot and notify subscribers, as the orchestrator does after each change. */
  change(snapshot?: RuntimeSnapshot): void {
    if (snapshot) this.current = snapshot;
    for (const listener of [...this.listeners]) listener();
  }
}
