import { describe, expect, test } from "bun:test";
import type { RuntimeSnapshot } from "../../../src/orchestrator/snapshot.ts";
import { createApp } from "../../../src/server/app.ts";
import { buildDashboardModel, type DashboardInput } from "../../../src/server/dashboard/model.ts";
import {
  FRAGMENT_IDS,
  renderDashboardFragments,
  renderDashboardPage,
} from "../../../src/server/dashboard/render.ts";
import type { RecentRun, RunHistoryReader, UsageBucket } from "../../../src/server/history.ts";
import type { TokenRates } from "../../../src/server/token-rates.ts";
import { captureLogger } from "./capture-logger.ts";
import { FakeView, GENERATED_AT, makeRetry, makeRunning, makeSnapshot } from "./fake-view.ts";

const XSS = `<script>alert("x")</script>'&`;
const RATES: TokenRates = { "claude-code": { inputPerMtok: 3, outputPerMtok: 15 } };

function run(overrides: Partial<RecentRun> = {}): RecentRun {
  return {
    issueId: "1",
    identifier: "PROJ-1",
    displayIdentifier: null,
    attempt: 1,
    status: "succeeded",
    startedAt: "2026-04-26T09:00:00Z",
    completedAt: "2026-04-26T09:12:30Z",
    turnsCompleted: 4,
    workflowFile: "WORKFLOW.md",
    error: null,
    ...overrides,
  };
}

function render(snapshot: RuntimeSnapshot, extra: Partial<DashboardInput> = {}): string {
  return renderDashboardPage(
    buildDashboardModel({
      snapshot,
      version: "1.0.0",
      startedAt: new Date(GENERATED_AT.getTime() - 3723_000),
      history: [],
      usage: [],
      ...extra,
    }),
  );
}

