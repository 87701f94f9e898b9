// `sortie mcp-server` run in-process: flag and start-up errors, which tools a session gets, and
// every tool answering over JSON-RPC against a real file tracker, state file and SQLite database.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CliIO } from "../../../src/cli/io.ts";
import { mcpServerCommand } from "../../../src/cli/mcp-server.ts";
import { openStore } from "../../../src/persistence/index.ts";
import type { ShutdownSignal, SignalHandler, SignalHub } from "../../../src/platform/signals.ts";
import { writeStateJson } from "../../../src/workspace/index.ts";
import { makeWorkflowDir, type WorkflowDir } from "../../helpers/workflow.ts";
import { inputPipe, RpcClient } from "./rpc-client.ts";

let w: WorkflowDir;
let workspace: string;

beforeEach(() => {
  w = makeWorkflowDir("sortie-mcp-cmd-");
  workspace = join(w.dir, "workspaces", "PROJ-1");
  mkdirSync(workspace, { recursive: true });
  w.writeIssues([
    {
      id: "1",
      identifier: "PROJ-1",
      title: "First",
      state: "To Do",
      comments: [{ id: "1", author: "ann", body: "please fix", created_at: "2025-01-02T03:04:05Z" }],
      custom_key: { kept: true },
    },
    { id: "2", identifier: "PROJ-2", title: "Second", state: "Done" },
    { id: "3", identifier: "OTHER-3", title: "Foreign", state: "To Do" },
  ]);
  writeTrackerWorkflow();
});

afterEach(() => {
  w.cleanup();
});

function writeTrackerWorkflow(extraTracker = "  project: PROJ\n"): void {
  w.writeWorkflow(`
tracker:
  kind: file
${extraTracker}  active_states: [To Do, In Progress]
  terminal_states: [Done]
file:
  path: issues.json
agent:
  kind: mock
`);
}

interface Harness {
  io: CliIO;
  stdout: string[];
  stderr: string[];
  logs: string[];
  client: RpcClient;
  input: ReturnType<typeof inputPipe>;
  signal(sig: ShutdownSignal): void;
  exitCalls: number[];
  run(args: string[]): Promise<number>;
}

function harness(env: Record<string, string> = {}): Harness {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const logs: string[] = [];
  const exitCalls: number[] = [];
  const input = inputPipe();
  const client = new RpcClient((text) => input.write(text));
  let handler: SignalHandler | undefined;
  let count = 0;
  const signals = {
    handle: (h: SignalHandler) => {
      handler = h;
    },
    install: () => {},
  } as unknown as SignalHub;
  const io: CliIO = {
    stdout: (text) => {
      stdout.push(text);
      client.receive(text);
    },
    stderr: (text) => void stderr.push(text),
    env: { HOME: w.dir, ...env },
    // The agent's working directory: relative tracker paths must not resolve against it.
    cwd: workspace,
    signals,
    exit: (code) => void exitCalls.push(code),
  };
  return {
    io,
    stdout,
    stderr,
    logs,
    client,
    input,
    exitCalls,
    signal: (sig) => handler?.(sig, ++count),
    run: (args) =>
      mcpServerCommand(args, io, { stdin: input.stream, logWrite: (line) => void logs.push(line) }),
  };
}

const sessionEnv = (): Record<string, string> => ({
  SORTIE_ISSUE_ID: "1",
  SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
  SORTIE_WORKSPACE: workspace,
  SORTIE_DB_PATH: w.dbPath,
  SORTIE_SESSION_ID: "",
});

