// Worker exit handling: account for the run, persist it in one transaction, and decide what
// happens to the claim (release, continuation retry, failure retry, or a resuming retry after an
// interruption by shutdown).
import { errorMessage } from "../domain/errors.ts";
import type { RetryChange } from "../persistence/rows.ts";
import { CONTINUATION_DELAY_MS, failureBackoffMs } from "./backoff.ts";
import { isRetryable } from "./classify.ts";
import { completionComment, failureComment } from "./comments.ts";
import type { OrchestratorContext } from "./context.ts";
import { isActiveState } from "./eligibility.ts";
import type { WorkerExitType } from "./metrics.ts";
import { type RetryEntry, type RunningEntry, runAttempt } from "./state.ts";
import type { WorkerResult } from "./worker-result.ts";

const KNOWN_SOFT_STOPS = new Set(["blocked", "needs-human-review"]);

function retryRow(entry: RetryEntry): RetryChange {
  return {
    kind: "save",
    entry: {
      issueId: entry.issueId,
      identifier: entry.identifier,
      attempt: entry.attempt,
      dueAtMs: entry.dueAtMs,
      error: entry.error || null,
      sessionId: entry.sessionId || null,
    },
  };
}

function runStatus(r: WorkerResult): "succeeded" | "failed" | "cancelled" | "timed_out" {
  if (r.exitKind === "normal") return "succeeded";
  if (r.exitKind === "error") return "failed";
  return r.interruptedByShutdown ? "timed_out" : "cancelled";
}

interface Decision {
  retry: RetryEntry | null;
  /** Release the claim (and delete the persisted retry row). */
  release: boolean;
}

async function decideNormal(
  ctx: OrchestratorContext,
  entry: RunningEntry,
  r: WorkerResult,
  log: ReturnType<OrchestratorContext["log"]["with"]>,
): Promise<Decision> {
  const cfg = ctx.config();
  ctx.state.completed.add(r.issueId);
  const active = isActiveState(entry.issue.state, ctx.sets());
  const continuation = (): Decision => ({
    release: false,
    retry: ctx.scheduleRetry({
      issueId: r.issueId,
      identifier: entry.identifier,
      displayId: entry.displayId,
      attempt: runAttempt(entry.retryAttempt),
      delayMs: CONTINUATION_DELAY_MS,
      error: "",
      sessionId: r.sessionId || entry.sessionId,
      lastSshHost: r.sshHost,
      armTimer: !ctx.draining,
    }),
  });

  if (r.softStop && r.softStopReason === "blocked") {
    log.info("continuation retry suppressed", { reason: r.softStopReason });
    ctx.cancelRetry(r.issueId);
    return { retry: null, release: true };
  }
  const handoff = cfg.tracker.handoffState;
  if (handoff && active) {
    try {
      await ctx.tracker().transitionIssue(r.issueId, handoff, AbortSignal.timeout(30_000));
      ctx.metrics.handoffTransition("success");
      log.info("handoff transition succeeded, releasing claim", { handoff_state: handoff });
      ctx.cancelRetry(r.issueId);
      return { retry: null, release: true };
    } catch (err) {
      ctx.metrics.handoffTransition("error");
      if (r.softStop) {
        log.warn("handoff transition failed, releasing claim", {
          handoff_state: handoff,
          error: errorMessage(err),
        });
        ctx.cancelRetry(r.issueId);
        return { retry: null, release: true };
      }
      log.warn("handoff transition failed, scheduling continuation retry", {
        handoff_state: handoff,
        error: errorMessage(err),
      });
      ctx.metrics.retry("continuation");
      return continuation();
    }
  }
  if (!handoff) ctx.metrics.handoffTransition("skipped");
  if (r.softStop) {
    if (!KNOWN_SOFT_STOPS.has(r.softStopReason))
      log.warn("unrecognized soft-stop reason", { reason: r.softStopReason });
    log.info("continuation retry suppressed", { reason: r.softStopReason });
    ctx.cancelRetry(r.issueId);
    return { retry: null, release: true };
  }
  if (active) {
    ctx.metrics.retry("continuation");
    return continuation();
  }
  if (handoff) ctx.metrics.handoffTransition("skipped");
  ctx.cancelRetry(r.issueId);
  return { retry: null, release: true };
}

function exitType(r: WorkerResult): WorkerExitType {
  return r.softStop ? "soft_stop" : r.exitKind;
}

