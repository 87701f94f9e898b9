// One worker attempt: in-progress transition, workspace preparation, the multi-turn agent loop
// with per-turn timeout, the status-file check, and teardown. Runs as an un-awaited task that
// never touches orchestrator state: it only posts messages and reports its end exactly once.
import type { Logger } from "@logtape/logtape";
import type { ServiceConfig } from "../config/types.ts";
import type { AgentAdapter, AgentEvent, Session, TurnOutcome } from "../domain/agent.ts";
import { errorMessage, isAbortError } from "../domain/errors.ts";
import type { Issue } from "../domain/issue.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import type { ContinuationContext, PromptTemplate } from "../prompt/index.ts";
import { dispatchComment } from "./comments.ts";
import { isActiveState, type StateSets } from "./eligibility.ts";
import type { WorkerProgress } from "./mailbox.ts";
import type { OrchestratorMetrics } from "./metrics.ts";
import { SessionStateFile, type StateWriter } from "./session-state-file.ts";
import type { ExitKind, WorkerResult } from "./worker-result.ts";

/** The workspace operations a worker needs (wired to src/workspace by the orchestrator). */
export interface WorkspaceOps {
  prepare(issue: Issue, attempt: number, signal: AbortSignal): Promise<{ path: string }>;
  /** Never throws; bounded by hooks.timeout_ms and the optional deadline. */
  afterRun(path: string, issue: Issue, attempt: number, deadline: AbortSignal | undefined): Promise<void>;
  readStatusSignal(path: string): Promise<string | null>;
  /** Writes .sortie/mcp.json (+ .gitignore); returns its path, or "" when no MCP config is generated. */
  writeMcpConfig(path: string, issue: Issue, attempt: number): Promise<string>;
  /** Writes .sortie/state.json for the `sortie_status` tool; failures are the caller's to log. */
  writeState: StateWriter;
}

export interface WorkerDeps {
  config: ServiceConfig;
  template: PromptTemplate;
  tracker: TrackerAdapter;
  agent: AgentAdapter;
  workspace: WorkspaceOps;
  render: (
    template: PromptTemplate,
    p: {
      issue: Issue;
      attempt: number;
      turnNumber: number;
      maxTurns: number;
      continuation: ContinuationContext | null;
    },
  ) => string;
  metrics: OrchestratorMetrics;
  log: Logger;
  /** Per-session environment for the agent (SORTIE_ISSUE_ID…, HOME when redirected) for a workspace. */
  agentEnv: (workspacePath: string) => Record<string, string>;
  sets: StateSets;
  onEvent: (event: AgentEvent) => void;
  onProgress: (progress: WorkerProgress) => void;
  /** Aborted only by shutdown (distinguishes "interrupted by shutdown" from other cancels). */
  rootSignal: AbortSignal;
  /** Deadline for after_run once shutdown started (what is left of the drain budget). */
  drainDeadline: () => AbortSignal | undefined;
}

export interface WorkerTask {
  issue: Issue;
  attempt: number | null;
  resumeSessionId: string;
  continuation: ContinuationContext | null;
  signal: AbortSignal;
  sshHost: string;
}

class WorkerFailure extends Error {}

