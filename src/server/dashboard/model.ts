// Turns a snapshot plus run history into the plain strings the dashboard templates print. Every
// rule about what is shown (sorting, fallbacks, unknown versus zero) lives here, not in templates.
import type { RunningSnapshot, RuntimeSnapshot } from "../../orchestrator/snapshot.ts";
import type { RecentRun, UsageBucket } from "../history.ts";
import { estimateActiveCost, estimateSessionCost, hasTokenRates, type TokenRates } from "../token-rates.ts";
import { buildActivityChart, type ChartModel } from "./chart.ts";
import {
  formatClock,
  formatCost,
  formatDuration,
  formatInteger,
  formatPercent,
  formatRelativeDue,
} from "./format.ts";

export const HISTORY_ROWS = 25;
const DASH = "—";

export interface DashboardInput {
  snapshot: RuntimeSnapshot;
  version: string;
  /** Process start, for the uptime. */
  startedAt: Date;
  rates?: TokenRates;
  /** Newest first; null when the query failed (the section is then left out). */
  history: RecentRun[] | null;
  usage: UsageBucket[] | null;
}

export interface Card {
  label: string;
  value: string;
  accent: "green" | "yellow" | "grey" | "blue";
}

export interface DetailItem {
  label: string;
  value: string;
  /** Secondary text printed in <small>, with its tooltip. */
  note?: string;
  noteTitle?: string;
  /** Full-width, monospace, pre-wrapped (errors). */
  block?: boolean;
}

export interface RowBase {
  expandKey: string;
  detailId: string;
  even: boolean;
  label: string;
  details: DetailItem[];
}

export interface RunningRow extends RowBase {
  href: string;
  state: string;
  turns: string;
  duration: string;
  lastEvent: string;
}

export interface RetryRow extends RowBase {
  attempt: string;
  due: string;
}

export interface HistoryRow extends RowBase {
  status: string;
  statusClass: string;
  started: string;
  duration: string;
}

export interface DashboardModel {
  version: string;
  uptime: string;
  clock: string;
  cards: Card[];
  chart: ChartModel | null;
  running: RunningRow[];
  retry: RetryRow[];
  /** null = section not rendered (no rows, or the query failed). */
  history: HistoryRow[] | null;
  footer: {
    runtime: string;
    input: string;
    cacheRead: string;
    output: string;
    /** Present only when token rates are configured. */
    estCost: string | null;
  };
}

const label = (displayId: string | null | undefined, identifier: string): string =>
  displayId ? displayId : identifier;

/** Session total, or null when the agent reports no token counts at all. */
function sessionTokens(entry: RunningSnapshot): number | null {
  if (entry.totalTokens !== null) return entry.totalTokens;
  if (entry.inputTokens === null && entry.outputTokens === null) return null;
  return (entry.inputTokens ?? 0) + (entry.outputTokens ?? 0);
}

const counter = (n: number | null): string => (n === null ? DASH : formatInteger(n));

function runningDetails(
  entry: RunningSnapshot,
  generatedAt: Date,
  showHost: boolean,
  rates: TokenRates | undefined,
): DetailItem[] {
  const elapsedMs = generatedAt.getTime() - entry.startedAt.getTime();
  const items: DetailItem[] = [{ label: "Workflow", value: entry.workflowFile || DASH }];
  if (showHost) items.push({ label: "Host", value: entry.sshHost || "local" });
  items.push({ label: "Model", value: entry.modelName || DASH });
  items.push({ label: "API Requests", value: formatInteger(entry.apiRequestCount) });
  const total = sessionTokens(entry);
  const tokens: DetailItem = { label: "Tokens", value: total === null ? "unknown" : formatInteger(total) };
  if (total !== null && entry.cacheReadTokens !== null && entry.cacheReadTokens > 0) {
    tokens.note = `(${formatInteger(entry.cacheReadTokens)} cached)`;
    tokens.noteTitle =
      "Input tokens served from the provider's prompt cache (cache reads), included in the total";
  }
  items.push(tokens);
  if (total !== null) {
    items.push({
      label: "Token Breakdown",
      value: `in ${counter(entry.inputTokens)} · out ${counter(entry.outputTokens)} · cache read ${counter(
        entry.cacheReadTokens,
      )} · cache write ${counter(entry.cacheWriteTokens)}`,
    });
  }
  if (entry.premiumRequests !== null) {
    items.push({ label: "Premium Requests", value: formatInteger(entry.premiumRequests) });
  }
  items.push({ label: "Tool Time", value: formatPercent(entry.toolTimeMs, elapsedMs) });
  items.push({ label: "API Time", value: formatPercent(entry.apiTimeMs, elapsedMs) });
  if (entry.costUsd !== null) items.push({ label: "Cost", value: formatCost(entry.costUsd) });
  if (hasTokenRates(rates)) {
    const est = estimateSessionCost(entry, rates);
    items.push({ label: "Est. Cost", value: est === null ? DASH : formatCost(est) });
  }
  return items;
}

