// Reconciliation, every tick before dispatch: stall detection, then the tracker's view of every
// running issue (terminal → stop and clean up, no longer active → stop), then the periodic sweep
// of workspaces whose issues became terminal.
import { errorMessage } from "../domain/errors.ts";
import { failureBackoffMs } from "./backoff.ts";
import type { OrchestratorContext } from "./context.ts";
import { isActiveState, isTerminalState } from "./eligibility.ts";
import { persistRetryRow } from "./retry.ts";
import { runAttempt } from "./state.ts";

const SWEEP_EVERY_TICKS = 60;

export function detectStalls(ctx: OrchestratorContext): void {
  const stallMs = ctx.config().agent.stallTimeoutMs;
  if (stallMs <= 0) return;
  const now = ctx.now();
  for (const entry of ctx.state.running.values()) {
    const ref = entry.lastAgentTimestamp ?? entry.startedAt;
    const elapsed = now - ref;
    if (elapsed <= stallMs) continue;
    const log = ctx.log.with({ issue_id: entry.issueId, issue_identifier: entry.identifier });
    entry.abort.abort(new Error("stall timeout exceeded"));
    const next = runAttempt(entry.retryAttempt);
    const existing = ctx.state.retryAttempts.get(entry.issueId);
    if (existing && existing.attempt >= next) {
      log.debug("stall retry already scheduled, skipping reschedule");
      continue;
    }
    const retry = ctx.scheduleRetry({
      issueId: entry.issueId,
      identifier: entry.identifier,
      displayId: entry.displayId,
      attempt: next,
      delayMs: failureBackoffMs(next, ctx.config().agent.maxRetryBackoffMs),
      error: "stall timeout exceeded",
      sessionId: "",
    });
    ctx.metrics.retry("stall");
    void persistRetryRow(ctx, retry, "failed to persist stall retry entry");
    log.warn("stall detected, cancelling worker", { elapsed_ms: elapsed, stall_timeout_ms: stallMs });
  }
}

export async function refreshRunningStates(ctx: OrchestratorContext): Promise<void> {
  const { state } = ctx;
  if (state.running.size === 0) return;
  let states: Map<string, string>;
  try {
    states = await ctx.tracker().fetchIssueStatesByIds([...state.running.keys()], ctx.rootSignal);
  } catch (err) {
    if (!ctx.rootSignal.aborted) {
      ctx.log.warn("tracker state refresh failed, keeping workers running", { error: errorMessage(err) });
    }
    return;
  }
  const sets = ctx.sets();
  for (const [id, trackerState] of states) {
    const entry = state.running.get(id);
    if (!entry) continue;
    const log = ctx.log.with({ issue_id: id, issue_identifier: entry.identifier });
    if (isTerminalState(trackerState, sets)) {
      if (entry.pendingCleanup) continue;
      entry.issue.state = trackerState;
      entry.abort.abort(new Error("issue reached a terminal state"));
      ctx.cancelRetry(id);
      await ctx.store.deleteRetryEntry(id).catch(() => {});
      entry.pendingCleanup = true;
      ctx.metrics.reconcile("stop");
      log.info("stopping worker for terminal issue", { state: trackerState });
    } else if (isActiveState(trackerState, sets)) {
      entry.issue.state = trackerState;
      ctx.metrics.reconcile("keep");
      log.debug("refreshed issue state", { state: trackerState });
    } else {
      entry.issue.state = trackerState;
      entry.abort.abort(new Error("issue is no longer in an active state"));
      ctx.cancelRetry(id);
      await ctx.store.deleteRetryEntry(id).catch(() => {});
      ctx.metrics.reconcile("stop");
      log.info("stopping worker for non-active issue", { state: trackerState });
    }
  }
}

/** Removes the workspaces of terminal issues; `exclude` keeps in-flight ones (the sweep's rule). */
export async function cleanTerminalWorkspaces(
  ctx: OrchestratorContext,
  opts: { exclude: ReadonlySet<string>; listFailed: string; fetchFailed: string; sweep: boolean },
): Promise<void> {
  const cfg = ctx.config();
  let keys: string[];
  try {
    keys = (await ctx.listWorkspaceKeys(cfg.workspace.root)).filter((k) => !opts.exclude.has(k));
  } catch (err) {
    ctx.log.warn(opts.listFailed, { error: errorMessage(err) });
    return;
  }
  if (keys.length === 0) return;
  let states: Map<string, string>;
  try {
    states = await ctx.tracker().fetchIssueStatesByIdentifiers(keys, ctx.rootSignal);
  } catch (err) {
    if (!ctx.rootSignal.aborted) ctx.log.warn(opts.fetchFailed, { error: errorMessage(err) });
    return;
  }
  const sets = ctx.sets();
  const terminal = keys.filter((k) => {
    const s = states.get(k);
    return s !== undefined && isTerminalState(s, sets);
  });
  if (terminal.length === 0) return;
  if (opts.sweep) ctx.log.info("sweep: cleaning terminal workspaces", { count: terminal.length });
  const cleaned = await ctx.cleanupTerminalKeys(terminal);
  if (opts.sweep) for (let i = 0; i < cleaned; i++) ctx.metrics.reconcile("sweep_cleanup");
}

export async function maybeSweep(
  ctx: OrchestratorContext,
  sanitize: (identifier: string) => string,
): Promise<void> {
  ctx.state.sweepTickCounter++;
  if (ctx.state.sweepTickCounter < SWEEP_EVERY_TICKS) return;
  ctx.state.sweepTickCounter = 0;
  const exclude = new Set<string>();
  for (const e of ctx.state.running.values()) exclude.add(safeKey(sanitize, e.identifier));
  for (const e of ctx.state.retryAttempts.values()) exclude.add(safeKey(sanitize, e.identifier));
  await cleanTerminalWorkspaces(ctx, {
    exclude,
    listFailed: "sweep: failed to list workspace keys",
    fetchFailed: "sweep: failed to fetch issue states",
    sweep: true,
  });
}

function safeKey(sanitize: (identifier: string) => string, identifier: string): string {
  try {
    return sanitize(identifier);
  } catch {
    return identifier;
  }
}