describe("command line", () => {
  test.each([
    [[], "sortie mcp-server: --workflow flag is required\n"],
    [["--workflow="], "sortie mcp-server: --workflow flag is required\n"],
    [["--workflow", "WORKFLOW.md"], "sortie mcp-server: --workflow must be an absolute path\n"],
    [["--workflow"], "sortie mcp-server: flag needs an argument: -workflow\n"],
    [["--bogus"], "sortie mcp-server: flag provided but not defined: -bogus\n"],
    [["---x"], "sortie mcp-server: bad flag syntax: ---x\n"],
  ])("%j fails with exit 1 and one stderr line", async (args, message) => {
    const h = harness();
    expect(await h.run(args)).toBe(1);
    expect(h.stderr.join("")).toBe(message);
    expect(h.stdout).toEqual([]);
    expect(h.logs).toEqual([]);
  });

  test.each([[["-h"]], [["--help"]], [["--workflow", "x", "-help"]]])(
    "%j prints the help on stdout",
    async (args) => {
      const h = harness();
      expect(await h.run(args)).toBe(0);
      expect(h.stdout.join("")).toStartWith("Serve Sortie's agent tools over the Model Context Protocol");
      expect(h.stderr).toEqual([]);
    },
  );

  test("positionals are ignored and stdin EOF ends the server with exit 0", async () => {
    const h = harness();
    const done = h.run(["extra", "--workflow", w.workflow]);
    const init = await h.client.initialize();
    expect(init.result?.serverInfo).toEqual({ name: "sortie-tools", version: "dev" });
    h.input.end();
    expect(await done).toBe(0);
    expect(h.stderr).toEqual([]);
  });
});

