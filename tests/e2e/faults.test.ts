// Bad input and faults around the run loop: a tracker that fails or returns garbage, hooks that
// hang, fail or flood, agents that exit non-zero, never exit, flood stdout or leave children, an
// unwritable workspace root, SIGTERM during a hook, and a second instance on the default port.
// None may crash the process, lose a retry or leave an orphaned process.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupAlive } from "../../src/platform/process-group.ts";
import { jiraIssue, startFakeJira } from "../fakes/jira/server.ts";
import { freePort, type SortieProcess } from "../helpers/sortie-process.ts";
import { useSortieRuns } from "../helpers/sortie-runs.ts";
import { waitFor } from "../helpers/wait.ts";
import { fileMockFrontMatter, type WorkflowDir } from "../helpers/workflow.ts";

setDefaultTimeout(60_000);

const runs = useSortieRuns();

function setup(): WorkflowDir {
  const w = runs.dir();
  w.writeIssues([{ id: "1", identifier: "F-1", title: "Fault", state: "To Do" }]);
  return w;
}

function run(w: WorkflowDir, args: string[] = ["--port", "0"]): SortieProcess {
  const p = runs.start([...args, w.workflow], { cwd: w.dir });
  return p;
}

/** A fake agent CLI: a shell script run as `agent.command` of the claude-code adapter. */
function fakeAgent(w: WorkflowDir, body: string, extraAgent = ""): void {
  const script = join(w.dir, "agent.sh");
  writeFileSync(script, `#!/bin/sh\n${body}\n`);
  chmodSync(script, 0o755);
  w.writeWorkflow(
    fileMockFrontMatter(w, {}).replace(
      "  kind: mock",
      `  kind: claude-code\n  command: ${script}${extraAgent}`,
    ),
  );
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

describe("tracker faults", () => {
  test("a tracker answering 500 or garbage fails the tick, not the process, and the next tick recovers", async () => {
    const jira = runs.fake(
      startFakeJira({
        statuses: ["To Do", "In Progress", "Done"],
        issues: [jiraIssue({ id: "10001", key: "PROJ-1", summary: "Survives faults", status: "To Do" })],
      }),
    );
    jira.inject({ status: 500, method: "GET", path: /search/, times: 2 });
    jira.inject({ status: 200, method: "GET", path: /search/, body: "<html>not json</html>" });
    const w = setup();
    w.writeWorkflow(
      fileMockFrontMatter(w)
        .replace(
          "  kind: file",
          `  kind: jira\n  endpoint: ${jira.url}\n  api_key: ${jira.apiKey}\n  project: PROJ`,
        )
        .replace("active_states: [To Do, In Progress]", "active_states: [To Do, In Progress]")
        .replace("handoff_state: Human Review", "handoff_state: Done")
        .replace("terminal_states: [Done, Cancelled]", "terminal_states: [Cancelled]")
        .replace(/file:\n {2}path: .*\n/, ""),
    );
    const p = run(w);
    await p.waitForLog("failed to fetch candidate issues");
    await waitFor(() => jira?.statusOf("PROJ-1") === "Done", { what: "issue handed off after the faults" });
    expect(p.logs("failed to fetch candidate issues").length).toBeGreaterThanOrEqual(2);
    expect(p.proc.exitCode).toBeNull();
  });

  test("a malformed issues file fails ticks until it is fixed", async () => {
    const w = setup();
    w.writeWorkflow(fileMockFrontMatter(w));
    writeFileSync(w.issuesFile, "[{ this is not json");
    const p = run(w);
    const failed = await p.waitForLog("failed to fetch candidate issues");
    expect(String(failed.error)).toContain("failed to parse file");
    w.writeIssues([{ id: "1", identifier: "F-1", title: "Fault", state: "To Do" }]);
    await waitFor(() => w.issue("1")?.state === "Human Review");
  });
});

describe("hook faults", () => {
  test("a hanging before_run hook is killed at its timeout and the attempt is retried", async () => {
    const w = setup();
    w.writeWorkflow(
      fileMockFrontMatter(w, {
        extra: `hooks:\n  before_run: 'if [ ! -f ${w.dir}/once ]; then touch ${w.dir}/once; sleep 600 & wait; fi'\n  timeout_ms: 300`,
      }),
    );
    const p = run(w);
    const failed = await p.waitForLog("worker run failed, scheduling retry");
    expect(String(failed.error)).toContain("hook timed out after 300ms");
    await waitFor(() => w.issue("1")?.state === "Human Review", { what: "second attempt succeeds" });
  });

  test("a failing after_create hook rolls the workspace back; megabytes of hook output stay bounded", async () => {
    const w = setup();
    w.writeWorkflow(
      fileMockFrontMatter(w, {
        extra: `hooks:\n  after_create: 'head -c 20000000 /dev/zero | tr "\\\\0" x; exit 3'`,
      }),
    );
    const p = run(w);
    const warn = await p.waitForLog("after_create hook failed, rolling back workspace");
    expect(String(warn.output ?? "").length).toBeLessThanOrEqual(4096);
    const failed = await p.waitForLog("worker run failed, scheduling retry");
    expect(String(failed.error)).toContain("exit_code=3");
    expect(rssKiB(p.pid)).toBeLessThan(400_000);
  });

  test("SIGTERM during a hook shuts down cleanly and kills the hook's process group", async () => {
    const w = setup();
    w.writeWorkflow(
      fileMockFrontMatter(w, {
        extra: `hooks:\n  before_run: 'echo $$ > ${w.dir}/hook.pid; sleep 600'\n  timeout_ms: 120000`,
      }),
    );
    const p = run(w);
    const pid = await waitFor(() => {
      try {
        return Number(readFileSync(join(w.dir, "hook.pid"), "utf8").trim()) || undefined;
      } catch {
        return undefined;
      }
    });
    expect(await p.stop()).toBe(0);
    await waitFor(() => !groupAlive(pid), { what: "hook process group gone" });
  });
});

describe("agent faults", () => {
  test("an agent exiting non-zero fails the attempt and is retried; no process is left behind", async () => {
    const w = setup();
    fakeAgent(w, 'echo "$$" > "$SORTIE_WORKSPACE/../agent.pid"; sleep 600 & echo not-json; exit 2');
    const p = run(w);
    const failed = await p.waitForLog("worker run failed, scheduling retry");
    expect(String(failed.error)).toContain("agent turn 1");
    const pid = Number(readFileSync(join(w.workspaces, "agent.pid"), "utf8").trim());
    await waitFor(() => !groupAlive(pid), { what: "agent group (with its sleeping child) gone" });
  });

  test("an agent that never exits is stopped at turn_timeout_ms and retried", async () => {
    const w = setup();
    fakeAgent(w, "sleep 600", "\n  turn_timeout_ms: 500");
    const p = run(w);
    const failed = await p.waitForLog("worker run failed, scheduling retry");
    expect(String(failed.error)).toContain("turn_timeout");
  });

  test("an agent flooding stdout does not grow sortie's memory without bound", async () => {
    const w = setup();
    fakeAgent(
      w,
      'yes \'{"type":"system","subtype":"noise","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}\' | head -c 300000000',
      "\n  turn_timeout_ms: 20000",
    );
    const p = run(w);
    await p.waitForLog("turn started");
    let peak = 0;
    await waitFor(
      () => {
        peak = Math.max(peak, rssKiB(p.pid));
        return p.records.some(
          (r) => r.msg === "worker run failed, scheduling retry" || r.msg === "turn completed",
        );
      },
      { timeoutMs: 40_000, intervalMs: 100 },
    );
    expect(peak).toBeLessThan(500_000);
  });
});

describe("environment faults", () => {
  test("an unwritable workspace root fails preflight at start with a clear message", async () => {
    const w = setup();
    writeFileSync(join(w.dir, "not-a-dir"), "");
    w.writeWorkflow(
      fileMockFrontMatter(w).replace(`root: ${w.workspaces}`, `root: ${join(w.dir, "not-a-dir", "ws")}`),
    );
    const p = run(w);
    expect(await p.exited).toBe(1);
    const failed = p.logs("dispatch preflight failed")[0];
    expect(String(failed?.error)).toContain("workspace.root is not writable");
  });

  test("a corrupt database ends start-up with one clear error and is left untouched", async () => {
    const w = setup();
    w.writeWorkflow(fileMockFrontMatter(w));
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(w.dbPath, garbage);
    const p = run(w);
    expect(await p.exited).toBe(1);
    const failed = p.logs("failed to open database");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: "ERROR", db_path: w.dbPath });
    expect(String(failed[0]?.hint)).not.toBe("");
    expect(Buffer.compare(readFileSync(w.dbPath), garbage)).toBe(0);
  });

  test("a second instance on the implicit default port keeps running without HTTP", async () => {
    const busy = Bun.serve({ port: 7678, hostname: "127.0.0.1", fetch: () => new Response("other") });
    try {
      const w = setup();
      w.writeWorkflow(fileMockFrontMatter(w));
      const p = run(w, []);
      const warn = await p.waitForLog("http server listen failed; running without HTTP server");
      expect(warn.addr).toBe("127.0.0.1:7678");
      await waitFor(() => w.issue("1")?.state === "Human Review");
    } finally {
      busy.stop(true);
    }
  });

  test("an explicit port that is busy is an error", async () => {
    const port = freePort();
    const busy = Bun.serve({ port, hostname: "127.0.0.1", fetch: () => new Response("other") });
    try {
      const w = setup();
      w.writeWorkflow(fileMockFrontMatter(w));
      const p = run(w, ["--port", String(port)]);
      expect(await p.exited).toBe(1);
      expect(p.logs("http server listen failed")).toHaveLength(1);
    } finally {
      busy.stop(true);
    }
  });

  test("--dry-run reports what would be dispatched without a database or HTTP", async () => {
    const w = setup();
    w.writeIssues([
      { id: "1", identifier: "F-1", title: "One", state: "To Do", priority: 2 },
      { id: "2", identifier: "F-2", title: "Two", state: "To Do", priority: 1 },
      { id: "3", identifier: "F-3", title: "Three", state: "To Do" },
    ]);
    w.writeWorkflow(fileMockFrontMatter(w));
    const p = run(w, ["--dry-run"]);
    expect(await p.exited).toBe(0);
    const candidates = p.logs("dry-run: candidate");
    expect(candidates.map((c) => [c.issue_identifier, c.would_dispatch])).toEqual([
      ["F-2", true],
      ["F-1", true],
      ["F-3", false],
    ]);
    expect(p.logs("dry-run: complete")[0]).toMatchObject({
      candidates_fetched: 3,
      would_dispatch: 2,
      ineligible: 1,
    });
    expect(await Bun.file(w.dbPath).exists()).toBe(false);
  });
});
