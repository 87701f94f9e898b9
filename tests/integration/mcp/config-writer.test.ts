// `.sortie/mcp.json` as the worker will write it through mcpConfigWriter, and the entry it holds
// started exactly as an agent CLI would: here from source (runtime + entry script).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadWorkflow, type ServiceConfig, silentLogger } from "../../../src/config/index.ts";
import { emptyIssue } from "../../../src/domain/issue.ts";
import { mcpConfigWriter, operatorMcpConfigPath } from "../../../src/mcp/index.ts";
import { trackerStateDefaults } from "../../../src/trackers/registry.ts";
import { makeWorkflowDir, type WorkflowDir } from "../../helpers/workflow.ts";
import { RpcClient } from "./rpc-client.ts";

const ENTRY = resolve(import.meta.dir, "../../../src/main.ts");

let w: WorkflowDir;
let workspace: string;
const children: ReturnType<typeof Bun.spawn>[] = [];

beforeEach(() => {
  w = makeWorkflowDir("sortie-mcp-writer-");
  workspace = join(w.dir, "workspaces", "PROJ-1");
  mkdirSync(workspace, { recursive: true });
  w.writeIssues([{ id: "1", identifier: "PROJ-1", title: "First", state: "To Do" }]);
});

afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  w.cleanup();
});

async function load(agentBlock = ""): Promise<ServiceConfig> {
  w.writeWorkflow(`
tracker:
  kind: file
  project: PROJ
  active_states: [To Do]
file:
  path: issues.json
agent:
  kind: claude-code
  command: claude
db_path: ${w.dbPath}
${agentBlock}
`);
  const loaded = await loadWorkflow({
    workflowPath: w.workflow,
    env: {},
    cwd: w.dir,
    homeDir: w.dir,
    stateDefaults: trackerStateDefaults,
    logger: silentLogger,
  });
  return loaded.config;
}

const issue = emptyIssue({ id: "1", identifier: "PROJ-1" });
const self = { executable: process.execPath, args: [ENTRY] };

describe("mcpConfigWriter", () => {
  test("writes the sortie-tools entry with the session variables and the parent's SORTIE_* ones", async () => {
    const config = await load();
    const write = mcpConfigWriter({
      workflowPath: w.workflow,
      config: () => config,
      parentEnv: { SORTIE_TRACKER_API_KEY: "secret", SORTIE_ATTEMPT: "9", PATH: "/bin" },
      self,
    });
    const path = await write(workspace, issue, 0);
    expect(path).toBe(join(workspace, ".sortie", "mcp.json"));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(workspace, ".sortie", ".gitignore"), "utf8")).toBe("*\n");
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
      mcpServers: {
        "sortie-tools": {
          type: "stdio",
          command: realpathSync(process.execPath),
          args: [ENTRY, "mcp-server", "--workflow", w.workflow],
          env: {
            SORTIE_TRACKER_API_KEY: "secret",
            SORTIE_ISSUE_ID: "1",
            SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
            SORTIE_WORKSPACE: workspace,
            SORTIE_DB_PATH: w.dbPath,
            SORTIE_SESSION_ID: "",
          },
        },
      },
    });
  });

  test("a retry carries SORTIE_ATTEMPT", async () => {
    const config = await load();
    const write = mcpConfigWriter({ workflowPath: w.workflow, config: () => config, parentEnv: {}, self });
    const doc = JSON.parse(readFileSync(await write(workspace, issue, 2), "utf8"));
    expect(doc.mcpServers["sortie-tools"].env.SORTIE_ATTEMPT).toBe("2");
  });

  test("merges into the operator's file named by <agent.kind>.mcp_config, relative to WORKFLOW.md", async () => {
    mkdirSync(join(w.dir, "mcp"));
    writeFileSync(
      join(w.dir, "mcp", "servers.json"),
      JSON.stringify({ mcpServers: { docs: { command: "docs-server" } }, other: 1 }),
    );
    const config = await load("claude-code:\n  mcp_config: mcp/servers.json\n");
    expect(operatorMcpConfigPath(config)).toBe("mcp/servers.json");
    const write = mcpConfigWriter({ workflowPath: w.workflow, config: () => config, parentEnv: {}, self });
    const doc = JSON.parse(readFileSync(await write(workspace, issue, 0), "utf8"));
    expect(Object.keys(doc.mcpServers)).toEqual(["docs", "sortie-tools"]);
    expect(doc.other).toBe(1);
  });

  test("writes nothing when the workflow path is unknown", async () => {
    const config = await load();
    const write = mcpConfigWriter({ workflowPath: "", config: () => config, parentEnv: {}, self });
    expect(await write(workspace, issue, 0)).toBe("");
  });

  test("the entry runs sortie from source without a shell and serves the session's tools", async () => {
    const config = await load();
    const write = mcpConfigWriter({ workflowPath: w.workflow, config: () => config, parentEnv: {}, self });
    const entry = JSON.parse(readFileSync(await write(workspace, issue, 0), "utf8")).mcpServers[
      "sortie-tools"
    ];
    const proc = Bun.spawn([entry.command, ...entry.args], {
      cwd: workspace,
      env: entry.env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    children.push(proc);
    const client = new RpcClient((text) => {
      proc.stdin.write(text);
      proc.stdin.flush();
    });
    const out = (async () => {
      const decoder = new TextDecoder();
      const reader = proc.stdout.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        client.receive(decoder.decode(value, { stream: true }));
      }
    })();
    await client.initialize();
    const list = await client.request("tools/list");
    expect(((list.result?.tools ?? []) as { name: string }[]).map((t) => t.name)).toEqual([
      "sortie_status",
      "tracker_api",
    ]);
    const fetched = await client.callTool("tracker_api", { operation: "fetch_issue", issue_id: "1" });
    expect(fetched.output).toMatchObject({ success: true, data: { identifier: "PROJ-1" } });
    proc.stdin.end();
    expect(await proc.exited).toBe(0);
    await out;
    // No database yet: the history tool is skipped with a warning on stderr.
    expect(await new Response(proc.stderr).text()).toContain(
      "failed to open read-only db for workspace_history",
    );
  });
});