export async function handleWorkerExit(ctx: OrchestratorContext, r: WorkerResult): Promise<void> {
  const { state } = ctx;
  const entry = state.running.get(r.issueId);
  if (!entry) {
    ctx.log.warn("worker exit for unknown issue", { issue_id: r.issueId });
    return;
  }
  state.running.delete(r.issueId);
  const sessionId = r.sessionId || entry.sessionId;
  const log = ctx.log.with({
    issue_id: r.issueId,
    issue_identifier: entry.identifier,
    session_id: sessionId,
  });
  if (!entry.workspacePath) entry.workspacePath = r.workspacePath;
  const attempt = runAttempt(entry.retryAttempt);

  if (entry.pendingCleanup && entry.workspacePath) {
    await ctx
      .cleanupWorkspace(entry.workspacePath, entry.issue, attempt)
      .catch((err) =>
        log.warn("workspace cleanup failed", { workspace: entry.workspacePath, error: errorMessage(err) }),
      );
    ctx.metrics.reconcile("cleanup");
  }

  const now = ctx.now();
  const elapsedMs = Math.max(now - entry.startedAt, 0);
  state.agentTotals.secondsRunning += elapsedMs / 1000;
  ctx.metrics.agentRuntime(elapsedMs / 1000);
  ctx.metrics.workerExit(exitType(r), elapsedMs / 1000);

  let decision: Decision;
  let errorText = r.error ? errorMessage(r.error) : null;
  if (r.exitKind === "normal") {
    decision = await decideNormal(ctx, entry, r, log);
  } else if (r.exitKind === "cancelled" && r.interruptedByShutdown) {
    errorText = "interrupted by shutdown";
    decision = {
      release: false,
      retry: ctx.scheduleRetry({
        issueId: r.issueId,
        identifier: entry.identifier,
        displayId: entry.displayId,
        attempt,
        delayMs: 0,
        error: "interrupted by shutdown",
        sessionId,
        lastSshHost: r.sshHost,
        armTimer: false,
      }),
    };
  } else if (r.exitKind === "cancelled") {
    const pending = state.retryAttempts.get(r.issueId);
    decision = { retry: null, release: pending === undefined };
  } else if (isRetryable(r.error)) {
    const delayMs = failureBackoffMs(attempt, ctx.config().agent.maxRetryBackoffMs);
    log.warn("worker run failed, scheduling retry", {
      error: errorText ?? "",
      next_attempt: attempt,
      delay_ms: delayMs,
    });
    ctx.metrics.retry("error");
    decision = {
      release: false,
      retry: ctx.scheduleRetry({
        issueId: r.issueId,
        identifier: entry.identifier,
        displayId: entry.displayId,
        attempt,
        delayMs,
        error: `worker exited: ${errorText ?? "unknown error"}`,
        sessionId: "",
        lastSshHost: r.sshHost,
        armTimer: !ctx.draining,
      }),
    };
  } else {
    log.error("worker run failed, non-retryable, releasing claim", { error: errorText ?? "" });
    decision = { retry: null, release: true };
  }

  if (decision.release) state.claimed.delete(r.issueId);
  try {
    await ctx.store.recordWorkerExit({
      run: {
        issueId: r.issueId,
        identifier: entry.identifier,
        displayIdentifier: entry.displayId || null,
        attempt,
        agentAdapter: r.agentAdapter,
        workspace: r.workspacePath ?? "",
        startedAt: new Date(entry.startedAt),
        completedAt: new Date(now),
        status: runStatus(r),
        error: errorText,
        workflowFile: entry.workflowFile,
        turnsCompleted: r.turnsCompleted,
        reviewMetadata: r.reviewMetadata ? JSON.stringify(r.reviewMetadata) : null,
        inputTokens: entry.tokens.input,
        outputTokens: entry.tokens.output,
        cacheReadTokens: entry.tokens.cacheRead,
        cacheWriteTokens: entry.tokens.cacheWrite,
      },
      totals: { ...state.agentTotals },
      session: sessionId
        ? {
            issueId: r.issueId,
            sessionId,
            agentPid: entry.agentPid || null,
            inputTokens: entry.tokens.input ?? 0,
            outputTokens: entry.tokens.output ?? 0,
            totalTokens: entry.tokens.total ?? 0,
            cacheReadTokens: entry.tokens.cacheRead ?? 0,
            modelName: entry.modelName,
            apiRequestCount: entry.apiRequestCount,
          }
        : undefined,
      retry: decision.retry ? retryRow(decision.retry) : decision.release ? { kind: "delete" } : undefined,
    });
  } catch (err) {
    log.error("failed to persist run history", { error: errorMessage(err) });
  }

  postLifecycleComment(ctx, entry, r, decision, elapsedMs, sessionId);
}

function postLifecycleComment(
  ctx: OrchestratorContext,
  entry: RunningEntry,
  r: WorkerResult,
  decision: Decision,
  elapsedMs: number,
  sessionId: string,
): void {
  const comments = ctx.config().tracker.comments;
  let lifecycle: "completion" | "failure";
  let text: string;
  if (r.exitKind === "normal" && comments.onCompletion) {
    lifecycle = "completion";
    text = completionComment({
      sessionId,
      durationMs: elapsedMs,
      turns: r.turnsCompleted,
      requeued: decision.retry !== null,
      softStopReason: r.softStop ? r.softStopReason : "",
    });
  } else if (r.exitKind === "error" && comments.onFailure) {
    lifecycle = "failure";
    text = failureComment({
      sessionId,
      durationMs: elapsedMs,
      error: r.error ? errorMessage(r.error) : "",
      retryAttempt: decision.retry?.attempt ?? null,
    });
  } else {
    return;
  }
  const tracker = ctx.tracker();
  const log = ctx.log.with({ issue_id: entry.issueId, issue_identifier: entry.identifier });
  ctx.trackDetached(async (signal) => {
    try {
      await tracker.commentIssue(entry.issueId, text, signal);
      ctx.metrics.trackerComment(lifecycle, "success");
      log.info("tracker comment posted", { lifecycle });
    } catch (err) {
      ctx.metrics.trackerComment(lifecycle, "error");
      log.warn("tracker comment failed", { lifecycle, error: errorMessage(err) });
    }
  });
}
