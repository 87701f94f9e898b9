// The compiled binary as an agent CLI starts it: `dist/sortie mcp-server --workflow <abs>` from the
// entry sortie writes into `.sortie/mcp.json`, spoken to over its stdin/stdout.
import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildMcpEnv, writeMcpConfig } from "../../../src/workspace/index.ts";
import { requireBinary, runSortie } from "../../helpers/sortie-process.ts";
import { makeWorkflowDir, type WorkflowDir } from "../../helpers/workflow.ts";
import { RpcClient } from "./rpc-client.ts";

setDefaultTimeout(30_000);

let w: WorkflowDir;
let workspace: string;
const running: ReturnType<typeof Bun.spawn>[] = [];

beforeEach(() => {
  w = makeWorkflowDir("sortie-mcp-bin-");
  workspace = join(w.dir, "workspaces", "PROJ-1");
  mkdirSync(workspace, { recursive: true });
  w.writeIssues([
    { id: "1", identifier: "PROJ-1", title: "First", state: "To Do", description: "short" },
    { id: "2", identifier: "OTHER-2", title: "Foreign", state: "To Do" },
  ]);
  w.writeWorkflow(`
tracker:
  kind: file
  project: PROJ
  active_states: [To Do, In Progress]
  terminal_states: [Done]
file:
  path: issues.json
agent:
  kind: mock
`);
});

afterEach(() => {
  for (const p of running.splice(0)) p.kill("SIGKILL");
  w.cleanup();
});

interface ServerProcess {
  proc: ReturnType<typeof Bun.spawn>;
  client: RpcClient;
  stderr: () => string;
  stdout: () => string;
  /** Exit code, after both pipes are drained. */
  exited: Promise<number>;
  closeStdin(): void;
}

function spawnServer(command: string[], env: Record<string, string>, cwd = workspace): ServerProcess {
  const proc = Bun.spawn(command, { cwd, env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  running.push(proc);
  const stdin = proc.stdin as import("bun").FileSink;
  const client = new RpcClient((text) => {
    stdin.write(text);
    stdin.flush();
  });
  let out = "";
  let err = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: (t: string) => void) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sink(decoder.decode(value, { stream: true }));
    }
  };
  const outDone = pump(proc.stdout as ReadableStream<Uint8Array>, (t) => {
    out += t;
    client.receive(t);
  });
  const errDone = pump(proc.stderr as ReadableStream<Uint8Array>, (t) => {
    err += t;
  });
  return {
    proc,
    client,
    stderr: () => err,
    stdout: () => out,
    exited: (async () => {
      const code = await proc.exited;
      await Promise.all([outDone, errDone]);
      return code;
    })(),
    closeStdin: () => void stdin.end(),
  };
}

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: w.dir, ...extra };
}

function sessionEnv(): Record<string, string> {
  return {
    SORTIE_ISSUE_ID: "1",
    SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
    SORTIE_WORKSPACE: workspace,
    SORTIE_SESSION_ID: "",
  };
}

function start(env: Record<string, string> = sessionEnv()): ServerProcess {
  return spawnServer([requireBinary(), "mcp-server", "--workflow", w.workflow], baseEnv(env));
}

function expectOnlyJsonRpc(stdout: string): void {
  expect(stdout.endsWith("\n")).toBe(true);
  for (const line of stdout.trimEnd().split("\n")) expect(JSON.parse(line).jsonrpc).toBe("2.0");
}

