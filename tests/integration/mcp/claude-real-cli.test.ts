// The real, pinned `claude` CLI (driven by sortie's claude-code adapter, offline against a fake
// model) starting the compiled `sortie mcp-server` from a generated `.sortie/mcp.json`, listing its
// tools and calling `tracker_api`, whose transition lands in the file tracker's issues file.
// Skipped when the CLI is not installed (scripts/install-agent-clis.sh claude).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { ClaudeCodeAdapter } from "../../../src/agents/claude-code/index.ts";
import type { AgentEvent } from "../../../src/domain/agent.ts";
import { emptyIssue } from "../../../src/domain/issue.ts";
import { buildMcpEnv, writeMcpConfig } from "../../../src/workspace/index.ts";
import { recordingLogger } from "../../fakes/agent-cli/recording-logger.ts";
import { SORTIE_BIN } from "../../helpers/sortie-process.ts";
import { startToolFake, type ToolFake } from "./fake-model.ts";

const PINNED_VERSION = "2.1.332";
const CACHE = process.env.SORTIE_AGENT_CLI_CACHE || join(homedir(), ".cache", "sortie-agent-clis");
const CLAUDE_BIN = join(CACHE, "node_modules", ".bin", "claude");

function installedVersion(): string | undefined {
  try {
    const pkg = JSON.parse(
      readFileSync(join(CACHE, "node_modules/@anthropic-ai/claude-code/package.json"), "utf8"),
    );
    return typeof pkg.version === "string" ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

const available = installedVersion() === PINNED_VERSION && existsSync(CLAUDE_BIN);
if (!available) {
  console.warn(
    `SKIPPING real claude CLI MCP tests: @anthropic-ai/claude-code@${PINNED_VERSION} is not installed in ${CACHE} ` +
      "(run scripts/install-agent-clis.sh claude)",
  );
}

const TEST_TIMEOUT_MS = 90_000;
const TOOL = "mcp__sortie-tools__tracker_api";

let root: string;
let workspace: string;
let home: string;
let issuesFile: string;
let workflowPath: string;
let fake: ToolFake;
let adapters: ClaudeCodeAdapter[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sortie-mcp-claude-"));
  workspace = join(root, "workspaces", "PROJ-1");
  home = join(root, "home");
  issuesFile = join(root, "issues.json");
  workflowPath = join(root, "WORKFLOW.md");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(home);
  writeFileSync(
    issuesFile,
    JSON.stringify([
      { id: "1", identifier: "PROJ-1", title: "Ours", state: "To Do" },
      { id: "2", identifier: "OTHER-2", title: "Theirs", state: "To Do" },
    ]),
  );
  writeFileSync(
    workflowPath,
    "---\ntracker:\n  kind: file\n  project: $SORTIE_TEST_PROJECT\n  active_states: [To Do, In Progress]\n" +
      "  terminal_states: [Done]\nfile:\n  path: issues.json\nagent:\n  kind: claude-code\n---\nWork.\n",
  );
  adapters = [];
});

afterEach(async () => {
  for (const a of adapters) await a.close();
  await fake?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** What the worker writes before starting the session: the compiled binary as the server. */
async function generateMcpConfig(): Promise<string> {
  const env = buildMcpEnv({
    // The orchestrator's SORTIE_* variables travel in the entry, so `$VAR`s in WORKFLOW.md resolve.
    parentEnv: { SORTIE_TEST_PROJECT: "PROJ", PATH: "/not/copied" },
    issueId: "1",
    issueIdentifier: "PROJ-1",
    workspace,
    dbPath: join(root, "sortie.db"),
    attempt: null,
  });
  return writeMcpConfig(workspace, { selfExecutable: SORTIE_BIN, workflowPath, env });
}

async function runTurn(prompt: string): Promise<{ events: AgentEvent[]; error: unknown }> {
  const mcpConfigPath = await generateMcpConfig();
  const adapter = new ClaudeCodeAdapter(
    {
      kind: "claude-code",
      command: CLAUDE_BIN,
      turnTimeoutMs: 600_000,
      readTimeoutMs: 5000,
      stallTimeoutMs: 0,
      options: { permission_mode: "acceptEdits", allowed_tools: TOOL },
    },
    {
      logger: recordingLogger().logger,
      baseEnv: {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        HOME: home,
        LANG: "C.UTF-8",
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: "sk-ant-fake-key",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_TELEMETRY: "1",
        DISABLE_ERROR_REPORTING: "1",
        // Offer MCP tools to the model directly instead of behind the CLI's tool search.
        ENABLE_TOOL_SEARCH: "false",
        HTTPS_PROXY: fake.url,
        HTTP_PROXY: fake.url,
        NO_PROXY: "127.0.0.1,localhost",
      },
    },
  );
  adapters.push(adapter);
  const agentConfig = {
    kind: "claude-code",
    command: CLAUDE_BIN,
    turnTimeoutMs: 600_000,
    readTimeoutMs: 5000,
    stallTimeoutMs: 0,
  };
  const session = await adapter.startSession(
    {
      workspacePath: workspace,
      agentConfig,
      resumeSessionId: "",
      sshHost: "",
      sshStrictHostKeyChecking: "",
      mcpConfigPath,
      env: { SORTIE_ISSUE_ID: "1", SORTIE_ISSUE_IDENTIFIER: "PROJ-1", SORTIE_WORKSPACE: workspace },
    },
    new AbortController().signal,
  );
  const events: AgentEvent[] = [];
  const outcome = await adapter.runTurn(
    session,
    {
      prompt,
      issue: emptyIssue({ id: "1", identifier: "PROJ-1" }),
      turnNumber: 1,
      onEvent: (e) => events.push(e),
      onProcessGroup: () => {},
    },
    new AbortController().signal,
  );
  expect(outcome.result.exitReason).toBe("turn_completed");
  return { events, error: outcome.error };
}

function offeredSortieTools(): string[][] {
  return fake.requests
    .filter((r) => r.body?.tools)
    .map((r) => (r.body?.tools ?? []).map((t) => t.name).filter((n) => n.startsWith("mcp__sortie-tools__")));
}

describe.skipIf(!available)(`sortie mcp-server under the real claude CLI ${PINNED_VERSION}`, () => {
  test(
    "the CLI lists sortie's tools and a tracker_api transition is written to the issues file",
    async () => {
      fake = startToolFake();
      const input = { operation: "transition_issue", issue_id: "1", target_state: "In Progress" };
      const { events, error } = await runTurn(`Move the issue. TOOL:${TOOL}:${JSON.stringify(input)}`);
      expect(error).toBeUndefined();

      expect(offeredSortieTools()[0]).toEqual(["mcp__sortie-tools__sortie_status", TOOL]);
      expect(fake.toolResults.map((t) => JSON.parse(t))).toEqual([
        { success: true, data: { transitioned: true } },
      ]);
      expect(events.filter((e) => e.type === "tool_result")).toEqual([
        expect.objectContaining({ toolName: TOOL, toolError: false }),
      ]);
      const issues = JSON.parse(readFileSync(issuesFile, "utf8")) as { id: string; state: string }[];
      expect(issues.map((i) => i.state)).toEqual(["In Progress", "To Do"]);
      expect(fake.requests.filter((r) => r.foreign)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an issue of another project comes back to the model as a project_scope_violation envelope",
    async () => {
      fake = startToolFake();
      const input = { operation: "transition_issue", issue_id: "2", target_state: "Done" };
      const { error } = await runTurn(`TOOL:${TOOL}:${JSON.stringify(input)}`);
      expect(error).toBeUndefined();
      expect(fake.toolResults.map((t) => JSON.parse(t))).toEqual([
        {
          success: false,
          error: { kind: "project_scope_violation", message: "issue OTHER-2 is not in project PROJ" },
        },
      ]);
      const issues = JSON.parse(readFileSync(issuesFile, "utf8")) as { id: string; state: string }[];
      expect(issues.map((i) => i.state)).toEqual(["To Do", "To Do"]);
    },
    TEST_TIMEOUT_MS,
  );
});