describe("start-up failures are ERROR log lines on stderr with exit 1", () => {
  async function failing(setup: () => void, workflow = w.workflow): Promise<Harness> {
    setup();
    const h = harness();
    expect(await h.run(["--workflow", workflow])).toBe(1);
    expect(h.stdout).toEqual([]);
    expect(h.logs).toHaveLength(1);
    return h;
  }

  test("a missing workflow file", async () => {
    const h = await failing(() => {}, join(w.dir, "missing.md"));
    expect(h.logs[0]).toMatch(/ level=ERROR msg="failed to load workflow" error="workflow file not found: /);
  });

  test("unparseable front matter", async () => {
    const h = await failing(() => writeFileSync(w.workflow, "---\ntracker: [unclosed\n---\nhi\n"));
    expect(h.logs[0]).toContain('msg="failed to load workflow" error="failed to parse YAML front matter');
  });

  test("an invalid configuration", async () => {
    const h = await failing(() =>
      w.writeWorkflow("tracker:\n  kind: file\npolling:\n  interval_ms: soon\nfile:\n  path: issues.json\n"),
    );
    expect(h.logs[0]).toContain(
      'msg="failed to parse config" error="config: polling.interval_ms: invalid integer value: soon',
    );
  });

  test("an unknown tracker kind", async () => {
    const h = await failing(() => w.writeWorkflow("tracker:\n  kind: trello\n  project: PROJ\n"));
    expect(h.logs[0]).toContain(
      'msg="unknown tracker kind" kind=trello error="unknown tracker adapter kind \\"trello\\"; registered: [file, github, jira]"',
    );
  });

  test("a tracker adapter that cannot be built", async () => {
    const h = await failing(() => w.writeWorkflow("tracker:\n  kind: file\n  project: PROJ\n"));
    expect(h.logs[0]).toContain(
      'msg="failed to construct tracker adapter" kind=file error="tracker: tracker_payload_error: missing required config key: path"',
    );
  });
});

describe("tools per session environment", () => {
  async function toolNames(env: Record<string, string>): Promise<{ names: string[]; h: Harness }> {
    const h = harness(env);
    const done = h.run(["--workflow", w.workflow]);
    await h.client.initialize();
    const list = await h.client.request("tools/list");
    h.input.end();
    expect(await done).toBe(0);
    return { names: ((list.result?.tools ?? []) as { name: string }[]).map((t) => t.name), h };
  }

  test("a full session environment and a project give all three tools", async () => {
    await (await openStore(w.dbPath)).close();
    expect((await toolNames(sessionEnv())).names).toEqual([
      "sortie_status",
      "tracker_api",
      "workspace_history",
    ]);
  });

  test("without a project tracker_api is not offered", async () => {
    writeTrackerWorkflow("");
    await (await openStore(w.dbPath)).close();
    expect((await toolNames(sessionEnv())).names).toEqual(["sortie_status", "workspace_history"]);
  });

  test("without a tracker kind there is no adapter and no tracker_api", async () => {
    w.writeWorkflow("tracker:\n  project: PROJ\nagent:\n  kind: mock\n");
    expect((await toolNames({ SORTIE_WORKSPACE: workspace })).names).toEqual(["sortie_status"]);
  });

  test("no session variables leave only tracker_api", async () => {
    expect((await toolNames({})).names).toEqual(["tracker_api"]);
  });

  test("a database that cannot be opened read-only is skipped with a warning", async () => {
    const { names, h } = await toolNames({ ...sessionEnv(), SORTIE_DB_PATH: join(w.dir, "nope", "x.db") });
    expect(names).toEqual(["sortie_status", "tracker_api"]);
    expect(h.logs).toHaveLength(1);
    expect(h.logs[0]).toMatch(
      / level=WARN msg="failed to open read-only db for workspace_history" db_path=\S+x\.db error=/,
    );
  });
});

describe("serving", () => {
  async function started(
    env: Record<string, string> = sessionEnv(),
  ): Promise<{ h: Harness; done: Promise<number> }> {
    if (!existsSync(w.dbPath)) await (await openStore(w.dbPath)).close();
    const h = harness(env);
    const done = h.run(["--workflow", w.workflow]);
    await h.client.initialize();
    return { h, done };
  }

  test("tracker_api reads the file tracker and writes transitions back into the issues file", async () => {
    const { h, done } = await started();
    const fetched = await h.client.callTool("tracker_api", { operation: "fetch_issue", issue_id: "1" });
    expect(fetched.isError).toBe(false);
    expect(fetched.output).toMatchObject({
      success: true,
      data: {
        id: "1",
        identifier: "PROJ-1",
        state: "To Do",
        comments: [{ id: "1", author: "ann", body: "please fix" }],
      },
    });

    const comments = await h.client.callTool("tracker_api", { operation: "fetch_comments", issue_id: "1" });
    expect(comments.output).toEqual({
      success: true,
      data: [{ id: "1", author: "ann", body: "please fix", created_at: "2025-01-02T03:04:05Z" }],
    });

    const search = await h.client.callTool("tracker_api", { operation: "search_issues" });
    const found = (search.output as { data: { identifier: string; comments: unknown }[] }).data;
    expect(found.map((i) => i.identifier)).toEqual(["PROJ-1", "OTHER-3"]);
    expect(found.every((i) => i.comments === null)).toBe(true);

    const moved = await h.client.callTool("tracker_api", {
      operation: "transition_issue",
      issue_id: "1",
      target_state: "In Progress",
    });
    expect(moved.output).toEqual({ success: true, data: { transitioned: true } });
    expect(w.issue("1")).toMatchObject({ state: "In Progress", custom_key: { kept: true } });

    h.input.end();
    expect(await done).toBe(0);
  });

  test("an issue of another project is refused and the file is left as it was", async () => {
    const { h, done } = await started();
    const before = readFileSync(w.issuesFile, "utf8");
    for (const args of [
      { operation: "transition_issue", issue_id: "3", target_state: "Done" },
      { operation: "fetch_issue", issue_id: "3" },
      { operation: "fetch_comments", issue_id: "3" },
    ]) {
      const r = await h.client.callTool("tracker_api", args);
      expect(r.output).toEqual({
        success: false,
        error: { kind: "project_scope_violation", message: "issue OTHER-3 is not in project PROJ" },
      });
    }
    expect(readFileSync(w.issuesFile, "utf8")).toBe(before);
    h.input.end();
    expect(await done).toBe(0);
  });

  test("tracker failures and bad input are envelopes, not JSON-RPC errors", async () => {
    const { h, done } = await started();
    expect(
      (await h.client.callTool("tracker_api", { operation: "fetch_issue", issue_id: "99" })).output,
    ).toEqual({
      success: false,
      error: { kind: "tracker_not_found", message: "issue not found: 99" },
    });
    expect((await h.client.callTool("tracker_api", { operation: "fetch_issue" })).output).toEqual({
      success: false,
      error: { kind: "invalid_input", message: "issue_id is required for fetch_issue" },
    });
    expect((await h.client.callTool("tracker_api")).output).toEqual({
      success: false,
      error: { kind: "invalid_input", message: "failed to parse input: arguments are missing" },
    });
    writeFileSync(w.issuesFile, "{ not json");
    expect((await h.client.callTool("tracker_api", { operation: "search_issues" })).output).toMatchObject({
      success: false,
      error: { kind: "tracker_payload_error" },
    });
    h.input.end();
    expect(await done).toBe(0);
  });

  test("sortie_status reads the worker's state file", async () => {
    const { h, done } = await started();
    expect((await h.client.callTool("sortie_status", {})).output).toEqual({
      error: "state file unavailable: no such file",
    });
    mkdirSync(join(workspace, ".sortie"));
    await writeStateJson(workspace, {
      turnNumber: 1,
      maxTurns: 3,
      attempt: 2,
      startedAt: new Date(Date.now() - 5000),
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      cacheReadTokens: 1,
    });
    const status = (await h.client.callTool("sortie_status", {})).output as Record<string, unknown>;
    expect(status).toMatchObject({
      turn_number: 1,
      max_turns: 3,
      turns_remaining: 2,
      attempt: 2,
      tokens: { input_tokens: 10, output_tokens: 5, total_tokens: 15, cache_read_tokens: 1 },
    });
    expect(status.session_duration_seconds).toBeGreaterThanOrEqual(5);
    h.input.end();
    expect(await done).toBe(0);
  });

  test("workspace_history lists the issue's newest ten runs from the database", async () => {
    const store = await openStore(w.dbPath);
    const t0 = Date.parse("2025-05-01T00:00:00Z");
    for (let attempt = 1; attempt <= 12; attempt++) {
      await store.appendRunHistory({
        issueId: "1",
        identifier: "PROJ-1",
        attempt,
        agentAdapter: "mock",
        workspace,
        startedAt: new Date(t0 + attempt * 60_000),
        completedAt: new Date(t0 + attempt * 60_000 + 30_000),
        status: attempt === 12 ? "succeeded" : "failed",
        error: attempt === 12 ? null : `turn ${attempt} failed`,
      });
    }
    await store.appendRunHistory({
      issueId: "2",
      identifier: "PROJ-2",
      attempt: 1,
      agentAdapter: "mock",
      workspace: "",
      startedAt: new Date(t0),
      completedAt: new Date(t0),
      status: "succeeded",
    });
    await store.close();

    const { h, done } = await started();
    const history = (await h.client.callTool("workspace_history", {})).output as {
      issue_id: string;
      entries: Record<string, unknown>[];
    };
    expect(history.issue_id).toBe("1");
    expect(history.entries.map((e) => e.attempt)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(history.entries[0]).toEqual({
      attempt: 12,
      agent_adapter: "mock",
      started_at: expect.stringMatching(/^2025-05-01T00:12:00/),
      completed_at: expect.stringMatching(/^2025-05-01T00:12:30/),
      status: "succeeded",
      error: null,
    });
    expect(history.entries[1]).toMatchObject({ status: "failed", error: "turn 11 failed" });
    h.input.end();
    expect(await done).toBe(0);
  });

  test("workspace_history of an issue without runs has no entries", async () => {
    const { h, done } = await started({ ...sessionEnv(), SORTIE_ISSUE_ID: "77" });
    expect((await h.client.callTool("workspace_history", {})).output).toEqual({
      issue_id: "77",
      entries: [],
    });
    h.input.end();
    expect(await done).toBe(0);
  });

  test("a signal ends serving with exit 0 while stdin is still open", async () => {
    const { h, done } = await started();
    h.signal("SIGTERM");
    expect(await done).toBe(0);
    expect(h.exitCalls).toEqual([]);
  });

  test("a line over 10 MiB is a serve error: ERROR MCP server error, exit 1", async () => {
    const { h, done } = await started();
    h.client.sendRaw(
      `{"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":"${"x".repeat(10 * 1024 * 1024)}"}}\n`,
    );
    expect(await done).toBe(1);
    expect(h.logs.at(-1)).toMatch(/ level=ERROR msg="MCP server error" error="line exceeds 10485760 bytes"/);
    expect(h.client.replies().map((r) => r.id)).toEqual([1]);
  });

  test("stdout carries only JSON-RPC replies, one per line", async () => {
    const { h, done } = await started();
    await h.client.request("tools/list");
    h.client.sendRaw("this is not json\n");
    await h.client.waitForReply(null);
    await h.client.callTool("tracker_api", { operation: "search_issues" });
    h.input.end();
    expect(await done).toBe(0);
    const text = h.stdout.join("");
    expect(text.endsWith("\n")).toBe(true);
    for (const line of text.trimEnd().split("\n")) expect(JSON.parse(line).jsonrpc).toBe("2.0");
  });
});
