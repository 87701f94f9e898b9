// Renders the dashboard with eta from templates embedded in the binary (eta's file loader cannot
// read a compiled binary's virtual file system). Auto-escaping is on; raw output is used only for
// the constant stylesheet and script and for fragments these templates produced themselves.
import { Eta } from "eta/core";
import script from "./client.js" with { type: "text" };
import type { DashboardModel } from "./model.ts";
import styles from "./styles.css" with { type: "text" };
import activityTpl from "./templates/activity.eta" with { type: "text" };
import cardsTpl from "./templates/cards.eta" with { type: "text" };
import detailsTpl from "./templates/details.eta" with { type: "text" };
import footerTpl from "./templates/footer.eta" with { type: "text" };
import headerTpl from "./templates/header.eta" with { type: "text" };
import historyTpl from "./templates/history.eta" with { type: "text" };
import pageTpl from "./templates/page.eta" with { type: "text" };
import retryTpl from "./templates/retry.eta" with { type: "text" };
import runningTpl from "./templates/running.eta" with { type: "text" };
import unavailableTpl from "./templates/unavailable.eta" with { type: "text" };

const eta = new Eta({ autoEscape: true, cache: true, useWith: false, varName: "it" });
const TEMPLATES: Record<string, string> = {
  "@page": pageTpl,
  "@header": headerTpl,
  "@cards": cardsTpl,
  "@activity": activityTpl,
  "@running": runningTpl,
  "@retry": retryTpl,
  "@history": historyTpl,
  "@footer": footerTpl,
  "@details": detailsTpl,
  "@unavailable": unavailableTpl,
};
for (const [name, template] of Object.entries(TEMPLATES)) eta.loadTemplate(name, template);

/** The page regions a live update replaces, by element id. */
export const FRAGMENT_IDS = [
  "header-meta",
  "cards",
  "activity",
  "running",
  "retry",
  "history",
  "footer",
] as const;
export type FragmentId = (typeof FRAGMENT_IDS)[number];

const FRAGMENT_TEMPLATES: Record<FragmentId, string> = {
  "header-meta": "@header",
  cards: "@cards",
  activity: "@activity",
  running: "@running",
  retry: "@retry",
  history: "@history",
  footer: "@footer",
};

export function renderDashboardPage(model: DashboardModel): string {
  return eta.render("@page", { model, styles, script });
}

/** Server-rendered replacements for the live regions of an open page. */
export function renderDashboardFragments(model: DashboardModel): Record<FragmentId, string> {
  const out = {} as Record<FragmentId, string>;
  for (const id of FRAGMENT_IDS) out[id] = eta.render(FRAGMENT_TEMPLATES[id], { model });
  return out;
}

/** Minimal self-refreshing page for 503/500; never carries error details. */
export function renderUnavailablePage(message: string): string {
  return eta.render("@unavailable", { message });
}
