// The orchestrator: the single writer of runtime state. Ticks, worker exits, retry timers, agent
// events and refresh requests arrive as messages and are handled one at a time; workers run as
// un-awaited tasks that only post messages; readers get snapshots and never wait on the mailbox.
import { getLogger, type Logger } from "@logtape/logtape";
import {
  agentInputsChanged,
  logReloadResult,
  trackerInputsChanged,
  type WorkflowManager,
} from "../config/index.ts";
import type { ServiceConfig } from "../config/types.ts";
import type { AgentAdapter, AgentEvent } from "../domain/agent.ts";
import { errorMessage } from "../domain/errors.ts";
import type { Issue } from "../domain/issue.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import type { Store } from "../persistence/store.ts";
import { settlesWithin } from "../platform/deadline.ts";
import { signalGroup } from "../platform/process-group.ts";
import type { PromptTemplate } from "../prompt/index.ts";
import type { DispatchRequest, OrchestratorContext, RetryRequest } from "./context.ts";
import { launchWorker } from "./dispatch.ts";
import { type StateSets, stateSets } from "./eligibility.ts";
import { recordAgentEvent } from "./events.ts";
import { handleWorkerExit } from "./exit.ts";
import { Mailbox, type Message, type WorkerProgress } from "./mailbox.ts";
import type { OrchestratorMetrics } from "./metrics.ts";
import { type AdapterCatalog, type PreflightResult, runPreflight } from "./preflight.ts";
import { applyWorkerProgress } from "./progress.ts";
import { Rebuildable } from "./rebuildable.ts";
import { cleanTerminalWorkspaces, maybeSweep } from "./reconcile.ts";
import { handleRetryFired } from "./retry.ts";
import { abandonedResult, waitUntil } from "./shutdown.ts";
import type { HealthFlags, OrchestratorView, RefreshAnswer, RuntimeSnapshot } from "./snapshot.ts";
import { newRunningEntry, newState, type RetryEntry, runAttempt, type State } from "./state.ts";
import { runTick } from "./tick.ts";
import { buildSnapshot, gaugeValues } from "./view.ts";
import type { WorkerDeps, WorkspaceOps } from "./worker.ts";

/** Workspace operations the orchestrator itself needs, beyond what a worker uses. */
export interface OrchestratorWorkspace extends WorkspaceOps {
  sanitizeKey(identifier: string): string;
  listKeys(root: string): Promise<string[]>;
  /** before_remove + rm -rf of a run's workspace; refuses paths outside the workspace root. */
  cleanupPath(path: string, issue: Issue, attempt: number): Promise<void>;
  /** Removes workspaces by key (start-up cleanup and sweep); returns how many were removed. */
  cleanupKeys(keys: string[]): Promise<number>;
}

export interface OrchestratorDeps {
  workflow: WorkflowManager<PromptTemplate>;
  store: Store;
  metrics: OrchestratorMetrics;
  catalog: AdapterCatalog;
  /** Adapters built for the start-up config; rebuilt with the builders when a reload changes their inputs. */
  tracker: TrackerAdapter;
  agent: AgentAdapter;
  buildTracker(config: ServiceConfig): TrackerAdapter;
  buildAgent(config: ServiceConfig): AgentAdapter;
  workspace: OrchestratorWorkspace;
  render: WorkerDeps["render"];
  /** Per-session agent environment (SORTIE_ISSUE_ID…, HOME when redirected). */
  agentEnv(issue: Issue, workspacePath: string, attempt: number): Record<string, string>;
  now?: () => number;
  logger?: Logger;
}

/** A retry restored from the database at start-up. */
export interface RestoredRetry {
  issueId: string;
  identifier: string;
  attempt: number;
  dueAtMs: number;
  remainingMs: number;
  error: string;
  sessionId: string;
}

const DRAIN_WORKERS_MS = 20_000;
const DRAIN_TRACKER_OPS_MS = 3_000;
const DETACHED_OP_TIMEOUT_MS = 30_000;

