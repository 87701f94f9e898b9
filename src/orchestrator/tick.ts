// One poll tick: defensive reload + preflight, reconciliation, then fetch, sort and dispatch.
import { errorMessage } from "../domain/errors.ts";
import type { Issue } from "../domain/issue.ts";
import type { OrchestratorContext } from "./context.ts";
import { globalSlotsAvailable, hasAvailableSlots, shouldDispatch, sortForDispatch } from "./eligibility.ts";
import type { PreflightResult } from "./preflight.ts";
import { detectStalls, refreshRunningStates } from "./reconcile.ts";
import { slotInputs } from "./slots.ts";

const BUDGET_QUERY_CHUNK = 500;

export interface TickHooks {
  /** Reload + preflight; the orchestrator also swaps adapters whose inputs changed. */
  preflight(): Promise<PreflightResult>;
  /** The periodic terminal-workspace sweep (every 60th tick). */
  sweep(): Promise<void>;
}

async function rebuildBudgetExhausted(ctx: OrchestratorContext, issues: Issue[]): Promise<void> {
  const max = ctx.config().agent.maxSessions;
  if (max <= 0) {
    ctx.state.budgetExhausted.clear();
    return;
  }
  if (issues.length === 0) return;
  try {
    const exhausted = new Set<string>();
    const ids = issues.map((i) => i.id);
    for (let i = 0; i < ids.length; i += BUDGET_QUERY_CHUNK) {
      for (const id of await ctx.store.queryBudgetExhaustedIssues(
        ids.slice(i, i + BUDGET_QUERY_CHUNK),
        max,
      )) {
        exhausted.add(id);
      }
    }
    ctx.state.budgetExhausted = exhausted;
  } catch (err) {
    ctx.log.warn("budget exhaustion query failed, retaining previous set", { error: errorMessage(err) });
  }
}

/** Returns the poll result for the metrics. */
export async function runTick(ctx: OrchestratorContext, hooks: TickHooks): Promise<"success" | "error"> {
  const validation = await hooks.preflight();
  const cfg = ctx.config();
  const { state } = ctx;
  state.pollIntervalMs = cfg.polling.intervalMs;
  state.maxConcurrentAgents = cfg.agent.maxConcurrentAgents;
  state.maxConcurrentByState = cfg.agent.maxConcurrentAgentsByState;

  detectStalls(ctx);
  await refreshRunningStates(ctx);
  await hooks.sweep();

  if (!validation.ok) {
    ctx.log.error("dispatch preflight failed", { error: validation.message });
    return "error";
  }
  if (ctx.draining) return "success";

  let issues: Issue[];
  try {
    issues = await ctx.tracker().fetchCandidateIssues(ctx.rootSignal);
  } catch (err) {
    if (ctx.rootSignal.aborted) return "success";
    ctx.log.error("failed to fetch candidate issues", { error: errorMessage(err) });
    return "error";
  }
  const sorted = sortForDispatch(issues);
  await rebuildBudgetExhausted(ctx, sorted);

  const sets = ctx.sets();
  let dispatched = 0;
  for (const issue of sorted) {
    if (ctx.draining) break;
    const slots = slotInputs(ctx);
    if (globalSlotsAvailable(slots) === 0) break;
    if (!hasAvailableSlots(issue.state, slots)) continue;
    if (!shouldDispatch(issue, sets, state)) continue;
    await ctx.dispatch({ issue, attempt: null, sshHost: "", resumeSessionId: "", continuation: null });
    dispatched++;
  }
  ctx.log.info("tick completed", {
    candidates: issues.length,
    dispatched,
    running: state.running.size,
    retrying: state.retryAttempts.size,
  });
  return "success";
}
