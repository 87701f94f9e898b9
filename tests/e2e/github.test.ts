// The GitHub example workflow (examples/WORKFLOW.md) run by the compiled binary against the fake
// GitHub: labels as states, the in-progress and hand-off labels written back, a running issue
// stopped when a person labels it done, and a rate-limited phase that pauses the tracker and
// recovers without losing work. Only the agent (mock instead of Claude Code), the hooks (no git
// clone), the poll interval, the endpoint and the paths are changed.

import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gitHubIssue, gitHubPullRequest } from "../fakes/github/builders.ts";
import { type FakeGitHub, startFakeGitHub } from "../fakes/github/server.ts";
import { query } from "../helpers/sortie-db.ts";
import { freePort } from "../helpers/sortie-process.ts";
import { useSortieRuns } from "../helpers/sortie-runs.ts";
import { waitFor } from "../helpers/wait.ts";
import { type WorkflowDir, workflowFromExample } from "../helpers/workflow.ts";

const runs = useSortieRuns();

/** examples/WORKFLOW.md with the fake's endpoint, the mock agent, no hooks and the test's paths. */
function exampleWorkflow(w: WorkflowDir, endpoint: string, turnDelayMs: number): void {
  workflowFromExample(w, "WORKFLOW.md", {
    turnDelayMs,
    edit(config) {
      config.tracker = { ...config.tracker, endpoint };
      // The scenario drives intake by state labels alone (the list API), not the search qualifier.
      delete config.tracker.query_filter;
      delete config.hooks;
      delete config["claude-code"];
    },
  });
}

const runHistory = (dbPath: string) =>
  query<{ issue_id: string; status: string }>(dbPath, "SELECT issue_id, status FROM run_history ORDER BY id");

const labels = (fake: FakeGitHub, n: number) => fake.repo.labelsOf(n);

describe("sortie with the GitHub example workflow", () => {
  test("dispatches labelled issues, writes in-progress and hand-off labels, stops an issue labelled done, and rides out a rate limit", async () => {
    const fake = runs.fake(
      startFakeGitHub({
        issues: [
          gitHubIssue(1, ["backlog", "enhancement"], { title: "Add dark mode" }),
          gitHubIssue(2, ["backlog"], { title: "Dropped idea" }),
          gitHubIssue(3, ["review"], { title: "Already handed off" }),
          gitHubIssue(4, ["done"], { title: "Shipped", state: "closed", state_reason: "completed" }),
          gitHubPullRequest(5, ["backlog"]),
        ],
      }),
    );
    const w = runs.dir("sortie-e2e-github-");
    exampleWorkflow(w, fake.url, 10_000);
    const port = freePort();
    const p = runs.start(["--port", String(port), w.workflow], {
      cwd: w.dir,
      env: { SORTIE_GITHUB_TOKEN: fake.token, SORTIE_GITHUB_PROJECT: "owner/repo" },
    });

    // Both backlog issues are dispatched and labelled in-progress in place of backlog.
    await waitFor(() => labels(fake, 1).includes("in-progress") && labels(fake, 2).includes("in-progress"), {
      what: "both backlog issues in progress",
    });
    expect(labels(fake, 1)).toEqual(["enhancement", "in-progress"]);
    const state = (await (await fetch(`http://127.0.0.1:${port}/api/v1/state`)).json()) as {
      running: { issue_identifier: string; display_identifier?: string }[];
    };
    expect(state.running.map((r) => [r.issue_identifier, r.display_identifier]).sort()).toEqual([
      ["1", "owner/repo#1"],
      ["2", "owner/repo#2"],
    ]);

    // GitHub runs out of budget for two seconds: sortie pauses its calls instead of hammering.
    const reset = Math.floor(Date.now() / 1000) + 2;
    fake.budgets.set("core", { remaining: 0, reset });
    const pausing = await p.waitForLog("tracker rate limit reached, pausing");
    expect(pausing.resource).toBe("core");
    const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
      tracker_rate_limits?: Record<string, { paused: boolean; remaining: number | null }>;
    };
    expect(status.tracker_rate_limits?.core).toMatchObject({ paused: true, remaining: 0 });
    await p.waitForLog("tracker rate limit pause ended", undefined, 10_000);
    const refused = fake.requests.filter((r) => r.status === 403);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(3);
    expect(p.logs("tracker rate limit reached, pausing")).toHaveLength(1);

    // A person labels #2 done while its agent still runs: the worker stops, the workspace goes.
    expect(existsSync(join(w.workspaces, "2"))).toBe(true);
    fake.repo.setLabels(2, ["done"]);
    const stopped = await p.waitForLog(
      "stopping worker for terminal issue",
      (r) => r.issue_identifier === "2",
    );
    expect(stopped.state).toBe("done");
    await waitFor(() => !existsSync(join(w.workspaces, "2")), { what: "workspace 2 removed" });

    // #1 finishes after the pause and is handed off: review replaces in-progress, still open.
    await waitFor(() => labels(fake, 1).includes("review"), { what: "#1 handed off", timeoutMs: 30_000 });
    expect(labels(fake, 1)).toEqual(["enhancement", "review"]);
    expect(fake.repo.get(1)?.state).toBe("open");
    expect(readFileSync(join(w.workspaces, "1", "RESULT.md"), "utf8")).toBe("done 1");
    await waitFor(() => runHistory(w.dbPath).some((r) => r.issue_id === "1" && r.status === "succeeded"), {
      what: "#1 run recorded",
    });

    // Nothing else was touched: the handed-off, closed and pull-request entries stay as they were.
    expect(labels(fake, 2)).toEqual(["done"]);
    expect(labels(fake, 3)).toEqual(["review"]);
    expect(labels(fake, 4)).toEqual(["done"]);
    expect(labels(fake, 5)).toEqual(["backlog"]);
    for (const n of [3, 4, 5]) expect(existsSync(join(w.workspaces, String(n)))).toBe(false);
    const writes = fake.requests.filter((r) => r.method !== "GET").map((r) => r.path);
    expect(writes.some((path) => /\/issues\/[345]\b/.test(path))).toBe(false);

    // State refreshes reuse ETags: unchanged issues are answered 304, which costs no budget.
    expect(fake.requests.some((r) => r.status === 304 && r.headers.has("if-none-match"))).toBe(true);
    for (const request of fake.requests) {
      expect(request.headers.get("authorization")).toBe(`Bearer ${fake.token}`);
      expect(request.headers.get("user-agent")).toMatch(/^sortie\//);
      expect(request.headers.get("x-github-api-version")).toBe("2026-03-10");
    }
    expect(JSON.stringify(p.records)).not.toContain(fake.token);
    expect(await p.stop()).toBe(0);
  }, 60_000);
});
