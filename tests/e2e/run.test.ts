// The compiled binary as an unattended orchestrator: file tracker + mock agent on real temp dirs,
// real SQLite, real hooks, real HTTP.

import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { query } from "../helpers/sortie-db.ts";
import { freePort, type SortieProcess } from "../helpers/sortie-process.ts";
import { useSortieRuns } from "../helpers/sortie-runs.ts";
import { waitFor } from "../helpers/wait.ts";
import { fileMockFrontMatter, type WorkflowDir } from "../helpers/workflow.ts";

setDefaultTimeout(60_000);

const runs = useSortieRuns();

function setup(): WorkflowDir {
  const w = runs.dir();
  return w;
}

function run(w: WorkflowDir, args: string[] = []): SortieProcess {
  const p = runs.start([...args, w.workflow], { cwd: w.dir });
  return p;
}

const issues = [
  { id: "1", identifier: "E2E-1", title: "First", state: "To Do", priority: 1 },
  { id: "2", identifier: "E2E-2", title: "Second", state: "To Do", priority: 2 },
  { id: "3", identifier: "E2E-3", title: "Parked", state: "Backlog" },
  { id: "4", identifier: "E2E-4", title: "Finished", state: "Done" },
];

const runHistory = (dbPath: string) =>
  query<{ issue_id: string; status: string; attempt: number; error: string | null }>(
    dbPath,
    "SELECT issue_id, status, attempt, error FROM run_history ORDER BY id",
  );

describe("sortie run with the file tracker and the mock agent", () => {
  test("dispatches active issues into their own workspaces, hands them off and writes the file back", async () => {
    const w = setup();
    w.writeIssues(issues);
    w.writeWorkflow(
      fileMockFrontMatter(w, {
        mock: '  write_file:\n    path: RESULT.md\n    content: "done {identifier} turn {turn}"',
        extra: 'hooks:\n  after_create: "git init -q . && echo created > created.txt"',
      }),
    );
    const port = freePort();
    const p = run(w, ["--port", String(port)]);
    await p.waitForLog("cold start: initialized new database");
    await waitFor(() => w.issue("1")?.state === "Human Review" && w.issue("2")?.state === "Human Review", {
      what: "both active issues handed off",
    });
    expect(w.issue("3")?.state).toBe("Backlog");
    expect(w.issue("4")?.state).toBe("Done");
    for (const id of ["E2E-1", "E2E-2"]) {
      expect(readFileSync(join(w.workspaces, id, "RESULT.md"), "utf8")).toBe(`done ${id} turn 1`);
      expect(existsSync(join(w.workspaces, id, ".git"))).toBe(true);
      expect(existsSync(join(w.workspaces, id, "created.txt"))).toBe(true);
    }
    expect(existsSync(join(w.workspaces, "E2E-3"))).toBe(false);
    // Each attempt writes the MCP config for the agent's tool server and the session state it reports.
    const mcp = JSON.parse(readFileSync(join(w.workspaces, "E2E-1", ".sortie", "mcp.json"), "utf8"));
    expect(mcp.mcpServers["sortie-tools"]).toMatchObject({
      type: "stdio",
      args: ["mcp-server", "--workflow", w.workflow],
    });
    expect(mcp.mcpServers["sortie-tools"].env).toMatchObject({
      SORTIE_ISSUE_IDENTIFIER: "E2E-1",
      SORTIE_DB_PATH: w.dbPath,
    });
    const state = JSON.parse(readFileSync(join(w.workspaces, "E2E-1", ".sortie", "state.json"), "utf8"));
    expect(state).toMatchObject({ turn_number: 1, max_turns: 1, input_tokens: expect.any(Number) });
    const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { status: string };
    expect(status.status).toBe("pass");
    await waitFor(() => runHistory(w.dbPath).length === 2);
    expect(runHistory(w.dbPath).map((r) => [r.issue_id, r.status, r.attempt])).toEqual(
      expect.arrayContaining([
        ["1", "succeeded", 1],
        ["2", "succeeded", 1],
      ]),
    );
    expect(await p.stop()).toBe(0);
    expect(p.records.at(-1)?.msg).toBe("shutting down");
  });

  test("a restart warm-starts from the database and does not re-dispatch handed-off work", async () => {
    const w = setup();
    w.writeIssues(issues.slice(0, 1));
    w.writeWorkflow(fileMockFrontMatter(w));
    const first = run(w, ["--port", "0"]);
    await waitFor(() => w.issue("1")?.state === "Human Review");
    await waitFor(() => runHistory(w.dbPath).length === 1);
    expect(await first.stop()).toBe(0);

    const second = run(w, ["--port", "0"]);
    const warm = await second.waitForLog("warm start: restored persisted state");
    expect(warm).toMatchObject({
      run_history_entries: 1,
      interrupted_sessions: 0,
      agent_totals_restored: true,
    });
    await second.waitForLog("tick completed", (r) => r.candidates === 0);
    expect(second.logs("retried issue dispatched")).toHaveLength(0);
    expect(runHistory(w.dbPath)).toHaveLength(1);
  });

  test("a failing agent is retried with backoff and its attempts are counted", async () => {
    const w = setup();
    w.writeIssues(issues.slice(0, 1));
    w.writeWorkflow(fileMockFrontMatter(w, { mock: "  turn_outcomes: [failed, failed]" }));
    const p = run(w, ["--port", "0"]);
    const retry = await p.waitForLog("worker run failed, scheduling retry");
    expect(retry).toMatchObject({ next_attempt: 1, delay_ms: 500, issue_identifier: "E2E-1" });
    await p.waitForLog("retried issue dispatched", (r) => r.attempt === 2);
    await waitFor(() => w.issue("1")?.state === "Human Review", { what: "third attempt succeeds" });
    // The hand-off is written to the tracker before the exit's database transaction commits.
    await waitFor(() => runHistory(w.dbPath).length === 3, { what: "third run recorded" });
    const rows = runHistory(w.dbPath);
    expect(rows.map((r) => [r.status, r.attempt])).toEqual([
      ["failed", 1],
      ["failed", 2],
      ["succeeded", 3],
    ]);
    expect(rows[0]?.error).toContain("agent turn 1");
  });

  test("max_sessions stops re-dispatching an issue that keeps failing", async () => {
    const w = setup();
    w.writeIssues(issues.slice(0, 1));
    w.writeWorkflow(
      fileMockFrontMatter(w, {
        mock: "  turn_outcomes: [failed, failed, failed, failed, failed]",
        agent: "  max_sessions: 2",
      }),
    );
    const p = run(w, ["--port", "0"]);
    await p.waitForLog("effort budget exhausted, blocking re-dispatch");
    await p.waitForLog("tick completed");
    expect(runHistory(w.dbPath)).toHaveLength(2);
    expect(w.issue("1")?.state).toBe("In Progress");
  });
});
