// Start-up recovery from the database: leftover active runs of a crashed process become timed-out
// history rows and resuming retries (their orphaned agents are killed first), persisted retries
// are restored with their remaining delay, and one line says what was found.
import type { Logger } from "@logtape/logtape";
import { errorMessage } from "../domain/errors.ts";
import type { Store } from "../persistence/store.ts";
import { groupAlive, processCommandLine, signalGroup } from "../platform/process-group.ts";
import type { RestoredRetry } from "./orchestrator.ts";
import type { AgentTotalsState } from "./state.ts";

export interface WarmStartResult {
  retries: RestoredRetry[];
  totals: AgentTotalsState | null;
}

/** Kills a leftover agent process group, but only if it still looks like the agent. */
async function killOrphanedAgent(pgid: number, agentCommand: string, log: Logger): Promise<void> {
  if (!groupAlive(pgid)) return;
  const program = agentCommand.trim().split(/\s+/)[0] ?? "";
  const cmdline = await processCommandLine(pgid);
  if (program === "" || !cmdline.includes(program.split("/").pop() ?? program)) return;
  if (signalGroup(pgid, "SIGKILL")) log.warn("killed orphaned agent process group", { pgid });
}

/** Throws when retry entries cannot be loaded (start-up must then fail). */
export async function restorePersistedState(
  store: Store,
  opts: { dbPath: string; agentCommand: string; log: Logger; now?: () => Date },
): Promise<WarmStartResult> {
  const { log } = opts;
  const now = opts.now ?? (() => new Date());
  const leftovers = await store.loadActiveRuns();
  for (const run of leftovers) {
    if (run.pgid !== null) await killOrphanedAgent(run.pgid, opts.agentCommand, log);
  }
  const recovered = await store.recoverInterruptedRuns(now());
  for (const run of recovered) {
    log.warn("interrupted session recovered, scheduling retry", {
      issue_id: run.issueId,
      issue_identifier: run.identifier,
      session_id: run.sessionId ?? "",
      next_attempt: run.attempt,
    });
  }
  const nowMs = now().getTime();
  const rows = await store.loadRetryEntriesForRecovery(nowMs);
  let totals: AgentTotalsState | null = null;
  try {
    const row = await store.loadAggregateMetrics("agent_totals");
    if (row) {
      totals = {
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        totalTokens: row.totalTokens,
        cacheReadTokens: row.cacheReadTokens,
        secondsRunning: row.secondsRunning,
      };
    }
  } catch (err) {
    log.warn("failed to load agent totals, using zero values", { error: errorMessage(err) });
  }
  const stats = await store.warmStartStats(now());
  if (stats.hasPersistedRows || recovered.length > 0) {
    log.info("warm start: restored persisted state", {
      db_path: opts.dbPath,
      retries_restored: rows.length,
      retries_overdue: rows.filter((r) => r.remainingMs === 0).length,
      interrupted_sessions: recovered.length,
      run_history_entries: stats.runHistoryEntries,
      agent_totals_restored: totals !== null,
    });
  } else {
    log.info("cold start: initialized new database", { db_path: opts.dbPath });
  }
  return {
    retries: rows.map((r) => ({
      issueId: r.issueId,
      identifier: r.identifier,
      attempt: r.attempt,
      dueAtMs: r.dueAtMs,
      remainingMs: r.remainingMs,
      error: r.error ?? "",
      sessionId: r.sessionId ?? "",
    })),
    totals,
  };
}