describe("sortie mcp-server (compiled binary)", () => {
  test("handshake, tools and a transition written back; stdin EOF exits 0", async () => {
    const version = (await runSortie(["-dumpversion"])).stdout.trim();
    const s = start();
    const init = await s.client.initialize("2025-06-18");
    expect(init.result).toEqual({
      protocolVersion: "2025-06-18",
      capabilities: { tools: {} },
      serverInfo: { name: "sortie-tools", version },
    });
    const list = await s.client.request("tools/list");
    expect(((list.result?.tools ?? []) as { name: string }[]).map((t) => t.name)).toEqual([
      "sortie_status",
      "tracker_api",
    ]);

    const moved = await s.client.callTool("tracker_api", {
      operation: "transition_issue",
      issue_id: "1",
      target_state: "In Progress",
    });
    expect(moved.output).toEqual({ success: true, data: { transitioned: true } });
    expect(w.issue("1")?.state).toBe("In Progress");

    const refused = await s.client.callTool("tracker_api", {
      operation: "transition_issue",
      issue_id: "2",
      target_state: "Done",
    });
    expect(refused.output).toMatchObject({ success: false, error: { kind: "project_scope_violation" } });
    expect(w.issue("2")?.state).toBe("To Do");

    const unknown = await s.client.request("resources/list");
    expect(unknown.error).toEqual({ code: -32601, message: "method not found: resources/list" });

    s.closeStdin();
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toBe("");
    expectOnlyJsonRpc(s.stdout());
  });

  test.each(["SIGTERM", "SIGINT"] as const)("%s while stdin is open exits 0", async (sig) => {
    const s = start();
    await s.client.initialize();
    s.proc.kill(sig);
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toBe("");
  });

  test("a reply of several megabytes arrives whole through the pipe", async () => {
    const big = "ä".repeat(3 * 1024 * 1024);
    w.writeIssues([{ id: "1", identifier: "PROJ-1", title: "Big", state: "To Do", description: big }]);
    const s = start();
    await s.client.initialize();
    const r = await s.client.callTool("tracker_api", { operation: "fetch_issue", issue_id: "1" });
    expect((r.output as { data: { description: string } }).data.description).toBe(big);
    s.closeStdin();
    expect(await s.exited).toBe(0);
  });

  test("logs, including config warnings, go to stderr and never to stdout", async () => {
    const s = start({ ...sessionEnv(), SORTIE_ENV_FILE: join(w.dir, "missing.env") });
    await s.client.initialize();
    await s.client.callTool("sortie_status", {});
    s.closeStdin();
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toMatch(
      /^time=\S+ level=WARN msg="env file not found, skipping" path=\S+missing\.env\n$/,
    );
    expectOnlyJsonRpc(s.stdout());
  });

  test("a line over 10 MiB stops the server with exit 1", async () => {
    const s = start();
    await s.client.initialize();
    s.client.sendRaw(`{"pad":"${"x".repeat(10 * 1024 * 1024 + 1)}"}\n`);
    expect(await s.exited).toBe(1);
    expect(s.stderr()).toContain('level=ERROR msg="MCP server error" error="line exceeds 10485760 bytes"');
  });

  test.each([
    [[], "sortie mcp-server: --workflow flag is required\n"],
    [["--workflow", "WORKFLOW.md"], "sortie mcp-server: --workflow must be an absolute path\n"],
    [["--workflow", "./rel/WORKFLOW.md"], "sortie mcp-server: --workflow must be an absolute path\n"],
    [["--port", "1"], "sortie mcp-server: flag provided but not defined: -port\n"],
  ])("bad arguments %j exit 1 with the exact message", async (args, message) => {
    const r = await runSortie(["mcp-server", ...args], { cwd: w.dir });
    expect(r).toEqual({ code: 1, stdout: "", stderr: message });
  });

  test("a workflow that cannot be loaded exits 1 with an ERROR line", async () => {
    const r = await runSortie(["mcp-server", "--workflow", join(w.dir, "missing.md")], { cwd: w.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^time=\S+ level=ERROR msg="failed to load workflow" error="workflow file not found: /,
    );
  });

  test("the entry written into .sortie/mcp.json starts the server without a shell", async () => {
    const env = buildMcpEnv({
      parentEnv: { SORTIE_TRACKER_PROJECT: "PROJ", OTHER: "not copied" },
      issueId: "1",
      issueIdentifier: "PROJ-1",
      workspace,
      dbPath: join(w.dir, "absent", "sortie.db"),
      attempt: null,
    });
    const path = await writeMcpConfig(workspace, {
      selfExecutable: requireBinary(),
      workflowPath: w.workflow,
      env,
    });
    const entry = JSON.parse(readFileSync(path, "utf8")).mcpServers["sortie-tools"] as {
      command: string;
      args: string[];
      env: Record<string, string>;
    };
    expect(entry.args).toEqual(["mcp-server", "--workflow", w.workflow]);
    const s = spawnServer([entry.command, ...entry.args], { ...entry.env, PATH: "/usr/bin:/bin" });
    await s.client.initialize();
    const list = await s.client.request("tools/list");
    expect(((list.result?.tools ?? []) as { name: string }[]).map((t) => t.name)).toEqual([
      "sortie_status",
      "tracker_api",
    ]);
    s.closeStdin();
    expect(await s.exited).toBe(0);
    // The database does not exist: the history tool is skipped with a warning, not a failure.
    expect(s.stderr()).toContain('level=WARN msg="failed to open read-only db for workspace_history"');
  });
});
