// The retry timer handler: a fired retry re-validates its issue against the tracker and either
// dispatches it, reschedules it with backoff, or releases the claim.
import { errorMessage, isNotFound } from "../domain/errors.ts";
import { failureBackoffMs } from "./backoff.ts";
import type { OrchestratorContext } from "./context.ts";
import { hasAvailableSlots, isActiveState, retryStillEligible } from "./eligibility.ts";
import { slotInputs } from "./slots.ts";
import type { RetryEntry } from "./state.ts";

function persistRow(ctx: OrchestratorContext, entry: RetryEntry, failureMessage: string): Promise<void> {
  return ctx.store
    .saveRetryEntry({
      issueId: entry.issueId,
      identifier: entry.identifier,
      attempt: entry.attempt,
      dueAtMs: entry.dueAtMs,
      error: entry.error || null,
      sessionId: entry.sessionId || null,
    })
    .catch((err) => ctx.log.error(failureMessage, { issue_id: entry.issueId, error: errorMessage(err) }));
}

/** Reschedules a fired entry at `attempt` with failure backoff, keeping its session and reaction kind. */
async function reschedule(
  ctx: OrchestratorContext,
  e: RetryEntry,
  attempt: number,
  error: string,
): Promise<number> {
  const delayMs = failureBackoffMs(attempt, ctx.config().agent.maxRetryBackoffMs);
  const entry = ctx.scheduleRetry({
    issueId: e.issueId,
    identifier: e.identifier,
    displayId: e.displayId,
    attempt,
    delayMs,
    error,
    sessionId: e.sessionId,
    continuation: e.continuation,
    reactionKind: e.reactionKind,
  });
  await persistRow(ctx, entry, "failed to persist retry entry");
  return delayMs;
}

export async function handleRetryFired(
  ctx: OrchestratorContext,
  issueId: string,
  token: number,
): Promise<void> {
  const { state, log } = ctx;
  const e = state.retryAttempts.get(issueId);
  if (!e) {
    log.debug("retry timer for unknown entry", { issue_id: issueId });
    return;
  }
  if (e.token !== token) {
    log.debug("stale retry timer, entry was rescheduled", { issue_id: issueId });
    return;
  }
  if (e.timer) clearTimeout(e.timer);
  state.retryAttempts.delete(issueId);
  ctx.metrics.retry("timer");
  const ilog = log.with({ issue_id: e.issueId, issue_identifier: e.identifier });

  if (state.running.has(issueId)) {
    ilog.debug("worker still running, rescheduling retry");
    await reschedule(ctx, e, e.attempt, e.error);
    return;
  }

  const cfg = ctx.config();
  if (cfg.agent.maxSessions > 0) {
    try {
      const count = await ctx.store.countRunHistoryByIssue(issueId);
      if (count >= cfg.agent.maxSessions) {
        ilog.warn("effort budget exhausted, blocking re-dispatch", {
          count,
          max_sessions: cfg.agent.maxSessions,
        });
        state.budgetExhausted.add(issueId);
        await ctx.release(issueId);
        return;
      }
    } catch (err) {
      ilog.warn("effort budget check failed, proceeding with dispatch", { error: errorMessage(err) });
    }
  }

  let issue: Awaited<ReturnType<ReturnType<OrchestratorContext["tracker"]>["fetchIssueById"]>>;
  try {
    issue = await ctx.tracker().fetchIssueById(issueId, ctx.rootSignal);
  } catch (err) {
    if (isNotFound(err)) {
      ilog.info("issue no longer exists in tracker, releasing claim");
      await ctx.release(issueId);
      return;
    }
    if (ctx.rootSignal.aborted) return;
    const delayMs = failureBackoffMs(e.attempt + 1, cfg.agent.maxRetryBackoffMs);
    ilog.error("retry issue fetch failed, rescheduling", {
      attempt: e.attempt + 1,
      delay_ms: delayMs,
      error: errorMessage(err),
    });
    await reschedule(ctx, e, e.attempt + 1, "retry issue fetch failed");
    return;
  }

  const sets = ctx.sets();
  if (!isActiveState(issue.state, sets)) {
    ilog.info("issue no longer in active state, releasing claim", { issue_state: issue.state });
    await ctx.release(issueId);
    return;
  }
  if (!retryStillEligible(issue, sets)) {
    ilog.info("issue no longer eligible for retry, releasing claim");
    await ctx.release(issueId);
    return;
  }
  if (!hasAvailableSlots(issue.state, slotInputs(ctx))) {
    ilog.warn("no available orchestrator slots, rescheduling retry");
    await reschedule(ctx, e, e.attempt + 1, "no available orchestrator slots");
    return;
  }

  await ctx.dispatch({
    issue,
    attempt: e.attempt,
    sshHost: "",
    resumeSessionId: e.sessionId,
    continuation: e.continuation,
  });
  ilog.info("retried issue dispatched", { attempt: e.attempt });
  await ctx.store
    .deleteRetryEntry(issueId)
    .catch((err) =>
      ilog.error("failed to delete retry entry from store after dispatch", { error: errorMessage(err) }),
    );
}

export { persistRow as persistRetryRow };