export async function runWorkerAttempt(task: WorkerTask, deps: WorkerDeps): Promise<WorkerResult> {
  const { config: cfg, log } = deps;
  const issue = { ...task.issue };
  const attemptInt = task.attempt ?? 0;
  let turnsCompleted = 0;
  let workspacePath = "";
  let session: Session | null = null;
  let latestSessionId = "";
  let maxTurns = cfg.agent.maxTurns;
  if (maxTurns < 1) {
    log.warn("clamped agent max_turns to 1", { configured_max_turns: maxTurns });
    maxTurns = 1;
  }
  const stateFile = new SessionStateFile(deps.workspace.writeState, deps.log, task.attempt, maxTurns);
  const kindFor = (): ExitKind => (task.signal.aborted ? "cancelled" : "error");
  const result = (
    exitKind: ExitKind,
    error: Error | null,
    extra: Partial<WorkerResult> = {},
  ): WorkerResult => ({
    issueId: issue.id,
    identifier: issue.identifier,
    exitKind,
    error,
    turnsCompleted,
    sessionId: latestSessionId,
    workspacePath,
    agentAdapter: cfg.agent.kind,
    attempt: task.attempt,
    sshHost: task.sshHost,
    softStop: false,
    softStopReason: "",
    interruptedByShutdown: exitKind === "cancelled" && deps.rootSignal.aborted,
    reviewMetadata: null,
    ...extra,
  });
  const noteSession = (id: string | undefined): void => {
    if (id && id !== latestSessionId) {
      latestSessionId = id;
      deps.onProgress({ kind: "session", sessionId: id });
    }
  };
  const stop = async (): Promise<void> => {
    if (!session) return;
    const bound = cfg.agent.readTimeoutMs > 0 ? cfg.agent.readTimeoutMs : 10_000;
    try {
      await deps.agent.stopSession(session, AbortSignal.timeout(bound));
    } catch (err) {
      log.warn("stop session failed", { error: errorMessage(err) });
    }
  };
  const teardown = async (): Promise<void> => {
    await stop();
    if (workspacePath) await deps.workspace.afterRun(workspacePath, issue, attemptInt, deps.drainDeadline());
  };
  const fail = (message: string, cause?: unknown): WorkerFailure =>
    new WorkerFailure(cause === undefined ? message : `${message}: ${errorMessage(cause)}`, { cause });

  try {
    await transitionInProgress(issue, deps, task.signal);
    await postDispatchComment(issue, attemptInt, deps, task.signal);

    try {
      workspacePath = (await deps.workspace.prepare(issue, attemptInt, task.signal)).path;
    } catch (err) {
      return result(kindFor(), fail("workspace preparation", err));
    }
    deps.onProgress({ kind: "workspace", path: workspacePath });
    log.info("workspace prepared", { workspace: workspacePath });

    let mcpConfigPath = "";
    try {
      mcpConfigPath = await deps.workspace.writeMcpConfig(workspacePath, issue, attemptInt);
      if (mcpConfigPath) log.debug("mcp config written", { path: mcpConfigPath });
      stateFile.enable(mcpConfigPath === "" ? "" : workspacePath);
    } catch (err) {
      await teardown();
      return result("error", fail("mcp config generation", err));
    }
    if (task.signal.aborted) {
      await teardown();
      return result("cancelled", fail("worker cancelled before the agent session started"));
    }

    try {
      session = await deps.agent.startSession(
        {
          workspacePath,
          agentConfig: {
            kind: cfg.agent.kind,
            command: cfg.agent.command,
            turnTimeoutMs: cfg.agent.turnTimeoutMs,
            readTimeoutMs: cfg.agent.readTimeoutMs,
            stallTimeoutMs: cfg.agent.stallTimeoutMs,
          },
          resumeSessionId: task.resumeSessionId,
          sshHost: task.sshHost,
          sshStrictHostKeyChecking: "",
          mcpConfigPath,
          env: deps.agentEnv(workspacePath),
        },
        task.signal,
      );
    } catch (err) {
      await teardown();
      return result(kindFor(), fail("agent session start", err));
    }
    noteSession(session.id || task.resumeSessionId);
    log.info("agent session started", { session_id: latestSessionId });

    stateFile.turn(0, maxTurns);

    for (let turn = 1; ; turn++) {
      let prompt: string;
      try {
        prompt = deps.render(deps.template, {
          issue,
          attempt: attemptInt,
          turnNumber: turn,
          maxTurns,
          continuation: turn === 1 ? task.continuation : null,
        });
      } catch (err) {
        await teardown();
        return result(kindFor(), fail(`prompt render (turn ${turn})`, err));
      }
      log.info("turn started", { turn_number: turn, max_turns: maxTurns });
      stateFile.turn(turn, maxTurns);
      const outcome = await runTurnWithTimeout(deps, session, prompt, issue, turn, task.signal, (event) => {
        if (event.type === "session_started") noteSession(event.sessionId);
        stateFile.usage(event);
      });
      if (outcome.error) {
        await teardown();
        return result(kindFor(), fail(`agent turn ${turn}`, outcome.error));
      }
      turnsCompleted++;
      deps.onProgress({ kind: "turns_completed", count: turnsCompleted });
      noteSession(outcome.result.sessionId);
      log.info("turn completed", { turn_number: turn, max_turns: maxTurns });
      if (outcome.result.exitReason !== "turn_completed") {
        log.warn("turn exit reason indicates failure", {
          turn_number: turn,
          exit_reason: outcome.result.exitReason,
        });
        await teardown();
        return result(kindFor(), fail(`agent turn ${turn} ended: ${outcome.result.exitReason}`));
      }
      const signalStatus = await deps.workspace.readStatusSignal(workspacePath);
      if (signalStatus === "blocked" || signalStatus === "needs-human-review") {
        log.info("agent signaled status, exiting worker", {
          status: signalStatus,
          turns_completed: turnsCompleted,
        });
        await teardown();
        return result("normal", null, { softStop: true, softStopReason: signalStatus });
      }
      let states: Map<string, string>;
      try {
        states = await deps.tracker.fetchIssueStatesByIds([issue.id], task.signal);
      } catch (err) {
        await teardown();
        return result(kindFor(), fail(`issue state refresh (turn ${turn})`, err));
      }
      const refreshed = states.get(issue.id);
      if (refreshed !== undefined) {
        issue.state = refreshed;
        log.info("issue state refreshed", { refreshed_state: refreshed });
      }
      if (!isActiveState(issue.state, deps.sets)) break;
      if (turn >= maxTurns) break;
    }

    await teardown();
    log.info("worker exiting", { exit_kind: "normal", turns_completed: turnsCompleted });
    return result("normal", null);
  } catch (err) {
    // An unexpected throw: tear down what exists and report it as the original's "worker panic".
    await teardown().catch(() => {});
    return result(kindFor(), new Error(`worker panic: ${errorMessage(err)}`, { cause: err }));
  }
}

