// Pieces of the shutdown drain: bounded waits, and the exit recorded for a worker that did not
// stop within the drain budget (it is then persisted like any run interrupted by shutdown).
import type { RunningEntry } from "./state.ts";
import type { WorkerResult } from "./worker-result.ts";

export function abandonedResult(entry: RunningEntry): WorkerResult {
  return {
    issueId: entry.issueId,
    identifier: entry.identifier,
    exitKind: "cancelled",
    error: new Error("drain timeout exceeded"),
    turnsCompleted: entry.turnCount,
    sessionId: entry.sessionId,
    workspacePath: entry.workspacePath,
    agentAdapter: entry.agentKind,
    attempt: entry.retryAttempt,
    sshHost: entry.sshHost,
    softStop: false,
    softStopReason: "",
    interruptedByShutdown: true,
    reviewMetadata: null,
  };
}

/** Polls a condition (the mailbox keeps handling exits meanwhile); false when the budget ran out. */
export async function waitUntil(
  now: () => number,
  condition: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() >= deadline) return false;
    await Bun.sleep(20);
  }
  return true;
}
