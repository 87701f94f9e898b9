// The dashboard route and its live fragments: reads a snapshot and run history, builds the model,
// renders it. Failures become minimal self-refreshing pages that never show error text.
import type { Logger } from "@logtape/logtape";
import type { OrchestratorView, RuntimeSnapshot } from "../../orchestrator/snapshot.ts";
import type { RecentRun, RunHistoryReader, UsageBucket } from "../history.ts";
import { HTML_CONTENT_TYPE } from "../respond.ts";
import type { TokenRates } from "../token-rates.ts";
import { CHART_BUCKET_MS, CHART_WINDOW_MS } from "./chart.ts";
import { buildDashboardModel, type DashboardModel, HISTORY_ROWS } from "./model.ts";
import {
  type FragmentId,
  renderDashboardFragments,
  renderDashboardPage,
  renderUnavailablePage,
} from "./render.ts";

export interface DashboardDeps {
  view: OrchestratorView;
  history: RunHistoryReader;
  version: string;
  startedAt: Date;
  tokenRates?: TokenRates;
  logger: Logger;
  historyBudgetMs?: number;
}

export interface Dashboard {
  /** GET / */
  page(): Promise<Response>;
  /** Live-update fragments for a snapshot; null when rendering failed (logged). */
  fragments(snapshot: RuntimeSnapshot): Promise<Record<FragmentId, string> | null>;
}

/** Run-history reads get this long before the dashboard renders without them. */
export const HISTORY_BUDGET_MS = 2000;

function withBudget<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run history query took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function htmlResponse(body: string, status: number): Response {
  return new Response(body, {
    status,
    headers: { "Content-Type": HTML_CONTENT_TYPE, "Cache-Control": "no-store" },
  });
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  const { logger } = deps;

  async function readHistory(now: Date): Promise<{ runs: RecentRun[] | null; usage: UsageBucket[] | null }> {
    const since = new Date(now.getTime() - CHART_WINDOW_MS);
    const budget = deps.historyBudgetMs ?? HISTORY_BUDGET_MS;
    const read = <T>(query: () => Promise<T>): Promise<T | null> =>
      withBudget(Promise.resolve().then(query), budget).catch((error: unknown) => {
        logger.warn("dashboard run history query failed", { error });
        return null;
      });
    const [runs, usage] = await Promise.all([
      read(() => deps.history.recentRuns(HISTORY_ROWS)),
      read(() => deps.history.tokenUsageSeries(since, CHART_BUCKET_MS)),
    ]);
    return { runs, usage };
  }

  async function model(snapshot: RuntimeSnapshot): Promise<DashboardModel> {
    const { runs, usage } = await readHistory(snapshot.generatedAt);
    return buildDashboardModel({
      snapshot,
      version: deps.version,
      startedAt: deps.startedAt,
      rates: deps.tokenRates,
      history: runs,
      usage,
    });
  }

  return {
    async page() {
      let snapshot: RuntimeSnapshot;
      try {
        snapshot = deps.view.snapshot();
      } catch (error) {
        logger.error("dashboard snapshot failed", { error });
        return htmlResponse(
          renderUnavailablePage(
            "The dashboard is temporarily unavailable: the orchestrator state cannot be read.",
          ),
          503,
        );
      }
      try {
        return htmlResponse(renderDashboardPage(await model(snapshot)), 200);
      } catch (error) {
        logger.error("dashboard template execution failed", { error });
        return htmlResponse(renderUnavailablePage("The dashboard could not be rendered."), 500);
      }
    },
    async fragments(snapshot) {
      try {
        return renderDashboardFragments(await model(snapshot));
      } catch (error) {
        logger.error("dashboard template execution failed", { error });
        return null;
      }
    },
  };
}