async function runTurnWithTimeout(
  deps: WorkerDeps,
  session: Session,
  prompt: string,
  issue: Issue,
  turnNumber: number,
  workerSignal: AbortSignal,
  observe: (event: AgentEvent) => void,
): Promise<TurnOutcome> {
  const timeoutMs = deps.config.agent.turnTimeoutMs;
  const signal =
    timeoutMs > 0 ? AbortSignal.any([workerSignal, AbortSignal.timeout(timeoutMs)]) : workerSignal;
  return deps.agent.runTurn(
    session,
    {
      prompt,
      issue,
      turnNumber,
      onEvent: (event) => {
        observe(event);
        deps.onEvent(event);
      },
      onProcessGroup: (pgid) => deps.onProgress({ kind: "process_group", pgid }),
    },
    signal,
  );
}

async function transitionInProgress(issue: Issue, deps: WorkerDeps, signal: AbortSignal): Promise<void> {
  const target = deps.config.tracker.inProgressState;
  if (!target) return;
  if (issue.state.toLowerCase() === target.toLowerCase()) {
    deps.log.debug("skipped in-progress transition, issue already in target state");
    deps.metrics.dispatchTransition("skipped");
    return;
  }
  try {
    await deps.tracker.transitionIssue(issue.id, target, signal);
    issue.state = target;
    deps.onProgress({ kind: "issue_state", state: target });
    deps.metrics.dispatchTransition("success");
    deps.log.info("dispatch in-progress transition succeeded", { in_progress_state: target });
  } catch (err) {
    if (isAbortError(err) && signal.aborted) return;
    deps.metrics.dispatchTransition("error");
    deps.log.warn("dispatch in-progress transition failed", {
      in_progress_state: target,
      error: errorMessage(err),
    });
  }
}

async function postDispatchComment(
  issue: Issue,
  attempt: number,
  deps: WorkerDeps,
  signal: AbortSignal,
): Promise<void> {
  if (!deps.config.tracker.comments.onDispatch) return;
  try {
    await deps.tracker.commentIssue(issue.id, dispatchComment(deps.config.agent.kind, attempt), signal);
    deps.metrics.trackerComment("dispatch", "success");
    deps.log.info("dispatch comment posted");
  } catch (err) {
    deps.metrics.trackerComment("dispatch", "error");
    deps.log.warn("dispatch comment failed", { error: errorMessage(err) });
  }
}
