// Recovery of runs cut off by a crash: each leftover active run becomes a timed_out history row
// and a retry that resumes its session, in one transaction per run.
import type { Kysely } from "kysely";
import type { ActiveRunRow, RecoveredRun } from "../rows.ts";
import type { Schema } from "../schema.ts";
import { inTransaction } from "../transaction.ts";
import { deleteActiveRun, loadActiveRuns } from "./active-runs.ts";
import { retryAttempt, saveRetryEntry } from "./retry-entries.ts";
import { insertRunHistory } from "./run-history.ts";

/** Error text of the run-history and retry rows written for a run cut off by a crash. */
export const INTERRUPTED_RUN_ERROR = "interrupted: orchestrator exited during session";

export async function recoverInterruptedRuns(
  db: Kysely<Schema>,
  now: Date,
  completedAt: string,
): Promise<RecoveredRun[]> {
  const recovered: RecoveredRun[] = [];
  for (const run of await loadActiveRuns(db)) {
    const outcome = await inTransaction(db, (trx) => recoverOne(trx, run, now, completedAt));
    recovered.push({
      issueId: run.issueId,
      identifier: run.identifier,
      displayIdentifier: run.displayIdentifier,
      sessionId: run.sessionId,
      pgid: run.pgid,
      attempt: run.attempt,
      agentAdapter: run.agentAdapter,
      workspace: run.workspace,
      workflowFile: run.workflowFile,
      startedAt: run.startedAt,
      ...outcome,
    });
  }
  return recovered;
}

async function recoverOne(
  trx: Kysely<Schema>,
  run: ActiveRunRow,
  now: Date,
  completedAt: string,
): Promise<{ runHistoryId: number; retryScheduled: boolean }> {
  const runHistoryId = await insertRunHistory(trx, {
    issueId: run.issueId,
    identifier: run.identifier,
    displayIdentifier: run.displayIdentifier,
    attempt: run.attempt,
    agentAdapter: run.agentAdapter,
    workspace: run.workspace,
    startedAt: run.startedAt,
    completedAt,
    status: "timed_out",
    error: INTERRUPTED_RUN_ERROR,
    workflowFile: run.workflowFile,
    turnsCompleted: 0,
    reviewMetadata: null,
    // The counters of a crashed run never reached the database: unknown, not zero.
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
  });
  // A retry already at this attempt or later (e.g. written by an exit that committed just
  // before the crash) knows better than the leftover record.
  const existing = await retryAttempt(trx, run.issueId);
  const retryScheduled = existing === undefined || existing < run.attempt;
  if (retryScheduled) {
    await saveRetryEntry(trx, {
      issueId: run.issueId,
      identifier: run.identifier,
      attempt: run.attempt,
      dueAtMs: now.getTime(),
      error: INTERRUPTED_RUN_ERROR,
      sessionId: run.sessionId,
    });
  }
  await deleteActiveRun(trx, run.issueId);
  return { runHistoryId, retryScheduled };
}