/** The page from the element with this id onwards, up to the start of the next live region. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  const next = /<div id="|<section class="cards" id="|<div class="meta" id="/g;
  next.lastIndex = start + 1;
  const end = next.exec(html)?.index ?? html.length;
  return html.slice(start, end);
}

describe("dashboard page", () => {
  test("is one self-contained document with no external assets", () => {
    const html = render(makeSnapshot({ running: [makeRunning()], retrying: [makeRetry()] }), {
      history: [run()],
      usage: [
        { start: new Date(GENERATED_AT.getTime() - 3600_000), sessionsByStatus: { succeeded: 1 }, tokens: 5 },
      ],
    });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("<title>Sortie Dashboard</title>");
    expect(html).toContain('<link rel="icon" type="image/x-icon" href="/favicon.ico">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toMatch(
      /<head>[\s\S]*<noscript><meta http-equiv="refresh" content="5"><\/noscript>[\s\S]*<\/head>/,
    );
    expect(html).toContain("prefers-color-scheme: dark");
    expect(html).toContain("prefers-reduced-motion: reduce");
    expect(html).toContain("<style>");
    expect(html).toContain("<script>");
    expect(html).not.toMatch(/\s(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  test("shows the header, the cards in order and the footer totals", () => {
    const html = render(
      makeSnapshot({ running: [makeRunning()], retrying: [makeRetry(), makeRetry({ identifier: "B" })] }),
      { version: "" },
    );
    expect(html).toContain("<h1>Sortie</h1>");
    expect(html).toMatch(/class="badge"[^>]*>dev</);
    expect(html).toContain("Uptime: 1h 2m 3s · <time>10:15:30</time> UTC");
    const labels = [
      ...html.matchAll(/<div class="card-label">([^<]*)<\/div>\s*<div class="card-value">([^<]*)</g),
    ].map((m) => [m[1], m[2]]);
    expect(labels).toEqual([
      ["Running", "1"],
      ["Retrying", "2"],
      ["Slots Free", "1"],
      ["Total Tokens", "7,400"],
    ]);
    expect(html).toContain("Agent runtime: 30m 34s · Input: 5,000 · Cache Read: 1,500 · Output: 2,400</p>");
    expect(html).toContain("Auto-refresh every 5s");
    expect(html).not.toContain("Est. Cost");
  });

  test("shows cost estimates only when token rates are configured", () => {
    const snapshot = makeSnapshot({
      running: [makeRunning({ inputTokens: 1_000_000, outputTokens: 100_000 })],
    });
    const withRates = render(snapshot, { rates: RATES });
    expect(withRates).toMatch(/Active Est\. Cost \(USD\)<\/div>\s*<div class="card-value">\$4\.50</);
    expect(withRates).toContain("· Est. Cost: $4.50</p>");
    expect(withRates).toContain("may differ from provider billing");
    expect(withRates).toMatch(/<dt>Est\. Cost<\/dt>\s*<dd>\$4\.50/);

    const otherKind = render(makeSnapshot({ running: [makeRunning({ agentKind: "codex" })] }), {
      rates: RATES,
    });
    expect(otherKind).toMatch(/Active Est\. Cost \(USD\)<\/div>\s*<div class="card-value">—</);
    expect(otherKind).toMatch(/<dt>Est\. Cost<\/dt>\s*<dd>—/);
  });

  test("renders empty states for both queues and leaves out history and activity without rows", () => {
    const html = render(makeSnapshot());
    expect(html).toContain("<em>No running sessions</em>");
    expect(html).toContain("<em>No retries pending</em>");
    expect(html).not.toContain("Run History");
    expect(html).not.toContain("<svg");
  });

  test("sorts running sessions by start and retries by due time, striping even rows", () => {
    const html = render(
      makeSnapshot({
        running: [
          makeRunning({ identifier: "LATE", startedAt: new Date("2026-04-26T10:10:00Z") }),
          makeRunning({ identifier: "EARLY", startedAt: new Date("2026-04-26T10:00:00Z") }),
        ],
        retrying: [
          makeRetry({ identifier: "R-LATER", dueAt: new Date("2026-04-26T10:30:00Z") }),
          makeRetry({ identifier: "R-SOON", dueAt: new Date("2026-04-26T10:16:00Z") }),
        ],
      }),
    );
    const keys = [
      ...html.matchAll(/<tr class="accordion-header( row-even)?" data-expand-key="([^"]*)"/g),
    ].map((m) => [m[2], Boolean(m[1])]);
    expect(keys).toEqual([
      ["running:EARLY", false],
      ["running:LATE", true],
      ["retry:R-SOON", false],
      ["retry:R-LATER", true],
    ]);
    expect(html).toContain('<tr class="row-detail" id="detail-running-0" aria-hidden="true">');
    expect(html).toContain('aria-controls="detail-retry-1"');
    expect(html).toContain("<td>in 29s</td>");
    expect(html).toContain("<td>in 14m 29s</td>");
  });

  test("prints running rows and their detail panel", () => {
    const html = render(
      makeSnapshot({
        running: [
          makeRunning({
            identifier: "owner/repo#42",
            displayId: "repo#42",
            modelName: "example-model",
            costUsd: 0.42,
            toolTimeMs: 87_012.3,
            apiTimeMs: 0,
            sshHost: "builder-1",
          }),
          makeRunning({ identifier: "LOCAL-1", startedAt: new Date("2026-04-26T10:05:00Z") }),
        ],
      }),
    );
    const running = section(html, "running");
    expect(running).toContain('<a href="/api/v1/owner%2Frepo%2342">repo#42</a>');
    expect(running).toContain('aria-label="Toggle details for repo#42"');
    expect(running).toContain('<td colspan="5">');
    expect(running).toContain("<td>14m 30s</td>");
    expect(running).toContain('<td class="num">3</td>');
    expect(running).toContain("<code>tool_result</code>");
    const details = (label: string) => new RegExp(`<dt>${label}</dt>\\s*<dd>([^<]*)`).exec(running)?.[1];
    expect(details("Workflow")).toBe("WORKFLOW.md");
    expect(details("Host")).toBe("builder-1");
    expect(details("Model")).toBe("example-model");
    expect(details("API Requests")).toBe("3");
    expect(details("Tokens")).toBe("2,000 ");
    expect(running).toContain("<small title=");
    expect(running).toContain("(400 cached)</small>");
    expect(details("Tool Time")).toBe("10.0%");
    expect(details("API Time")).toBe("N/A");
    expect(details("Cost")).toBe("$0.42");
    expect(running).not.toContain("<dt>Premium Requests</dt>");
    expect(running).not.toContain("<dt>Est. Cost</dt>");
    // The second session runs locally.
    expect([...running.matchAll(/<dt>Host<\/dt>\s*<dd>([^<]*)/g)].map((m) => m[1])).toEqual([
      "builder-1",
      "local",
    ]);
  });

  test("shows unknown token counts as unknown and unreported counters as a dash, never 0", () => {
    const html = render(
      makeSnapshot({
        running: [
          makeRunning({
            identifier: "COPILOT-1",
            agentKind: "copilot",
            inputTokens: null,
            outputTokens: null,
            totalTokens: null,
            cacheReadTokens: null,
            cacheWriteTokens: null,
            premiumRequests: 7,
          }),
          makeRunning({ identifier: "PARTIAL-1", cacheWriteTokens: null, cacheReadTokens: null }),
        ],
      }),
    );
    expect(html).toMatch(/<dt>Tokens<\/dt>\s*<dd>unknown/);
    expect(html).toMatch(/<dt>Premium Requests<\/dt>\s*<dd>7/);
    expect(html).toContain("in 1,200 · out 800 · cache read — · cache write —");
    expect(html).not.toMatch(/<dt>Tokens<\/dt>\s*<dd>0/);
  });

  test("prints the retry queue with a full-width error block", () => {
    const html = render(
      makeSnapshot({
        retrying: [
          makeRetry({ displayId: "repo#43", error: "line one\nline two" }),
          makeRetry({ identifier: "NO-ERR", error: "", dueAt: new Date("2026-04-26T10:00:00Z") }),
        ],
      }),
    );
    const retry = section(html, "retry");
    expect(retry).toContain('<td colspan="3">');
    expect(retry).toMatch(/<button[^>]*aria-label="Toggle details for repo#43"[^>]*>.*repo#43<\/button>/);
    expect(retry).not.toContain("<a href");
    expect(retry).toContain('<pre class="error-text">line one\nline two</pre>');
    expect(retry).toContain('<pre class="error-text">—</pre>');
    expect(retry).toContain("<td>overdue</td>");
  });

  test("prints run history newest first, at most 25 rows, with verbatim start and computed duration", () => {
    const runs = Array.from({ length: 30 }, (_, i) => run({ identifier: `H-${i}`, attempt: 2 }));
    runs[0] = run({
      identifier: "H-0",
      displayIdentifier: "repo#7",
      attempt: 3,
      startedAt: "not a time",
      error: "boom",
    });
    const html = render(makeSnapshot(), { history: runs });
    const history = section(html, "history");
    expect(history).toContain('<h2 id="history-title">Run History</h2>');
    const keys = [...history.matchAll(/data-expand-key="([^"]*)"/g)].map((m) => m[1]);
    expect(keys).toHaveLength(25);
    expect(keys[0]).toBe("history:repo#7:3");
    expect(keys[1]).toBe("history:H-1:2");
    expect(history).toContain('<td colspan="4">');
    expect(history).toContain("<td><time>2026-04-26T09:00:00Z</time></td>");
    expect(history).toContain("<td>12m 30s</td>");
    expect(history).toContain("<td><time>not a time</time></td>\n      <td></td>");
    expect(history).toMatch(/<dt>Attempt<\/dt>\s*<dd>3/);
    expect(history).toMatch(/<dt>Turns<\/dt>\s*<dd>4/);
    expect(history).toMatch(/<dt>Workflow<\/dt>\s*<dd>WORKFLOW\.md/);
    expect(history).toContain('<pre class="error-text">boom</pre>');
  });

  test("escapes every tracker-provided string in text, attributes and links", () => {
    const html = render(
      makeSnapshot({
        running: [
          makeRunning({
            identifier: XSS,
            displayId: XSS,
            state: XSS,
            lastEvent: XSS,
            modelName: XSS,
            workflowFile: XSS,
            sshHost: XSS,
          }),
        ],
        retrying: [makeRetry({ identifier: XSS, error: XSS })],
      }),
      { history: [run({ identifier: XSS, status: XSS, startedAt: XSS, workflowFile: XSS, error: XSS })] },
    );
    const body = html.slice(html.indexOf("<body>"), html.lastIndexOf("<script>"));
    expect(body).not.toContain("<script>");
    expect(body).not.toContain('alert("x")');
    expect(body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;");
    expect(body).toContain(`href="/api/v1/${encodeURIComponent(XSS).replace(/'/g, "&#39;")}"`);
    expect(body).toContain('data-expand-key="running:&lt;script&gt;');
    expect(body).toContain('aria-label="Toggle details for &lt;script&gt;');
    expect(body).toContain('class="status status-other"');
  });

  test("draws the activity chart from run history plus running sessions", () => {
    const bucket = (minutesAgo: number, sessions: Record<string, number>, tokens: number): UsageBucket => ({
      start: new Date(Math.floor((GENERATED_AT.getTime() - minutesAgo * 60_000) / 600_000) * 600_000),
      sessionsByStatus: sessions,
      tokens,
    });
    const html = render(makeSnapshot({ running: [makeRunning()] }), {
      usage: [
        bucket(100, { succeeded: 2, failed: 1 }, 30_000),
        bucket(30, { timed_out: 1 }, 0),
        bucket(500, { succeeded: 9 }, 1),
      ],
    });
    const activity = section(html, "activity");
    expect(activity).toContain('<h2 id="activity-title">Activity</h2>');
    expect(activity).toContain('<svg viewBox="0 0 720 200" role="img"');
    expect(activity).toContain("5 sessions, 32,000 tokens in the last 6 h");
    expect(activity).toContain("<title>08:30–08:40 UTC: 2 succeeded, 1 failed; 30,000 tokens</title>");
    expect(activity).toContain("<title>10:10–10:20 UTC: 1 running; 2,000 tokens</title>");
    expect(activity).toContain('class="bar bar-timed_out"');
    expect(activity).toContain('class="token-line"');
    expect(
      [...activity.matchAll(/<text[^>]*text-anchor="middle">(\d\d:\d\d)<\/text>/g)].map((m) => m[1]),
    ).toEqual(["05:00", "06:00", "07:00", "08:00", "09:00", "10:00"]);
  });

  test("renders one fragment per live region, matching the full page", () => {
    const model = buildDashboardModel({
      snapshot: makeSnapshot({ running: [makeRunning({ displayId: XSS })] }),
      version: "1.0.0",
      startedAt: GENERATED_AT,
      history: null,
      usage: null,
    });
    const fragments = renderDashboardFragments(model);
    expect(Object.keys(fragments)).toEqual([...FRAGMENT_IDS]);
    const page = renderDashboardPage(model);
    for (const [id, html] of Object.entries(fragments)) {
      const open = new RegExp(`id="${id}"[^>]*>`).exec(page)!;
      const inPage = page.slice(open.index + open[0].length).startsWith(html);
      expect({ id, inPage }).toEqual({ id, inPage: true });
    }
    expect(fragments.running).not.toContain("<script>");
  });
});

describe("dashboard route", () => {
  test("leaves out history and chart with a WARN when the history query fails", async () => {
    const { logger, records } = captureLogger();
    const failing: RunHistoryReader = {
      recentRuns: () => Promise.reject(new Error("database is locked")),
      tokenUsageSeries: () => Promise.reject(new Error("database is locked")),
    };
    const app = createApp({
      view: new FakeView(makeSnapshot({ running: [makeRunning()] })),
      version: "1.0.0",
      startedAt: GENERATED_AT,
      dbPing: () => true,
      history: failing,
      logger,
    });
    const res = await app.request("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Running Sessions");
    expect(html).not.toContain("Run History");
    expect(html).not.toContain("database is locked");
    expect(
      records.filter((r) => r.message === "dashboard run history query failed").map((r) => r.level),
    ).toEqual(["warn", "warn"]);
  });

  test("asks history for 25 rows and a 6 hour series in 10 minute buckets", async () => {
    const calls: unknown[] = [];
    const history: RunHistoryReader = {
      recentRuns: async (limit) => {
        calls.push(["recentRuns", limit]);
        return [run()];
      },
      tokenUsageSeries: async (since, bucketMs) => {
        calls.push(["tokenUsageSeries", since.toISOString(), bucketMs]);
        return [];
      },
    };
    const app = createApp({
      view: new FakeView(),
      version: "1",
      startedAt: GENERATED_AT,
      dbPing: () => true,
      history,
      logger: captureLogger().logger,
    });
    const html = await (await app.request("/")).text();
    expect(html).toContain("Run History");
    expect(calls).toContainEqual(["recentRuns", 25]);
    expect(calls).toContainEqual(["tokenUsageSeries", "2026-04-26T04:15:30.123Z", 600_000]);
  });
});
