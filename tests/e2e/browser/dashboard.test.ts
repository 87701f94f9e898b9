// The dashboard in a real browser (Debian's headless Chromium driven by playwright-core) against the
// compiled binary in a demo-like run: the running table, an expanded detail row, a live update over
// Server-Sent Events without a reload, escaping of tracker text on the live path, and no request
// leaving the sortie origin. A screenshot lands in tests/artifacts/ for humans to look at.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { REPO } from "../../helpers/sortie-process.ts";
import { waitFor } from "../../helpers/wait.ts";
import { httpRuns } from "../http/harness.ts";

setDefaultTimeout(120_000);

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(REPO, "tests/artifacts");
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `tests/e2e/browser: skipping the dashboard browser tests, ${CHROMIUM} is missing (apt-get install chromium)`,
  );
}

const runs = httpRuns();
let contexts: BrowserContext[] = [];
let profiles: string[] = [];

afterEach(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  for (const p of profiles) rmSync(p, { recursive: true, force: true });
  contexts = [];
  profiles = [];
  await runs.cleanup();
});

async function openBrowser(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), "sortie-chromium-"));
  profiles.push(profile);
  // A fresh profile and no background networking: the machine has no outside network, and the
  // test must see only the requests the page itself makes.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  contexts.push(context);
  return context;
}

/** Expand keys of the running table's rows, in page order. */
function runningKeys(page: Page): Promise<string[]> {
  return page.$$eval("#running tr.accordion-header", (rows) =>
    rows.map((r) => r.getAttribute("data-expand-key") ?? ""),
  );
}

function card(page: Page, label: string): Promise<string> {
  return page.$$eval(
    ".card",
    (cards, wanted) =>
      cards
        .find((c) => c.querySelector(".card-label")?.textContent?.trim() === wanted)
        ?.querySelector(".card-value")
        ?.textContent?.trim() ?? "",
    label,
  );
}

/** The running table's header row for an expand key (CSS string escaping via JSON). */
function runningRow(key: string): string {
  return `#running tr.accordion-header[data-expand-key=${JSON.stringify(key)}]`;
}

// An identifier a tracker could deliver that would run script if it reached markup unescaped.
const HOSTILE = `DASH-<img src=/xss onerror="window.__xss=1">`;

