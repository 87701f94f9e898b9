// `--dry-run`: one poll of the tracker, logging for each candidate whether it would be dispatched
// and with how many slots left, without a database, agents, workspaces or HTTP.
import type { Logger } from "@logtape/logtape";
import { parseWorkerExtension } from "../config/index.ts";
import type { ServiceConfig } from "../config/types.ts";
import { errorMessage } from "../domain/errors.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import {
  globalSlotsAvailable,
  shouldDispatch,
  sortForDispatch,
  stateSets,
  stateSlotsAvailable,
} from "../orchestrator/eligibility.ts";

export async function runDryRun(
  config: ServiceConfig,
  tracker: TrackerAdapter,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  let issues: Awaited<ReturnType<TrackerAdapter["fetchCandidateIssues"]>>;
  try {
    issues = await tracker.fetchCandidateIssues(signal);
  } catch (err) {
    log.error("dry-run: failed to fetch candidate issues", { error: errorMessage(err) });
    return 1;
  }
  for (const warning of parseWorkerExtension(config.extensions).warnings) {
    log.warn(warning.message, warning.attributes);
  }
  const sets = stateSets(config.tracker.activeStates, config.tracker.terminalStates);
  const running = new Map<string, string>();
  const claimed = new Set<string>();
  let wouldDispatch = 0;
  for (const issue of sortForDispatch(issues)) {
    const slots = {
      maxConcurrentAgents: config.agent.maxConcurrentAgents,
      maxConcurrentByState: config.agent.maxConcurrentAgentsByState,
      runningStates: [...running.values()],
    };
    const global = globalSlotsAvailable(slots);
    const perState = stateSlotsAvailable(issue.state, slots);
    const eligible = shouldDispatch(issue, sets, { running, claimed, budgetExhausted: new Set() });
    const dispatch = eligible && global > 0 && perState > 0;
    if (dispatch) {
      running.set(issue.id, issue.state);
      claimed.add(issue.id);
      wouldDispatch++;
    }
    log.info("dry-run: candidate", {
      issue_id: issue.id,
      issue_identifier: issue.identifier,
      title: issue.title,
      state: issue.state,
      would_dispatch: dispatch,
      global_slots_available: global,
      state_slots_available: perState,
      ...(issue.priority !== null ? { priority: issue.priority } : {}),
    });
  }
  log.info("dry-run: complete", {
    candidates_fetched: issues.length,
    would_dispatch: wouldDispatch,
    ineligible: issues.length - wouldDispatch,
    max_concurrent_agents: config.agent.maxConcurrentAgents,
  });
  return 0;
}