export class Orchestrator implements OrchestratorContext, OrchestratorView {
  readonly state: State;
  readonly store: Store;
  readonly metrics: OrchestratorMetrics;
  readonly log: Logger;
  readonly workflow: WorkflowManager<PromptTemplate>;
  readonly #deps: OrchestratorDeps;
  readonly #mailbox = new Mailbox();
  readonly #root = new AbortController();
  readonly #listeners = new Set<() => void>();
  readonly #now: () => number;
  readonly #tracker: Rebuildable<TrackerAdapter>;
  readonly #agent: Rebuildable<AgentAdapter>;
  #retryToken = 0;
  #tickTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshPending = false;
  #draining = false;
  #drainDeadline: AbortSignal | undefined;
  #started = false;
  #stopped = false;
  #preflightOk = true;
  #loopDone: Promise<void> | null = null;
  #workers = new Set<Promise<void>>();

  constructor(deps: OrchestratorDeps) {
    this.#deps = deps;
    this.store = deps.store;
    this.metrics = deps.metrics;
    this.workflow = deps.workflow;
    this.log = deps.logger ?? getLogger(["sortie", "orchestrator"]);
    this.#now = deps.now ?? Date.now;
    const cfg = deps.workflow.current().config;
    this.state = newState({
      pollIntervalMs: cfg.polling.intervalMs,
      maxConcurrentAgents: cfg.agent.maxConcurrentAgents,
    });
    this.state.maxConcurrentByState = cfg.agent.maxConcurrentAgentsByState;
    this.#tracker = new Rebuildable(
      {
        build: deps.buildTracker,
        changed: trackerInputsChanged,
        kind: (c) => c.tracker.kind,
        rebuiltMessage: "tracker adapter rebuilt after workflow change",
        failedMessage: "failed to construct tracker adapter",
        retire: (old) => void old.close?.(),
      },
      deps.tracker,
      cfg,
      this.log,
    );
    // Running sessions keep the agent adapter they started with, so a replaced one is not closed.
    this.#agent = new Rebuildable(
      {
        build: deps.buildAgent,
        changed: agentInputsChanged,
        kind: (c) => c.agent.kind,
        rebuiltMessage: "agent adapter rebuilt after workflow change",
        failedMessage: "failed to construct agent adapter",
      },
      deps.agent,
      cfg,
      this.log,
    );
  }

  // ---- context -------------------------------------------------------------------------------

  get rootSignal(): AbortSignal {
    return this.#root.signal;
  }

  get draining(): boolean {
    return this.#draining;
  }

  now(): number {
    return this.#now();
  }

  config(): ServiceConfig {
    return this.workflow.current().config;
  }

  sets(): StateSets {
    const t = this.config().tracker;
    return stateSets(t.activeStates, t.terminalStates);
  }

  tracker(): TrackerAdapter {
    return this.#tracker.current;
  }

  agent(): AgentAdapter {
    return this.#agent.current;
  }

  post(message: Message): void {
    this.#mailbox.post(message);
  }

  listWorkspaceKeys(root: string): Promise<string[]> {
    return this.#deps.workspace.listKeys(root);
  }

  cleanupTerminalKeys(keys: string[]): Promise<number> {
    return this.#deps.workspace.cleanupKeys(keys);
  }

  cleanupWorkspace(path: string, issue: Issue, attempt: number): Promise<void> {
    return this.#deps.workspace.cleanupPath(path, issue, attempt);
  }

  scheduleRetry(request: RetryRequest): RetryEntry {
    this.cancelRetry(request.issueId);
    const delayMs = Math.max(request.delayMs, 0);
    const token = ++this.#retryToken;
    const entry: RetryEntry = {
      issueId: request.issueId,
      identifier: request.identifier,
      displayId: request.displayId,
      attempt: request.attempt,
      dueAtMs: this.#now() + delayMs,
      error: request.error,
      sessionId: request.sessionId,
      timer: null,
      token,
      scheduledDelayMs: delayMs,
      lastSshHost: request.lastSshHost ?? "",
      continuation: request.continuation ?? null,
      reactionKind: request.reactionKind ?? "",
    };
    if (request.armTimer !== false && !this.#draining) {
      entry.timer = setTimeout(
        () => this.post({ type: "retryFired", issueId: request.issueId, token }),
        delayMs,
      );
    }
    this.state.retryAttempts.set(request.issueId, entry);
    this.state.claimed.add(request.issueId);
    return entry;
  }

  cancelRetry(issueId: string): void {
    const entry = this.state.retryAttempts.get(issueId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.state.retryAttempts.delete(issueId);
  }

  async release(issueId: string): Promise<void> {
    this.state.claimed.delete(issueId);
    this.cancelRetry(issueId);
    await this.store
      .deleteRetryEntry(issueId)
      .catch((err) =>
        this.log.error("failed to delete retry entry", { issue_id: issueId, error: errorMessage(err) }),
      );
  }

  trackDetached(op: (signal: AbortSignal) => Promise<void>): void {
    const promise: Promise<void> = op(AbortSignal.timeout(DETACHED_OP_TIMEOUT_MS))
      .catch(() => {})
      .finally(() => this.state.trackerOps.delete(promise));
    this.state.trackerOps.add(promise);
  }

  async dispatch(request: DispatchRequest): Promise<void> {
    const { issue } = request;
    const cfg = this.config();
    const entry = newRunningEntry({
      issue,
      retryAttempt: request.attempt,
      startedAt: this.#now(),
      sessionId: request.resumeSessionId,
      sshHost: request.sshHost,
      workflowFile: this.workflow.fileName(),
      agentKind: cfg.agent.kind,
      continuation: request.continuation,
    });
    this.state.claimed.add(issue.id);
    this.state.running.set(issue.id, entry);
    this.cancelRetry(issue.id);
    const log = this.log.with({ issue_id: issue.id, issue_identifier: issue.identifier });
    try {
      await this.store.insertActiveRun({
        issueId: issue.id,
        identifier: issue.identifier,
        displayIdentifier: issue.displayId || null,
        attempt: runAttempt(request.attempt),
        sessionId: request.resumeSessionId || null,
        agentAdapter: cfg.agent.kind,
        workspace: "",
        workflowFile: this.workflow.fileName(),
        pgid: null,
        startedAt: new Date(entry.startedAt),
      });
    } catch (err) {
      log.error("failed to persist active run", { error: errorMessage(err) });
    }
    const task = launchWorker(
      {
        issue,
        attempt: request.attempt,
        resumeSessionId: request.resumeSessionId,
        continuation: request.continuation,
        signal: AbortSignal.any([this.#root.signal, entry.abort.signal]),
        sshHost: request.sshHost,
      },
      {
        config: cfg,
        template: this.workflow.current().template,
        tracker: this.#tracker.current,
        agent: this.#agent.current,
        workspace: this.#deps.workspace,
        render: this.#deps.render,
        metrics: this.metrics,
        log,
        agentEnv: (workspace) => this.#deps.agentEnv(issue, workspace, request.attempt ?? 0),
        sets: this.sets(),
        onEvent: (event) => this.post({ type: "agentEvent", issueId: issue.id, event }),
        onProgress: (progress) => this.post({ type: "workerProgress", issueId: issue.id, progress }),
        rootSignal: this.#root.signal,
        drainDeadline: () => this.#drainDeadline,
      },
      (result) => this.post({ type: "workerExit", result }),
    );
    if (task === null) {
      this.metrics.dispatch("error");
      return;
    }
    this.metrics.dispatch("success");
    const tracked: Promise<void> = task.finally(() => this.#workers.delete(tracked));
    this.#workers.add(tracked);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Restores persisted retries (claimed before the first tick so nothing is dispatched twice),
   * handles overdue ones first, then starts ticking.
   */
  start(restored: RestoredRetry[], totals: State["agentTotals"] | null = null): void {
    if (this.#started) return;
    this.#started = true;
    if (totals) this.state.agentTotals = { ...totals };
    for (const r of restored) {
      const entry: RetryEntry = {
        issueId: r.issueId,
        identifier: r.identifier,
        displayId: "",
        attempt: r.attempt,
        dueAtMs: r.dueAtMs,
        error: r.error,
        sessionId: r.sessionId,
        timer: null,
        token: ++this.#retryToken,
        scheduledDelayMs: r.remainingMs,
        lastSshHost: "",
        continuation: null,
        reactionKind: "",
      };
      this.state.retryAttempts.set(r.issueId, entry);
      this.state.claimed.add(r.issueId);
    }
    for (const entry of this.state.retryAttempts.values()) {
      const remaining = Math.max(entry.dueAtMs - this.#now(), 0);
      if (remaining > 0) {
        entry.timer = setTimeout(
          () => this.post({ type: "retryFired", issueId: entry.issueId, token: entry.token }),
          remaining,
        );
      } else {
        this.post({ type: "retryFired", issueId: entry.issueId, token: entry.token });
      }
    }
    this.post({ type: "tick" });
    this.#loopDone = this.#loop();
  }

  /** Start-up terminal cleanup over all workspace keys (before the first tick). */
  async startupCleanup(): Promise<void> {
    await cleanTerminalWorkspaces(this, {
      exclude: new Set(),
      listFailed: "failed to list workspace keys, skipping cleanup",
      fetchFailed: "failed to fetch issue states for workspace cleanup",
      sweep: false,
    });
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const message = await this.#mailbox.take();
      if (this.#stopped) break;
      try {
        await this.#handle(message);
      } catch (err) {
        this.log.error("orchestrator handler failed", { message: message.type, error: errorMessage(err) });
      }
    }
  }

  async #handle(message: Message): Promise<void> {
    switch (message.type) {
      case "tick":
      case "refresh":
        if (this.#draining) return;
        if (message.type === "refresh") this.#refreshPending = false;
        await this.#tick(message.type === "tick");
        return;
      case "workerExit":
        await handleWorkerExit(this, message.result);
        this.#refreshGauges();
        this.#notify();
        return;
      case "retryFired":
        if (this.#draining) return;
        await handleRetryFired(this, message.issueId, message.token);
        this.#refreshGauges();
        this.#notify();
        return;
      case "agentEvent":
        this.#onAgentEvent(message.issueId, message.event);
        return;
      case "workerProgress":
        await this.#onWorkerProgress(message.issueId, message.progress);
        return;
    }
  }

  async #tick(periodic: boolean): Promise<void> {
    const started = performance.now();
    let result: "success" | "error" = "error";
    try {
      result = await runTick(this, {
        preflight: () => this.#preflight(),
        sweep: () => maybeSweep(this, (id) => this.#deps.workspace.sanitizeKey(id)),
      });
    } finally {
      this.metrics.pollCycle(result, (performance.now() - started) / 1000);
      this.#refreshGauges();
      this.#notify();
      if (periodic) this.#armTick();
    }
  }

  #armTick(): void {
    if (this.#draining || this.#stopped) return;
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    this.#tickTimer = setTimeout(() => {
      this.#tickTimer = null;
      this.post({ type: "tick" });
    }, this.state.pollIntervalMs);
  }

  async #preflight(): Promise<PreflightResult> {
    const reload = await this.workflow.reload("poll");
    logReloadResult(reload, this.workflow.path, this.log);
    if (reload.status === "failed") {
      this.#preflightOk = false;
      const message = `workflow file cannot be loaded: ${reload.message}`;
      return {
        ok: false,
        errors: [{ severity: "error", check: "workflow_load", message }],
        warnings: [],
        message: `dispatch preflight failed: ${message}`,
      };
    }
    const cfg = this.config();
    this.#tracker.refresh(cfg);
    this.#agent.refresh(cfg);
    const result = await runPreflight(cfg, this.#deps.catalog);
    this.#preflightOk = result.ok;
    return result;
  }

  /** Applies adapter-bound config changes: new tracker from the next call, new agent for new sessions. */
  #onAgentEvent(issueId: string, event: AgentEvent): void {
    if (recordAgentEvent(this, issueId, event)) this.#notify();
  }

  async #onWorkerProgress(issueId: string, progress: WorkerProgress): Promise<void> {
    const entry = this.state.running.get(issueId);
    if (!entry) return;
    await applyWorkerProgress(entry, progress, this.store, this.log);
    this.#notify();
  }

  #refreshGauges(): void {
    this.metrics.gauges(gaugeValues(this.state, this.#now()));
  }

  #notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A broken subscriber must not break the loop.
      }
    }
  }

  /**
   * Graceful shutdown: stop dispatching, abort every worker, let their exits persist interrupted
   * runs as resuming retries, then wait for detached tracker calls. Bounded by the drain budgets.
   */
  async shutdown(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    this.#drainDeadline = AbortSignal.timeout(DRAIN_WORKERS_MS);
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    this.#tickTimer = null;
    this.#mailbox.retain(
      (m) => m.type === "workerExit" || m.type === "agentEvent" || m.type === "workerProgress",
    );
    this.#root.abort(new Error("sortie is shutting down"));
    this.#notify();
    const running = this.state.running.size;
    if (running > 0) {
      this.log.info("draining workers", { count: running });
      const drained = await waitUntil(
        this.#now,
        () => this.state.running.size === 0 && this.#workers.size === 0,
        DRAIN_WORKERS_MS,
      );
      if (!drained) await this.#abandonWorkers();
    }
    if (this.state.trackerOps.size > 0) {
      const done = await settlesWithin(Promise.all(this.state.trackerOps), DRAIN_TRACKER_OPS_MS);
      if (!done) this.log.warn("tracker ops drain timeout exceeded, abandoning in-flight calls");
    }
    for (const entry of this.state.retryAttempts.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    }
    this.#stopped = true;
    this.#mailbox.post({ type: "tick" });
    await this.#loopDone;
    await this.#agent.current.close?.();
    await this.#tracker.current.close?.();
  }

  /** Second signal: kill every agent process group now. */
  killAgentsNow(): void {
    for (const entry of this.state.running.values()) {
      for (const pgid of entry.processGroups) signalGroup(pgid, "SIGKILL");
    }
    void this.#agent.current.close?.();
  }

  async #abandonWorkers(): Promise<void> {
    const remaining = [...this.state.running.values()];
    this.log.warn("drain timeout exceeded, abandoning workers", { remaining: remaining.length });
    for (const entry of remaining) {
      for (const pgid of entry.processGroups) signalGroup(pgid, "SIGKILL");
      try {
        await handleWorkerExit(this, abandonedResult(entry));
      } catch (err) {
        this.log.error("failed to record abandoned worker", {
          issue_id: entry.issueId,
          error: errorMessage(err),
        });
      }
    }
  }

  // ---- view ----------------------------------------------------------------------------------

  snapshot(): RuntimeSnapshot {
    if (!this.#started || this.#stopped) throw new Error("orchestrator state snapshot unavailable");
    return buildSnapshot(this.state, this.#now(), this.#tracker.current.rateLimitPauses?.() ?? []);
  }

  health(): HealthFlags {
    return {
      preflightOk: this.#preflightOk,
      workflowLoaded: true,
      started: this.#started,
      draining: this.#draining,
    };
  }

  requestRefresh(): RefreshAnswer {
    if (this.#draining) return { queued: false, reason: "draining" };
    if (this.#refreshPending) return { queued: true, coalesced: true };
    this.#refreshPending = true;
    this.post({ type: "refresh" });
    return { queued: true, coalesced: false };
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