function historyDuration(run: RecentRun): string {
  const started = Date.parse(run.startedAt);
  const completed = Date.parse(run.completedAt);
  if (!Number.isFinite(started) || !Number.isFinite(completed)) return "";
  return formatDuration((completed - started) / 1000);
}

const KNOWN_STATUSES = new Set(["succeeded", "failed", "cancelled", "timed_out", "ci_failed", "stalled"]);

export function buildDashboardModel(input: DashboardInput): DashboardModel {
  const { snapshot, rates } = input;
  const now = snapshot.generatedAt;
  const ratesOn = hasTokenRates(rates);

  const running = [...snapshot.running].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const showHost = running.some((entry) => entry.sshHost !== "");
  const runningRows: RunningRow[] = running.map((entry, i) => {
    const shown = label(entry.displayId, entry.identifier);
    return {
      expandKey: `running:${shown}`,
      detailId: `detail-running-${i}`,
      even: i % 2 === 1,
      label: shown,
      href: `/api/v1/${encodeURIComponent(entry.identifier)}`,
      state: entry.state,
      turns: formatInteger(entry.turnCount),
      duration: formatDuration((now.getTime() - entry.startedAt.getTime()) / 1000),
      lastEvent: entry.lastEvent,
      details: runningDetails(entry, now, showHost, rates),
    };
  });

  const retrying = [...snapshot.retrying].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const retryRows: RetryRow[] = retrying.map((entry, i) => {
    const shown = label(entry.displayId, entry.identifier);
    return {
      expandKey: `retry:${shown}`,
      detailId: `detail-retry-${i}`,
      even: i % 2 === 1,
      label: shown,
      attempt: formatInteger(entry.attempt),
      due: formatRelativeDue(entry.dueAt, now),
      details: [{ label: "Error", value: entry.error || DASH, block: true }],
    };
  });

  let historyRows: HistoryRow[] | null = null;
  if (input.history && input.history.length > 0) {
    historyRows = input.history.slice(0, HISTORY_ROWS).map((run, i) => {
      const shown = label(run.displayIdentifier, run.identifier);
      return {
        expandKey: `history:${shown}:${run.attempt}`,
        detailId: `detail-history-${i}`,
        even: i % 2 === 1,
        label: shown,
        status: run.status,
        statusClass: KNOWN_STATUSES.has(run.status) ? run.status : "other",
        started: run.startedAt,
        duration: historyDuration(run),
        details: [
          { label: "Attempt", value: formatInteger(run.attempt) },
          { label: "Turns", value: formatInteger(run.turnsCompleted) },
          { label: "Workflow", value: run.workflowFile || DASH },
          { label: "Error", value: run.error || DASH, block: true },
        ],
      };
    });
  }

  const activeCost = estimateActiveCost(snapshot.running, rates);
  const cards: Card[] = [
    { label: "Running", value: formatInteger(snapshot.running.length), accent: "green" },
    { label: "Retrying", value: formatInteger(snapshot.retrying.length), accent: "yellow" },
    {
      label: "Slots Free",
      value: formatInteger(Math.max(snapshot.maxConcurrentAgents - snapshot.running.length, 0)),
      accent: "grey",
    },
    { label: "Total Tokens", value: formatInteger(snapshot.agentTotals.totalTokens), accent: "blue" },
  ];
  if (ratesOn) {
    cards.push({
      label: "Active Est. Cost (USD)",
      value: activeCost === null ? DASH : formatCost(activeCost),
      accent: "grey",
    });
  }

  return {
    version: input.version || "dev",
    uptime: formatDuration((now.getTime() - input.startedAt.getTime()) / 1000),
    clock: formatClock(now),
    cards,
    chart: input.usage ? buildActivityChart(input.usage, snapshot.running, now) : null,
    running: runningRows,
    retry: retryRows,
    history: historyRows,
    footer: {
      runtime: formatDuration(snapshot.agentTotals.secondsRunning),
      input: formatInteger(snapshot.agentTotals.inputTokens),
      cacheRead: formatInteger(snapshot.agentTotals.cacheReadTokens),
      output: formatInteger(snapshot.agentTotals.outputTokens),
      estCost: ratesOn ? (activeCost === null ? DASH : formatCost(activeCost)) : null,
    },
  };
}