describe.skipIf(!hasChromium)("dashboard in headless Chromium", () => {
  test("shows running sessions, expands a row, and applies a live update without reloading", async () => {
    const s = await runs.start({
      issues: [
        { id: "1", identifier: "DASH-1", title: "First", state: "To Do", priority: 1 },
        { id: "2", identifier: HOSTILE, title: "Hostile", state: "To Do", priority: 2 },
        { id: "3", identifier: "DASH-3", title: "Waiting for a slot", state: "To Do", priority: 3 },
        { id: "4", identifier: "DASH-4", title: "Parked", state: "Backlog" },
      ],
      // Sessions stay visible: each turn lasts ten minutes unless reconciliation stops it.
      frontMatter: { mock: "  turn_delay_ms: 600000\n  model_name: demo-model", maxAgents: 2 },
    });
    await waitFor(async () => ((await s.json("/api/status")).counts as { running: number }).running === 2, {
      what: "two sessions running",
    });

    const context = await openBrowser();
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    const base = s.url("");
    const response = await page.goto(s.url("/"));
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe("Sortie Dashboard");
    // The event stream connects: the footer switches from the reload fallback to "Live".
    await page.waitForFunction(() => document.getElementById("live-status")?.textContent === "Live");

    expect((await runningKeys(page)).sort()).toEqual(["running:DASH-1", `running:${HOSTILE}`].sort());
    expect(await card(page, "Running")).toBe("2");
    expect(await card(page, "Slots Free")).toBe("0");
    const links = await page.$$eval("#running tr.accordion-header a", (as) =>
      as.map((a) => [a.textContent, a.getAttribute("href")]),
    );
    expect(links).toContainEqual(["DASH-1", "/api/v1/DASH-1"]);
    expect(links).toContainEqual([HOSTILE, `/api/v1/${encodeURIComponent(HOSTILE)}`]);
    const dash1State = await page.$eval(
      `${runningRow("running:DASH-1")} td:nth-child(2)`,
      (td) => td.textContent,
    );
    expect(dash1State).toBe("In Progress");

    // Rows start collapsed; a click on the toggle opens the detail panel.
    const toggle = page.locator(`${runningRow("running:DASH-1")} .accordion-toggle`);
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    const detailId = (await toggle.getAttribute("aria-controls")) as string;
    expect(await page.locator(`#${detailId}`).isVisible()).toBe(false);
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    const detail = page.locator(`#${detailId}`);
    expect(await detail.isVisible()).toBe(true);
    const items = await detail
      .locator(".detail-item")
      .evaluateAll((els) =>
        els.map((el) => [
          el.querySelector("dt")?.textContent?.trim(),
          el.querySelector("dd")?.textContent?.trim(),
        ]),
      );
    const fields = Object.fromEntries(items);
    expect(fields["API Requests"]).toBe("0");
    // No token counts reported yet: unknown, never 0.
    expect(fields.Tokens).toBe("unknown");
    expect(fields["Tool Time"]).toBe("N/A");
    expect(fields).toHaveProperty("Workflow");
    expect(fields).toHaveProperty("Model");

    // Open the hostile row too (by clicking the row, not the button): it must stay open across updates.
    await page.locator(`${runningRow(`running:${HOSTILE}`)} td:nth-child(3)`).click();
    const hostileToggle = page.locator(`${runningRow(`running:${HOSTILE}`)} .accordion-toggle`);
    expect(await hostileToggle.getAttribute("aria-expanded")).toBe("true");

    // A marker that only survives if the page is never reloaded.
    await page.evaluate(() => {
      (window as unknown as { __noReload: string }).__noReload = "still here";
    });
    const streamsBefore = requests.filter((u) => u.endsWith("/api/events")).length;

    // The tracker marks DASH-1 done: reconciliation stops it, DASH-3 takes the free slot, and the
    // page follows over the event stream.
    s.w.writeIssues(s.w.readIssues().map((i) => (i.identifier === "DASH-1" ? { ...i, state: "Done" } : i)));
    await page.waitForFunction(
      () => {
        const keys = [...document.querySelectorAll("#running tr.accordion-header")].map((r) =>
          r.getAttribute("data-expand-key"),
        );
        return keys.includes("running:DASH-3") && !keys.includes("running:DASH-1");
      },
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { __noReload?: string }).__noReload)).toBe(
      "still here",
    );
    expect(requests.filter((u) => u.endsWith("/api/events")).length).toBe(streamsBefore);
    expect(requests.filter((u) => u === `${base}/`).length).toBe(1);
    expect((await runningKeys(page)).sort()).toEqual(["running:DASH-3", `running:${HOSTILE}`].sort());
    expect(await hostileToggle.getAttribute("aria-expanded")).toBe("true");
    // The stopped run shows up in the run history, also without a reload.
    await page.waitForFunction(() =>
      [...document.querySelectorAll("#history tr.accordion-header")].some((r) =>
        (r.getAttribute("data-expand-key") ?? "").startsWith("history:DASH-1:"),
      ),
    );
    const stored = await page.evaluate(() => sessionStorage.getItem("sortie-expanded"));
    // DASH-1's row is gone, so its key was pruned; the hostile row's key is kept.
    expect(JSON.parse(stored ?? "[]")).toEqual([`running:${HOSTILE}`]);

    // Tracker text never ran as markup, on first render or on the live path.
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("#running img, #history img").count()).toBe(0);
    expect(dialogs).toEqual([]);

    // Nothing left the sortie origin: no CDN, font or analytics request.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith(`${base}/`))).toEqual([]);
    expect(requests.some((u) => u.endsWith("/xss"))).toBe(false);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    expect(existsSync(join(ARTIFACTS, "dashboard.png"))).toBe(true);
  });

  test("counters and the run history follow finished sessions live", async () => {
    const s = await runs.start({
      issues: [
        { id: "1", identifier: "LIVE-1", title: "Quick", state: "To Do", priority: 1 },
        { id: "2", identifier: "LIVE-2", title: "Queued", state: "Backlog", priority: 2 },
      ],
      frontMatter: { mock: "  turn_delay_ms: 600000", maxAgents: 1 },
    });
    await waitFor(async () => ((await s.json("/api/status")).counts as { running: number }).running === 1, {
      what: "LIVE-1 running",
    });
    const context = await openBrowser();
    const page = await context.newPage();
    await page.goto(s.url("/"));
    await page.waitForFunction(() => document.getElementById("live-status")?.textContent === "Live");
    expect(await card(page, "Total Tokens")).toBe("0");
    expect(await page.locator("#history tr.accordion-header").count()).toBe(0);
    await page.evaluate(() => {
      (window as unknown as { __noReload: string }).__noReload = "still here";
    });

    // Switch the agent to quick turns: a workflow reload applies to the next dispatch. LIVE-1 is
    // finished by the tracker, LIVE-2 becomes active, runs one quick turn and is handed off.
    const workflow = await Bun.file(s.w.workflow).text();
    writeFileSync(s.w.workflow, workflow.replace("turn_delay_ms: 600000", "turn_delay_ms: 200"));
    await s.p.waitForLog("workflow reloaded");
    s.w.writeIssues([
      { id: "1", identifier: "LIVE-1", title: "Quick", state: "Done", priority: 1 },
      { id: "2", identifier: "LIVE-2", title: "Queued", state: "To Do", priority: 2 },
    ]);
    await waitFor(() => s.w.issue("2")?.state === "Human Review", { what: "LIVE-2 handed off" });

    await page.waitForFunction(
      () =>
        [...document.querySelectorAll(".card")].some(
          (c) =>
            c.querySelector(".card-label")?.textContent?.trim() === "Total Tokens" &&
            c.querySelector(".card-value")?.textContent?.trim() === "150",
        ),
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForFunction(() => document.querySelector("#running .empty") !== null);
    const history = await page.$$eval("#history tr.accordion-header", (rows) =>
      rows.map((r) => [r.getAttribute("data-expand-key"), r.querySelector(".status")?.textContent?.trim()]),
    );
    expect(history).toContainEqual(["history:LIVE-2:1", "succeeded"]);
    expect(history).toContainEqual(["history:LIVE-1:1", "cancelled"]);
    expect(await page.locator("#activity svg").count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: string }).__noReload)).toBe(
      "still here",
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-history.png"), fullPage: true });

    // Shutdown ends the stream; the page says it fell back to periodic reloads.
    s.p.signal("SIGTERM");
    await page.waitForFunction(
      () => document.getElementById("live-status")?.textContent === "Auto-refresh every 5s",
      undefined,
      { timeout: 4_000 },
    );
    expect(await s.p.exited).toBe(0);
  });
});
