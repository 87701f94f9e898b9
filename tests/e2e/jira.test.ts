// The deployment guide's Jira workflow (examples/WORKFLOW.jira.md) run by the compiled binary
// against the fake Jira: credentials from SORTIE_JIRA_* variables, the `agent-ready` query
// filter, the workflow's transitions, and a running issue cancelled by moving it to Won't Do.
// Only the agent (mock instead of Claude Code), the poll interval and the paths are changed.

import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jiraIssue, startFakeJira } from "../fakes/jira/server.ts";
import { query } from "../helpers/sortie-db.ts";
import { useSortieRuns } from "../helpers/sortie-runs.ts";
import { waitFor } from "../helpers/wait.ts";
import { workflowFromExample } from "../helpers/workflow.ts";

const runs = useSortieRuns();

const runHistory = (dbPath: string) =>
  query<{ issue_id: string; status: string }>(dbPath, "SELECT issue_id, status FROM run_history ORDER BY id");

describe("sortie with the deployment guide's Jira workflow", () => {
  test("dispatches agent-ready To Do issues, moves them to In Progress and Human Review, and stops one moved to Won't Do", async () => {
    const fake = runs.fake(
      startFakeJira({
        statuses: ["To Do", "In Progress", "Human Review", "Done", "Won't Do"],
        issues: [
          jiraIssue({
            id: "10001",
            key: "PROJ-1",
            summary: "Add OAuth login",
            status: "To Do",
            labels: ["agent-ready"],
            priority: "2",
            description: "Use the company SSO.",
          }),
          jiraIssue({
            id: "10002",
            key: "PROJ-2",
            summary: "Dropped idea",
            status: "To Do",
            labels: ["agent-ready"],
          }),
          jiraIssue({
            id: "10003",
            key: "PROJ-3",
            summary: "Not ready yet",
            status: "To Do",
            labels: ["later"],
          }),
          jiraIssue({
            id: "10004",
            key: "PROJ-4",
            summary: "Shipped",
            status: "Done",
            labels: ["agent-ready"],
          }),
        ],
      }),
    );
    const w = runs.dir("sortie-e2e-jira-");
    workflowFromExample(w, "WORKFLOW.jira.md", { turnDelayMs: 3_000 });

    const p = runs.start(["--port", "0", w.workflow], {
      cwd: w.dir,
      env: {
        SORTIE_JIRA_ENDPOINT: fake.url,
        SORTIE_JIRA_API_KEY: fake.apiKey,
        SORTIE_JIRA_PROJECT: "PROJ",
      },
    });

    // Both agent-ready To Do issues are picked up and moved to In Progress.
    await waitFor(
      () => fake.statusOf("PROJ-1") === "In Progress" && fake.statusOf("PROJ-2") === "In Progress",
      {
        what: "both agent-ready issues in progress",
      },
    );
    await waitFor(() => existsSync(join(w.workspaces, "PROJ-2")), { what: "PROJ-2 workspace" });

    // A person drops PROJ-2 while its agent runs: the worker is stopped and its workspace removed.
    fake.setStatus("PROJ-2", "Won't Do");
    const stopped = await p.waitForLog(
      "stopping worker for terminal issue",
      (r) => r.issue_identifier === "PROJ-2",
    );
    expect(stopped.state).toBe("Won't Do");
    await waitFor(() => !existsSync(join(w.workspaces, "PROJ-2")), { what: "PROJ-2 workspace removed" });

    // PROJ-1 finishes and is handed off.
    await waitFor(() => fake.statusOf("PROJ-1") === "Human Review", { what: "PROJ-1 handed off" });
    expect(readFileSync(join(w.workspaces, "PROJ-1", "RESULT.md"), "utf8")).toBe("done PROJ-1");
    await waitFor(
      () => runHistory(w.dbPath).some((r) => r.issue_id === "10001" && r.status === "succeeded"),
      {
        what: "PROJ-1 run recorded",
      },
    );

    expect(fake.statusOf("PROJ-2")).toBe("Won't Do");
    expect(fake.statusOf("PROJ-3")).toBe("To Do");
    expect(fake.statusOf("PROJ-4")).toBe("Done");
    expect(existsSync(join(w.workspaces, "PROJ-3"))).toBe(false);

    // What sortie asked Jira: the guide's JQL, and transitions only for the dispatched issues.
    expect(fake.searches()).toContain(
      `project = "PROJ" AND status IN ("To Do", "In Progress") AND (labels = 'agent-ready') ORDER BY priority ASC, created ASC`,
    );
    const moves = fake
      .requestsTo("/rest/api/3/issue/", "POST")
      .filter((r) => r.path.endsWith("/transitions"))
      .map((r) => r.path);
    expect(moves.filter((path) => path.includes("10001"))).toHaveLength(2);
    expect(moves.filter((path) => path.includes("10002"))).toHaveLength(1);
    expect(moves.some((path) => path.includes("10003") || path.includes("10004"))).toBe(false);
    for (const request of fake.requests) {
      expect(request.headers.get("authorization")).toBe(`Basic ${btoa(fake.apiKey)}`);
      expect(request.headers.get("user-agent")).toMatch(/^sortie\//);
    }
    // The API token never reaches the logs.
    expect(JSON.stringify(p.records)).not.toContain(fake.token);

    expect(await p.stop()).toBe(0);
  }, 60_000);
});
