// The real, pinned `claude` CLI (driven by sortie's claude-code adapter, offline against a fake
// model) starting the compiled `sortie mcp-server` from a generated `.sortie/mcp.json`, listing its
// tools and calling `tracker_api`, whose transition lands in the file tracker's issues file.
// Skipped when the CLI is not installed (scripts/install-agent-clis.sh claude).
import { beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { ClaudeCodeAdapter } from "../../../src/agents/claude-code/index.ts";
import type { AgentEvent } from "../../../src/domain/agent.ts";
import { buildMcpEnv, writeMcpConfig } from "../../../src/workspace/index.ts";
import { runAgentTurn } from "../../fakes/agent-cli/adapter-session.ts";
import { PINNED_CLAUDE } from "../../fakes/agent-cli/installed-cli.ts";
import { claudeOfflineSettings } from "../../fakes/agent-cli/offline-env.ts";
import { useRealCli } from "../../fakes/agent-cli/real-cli.ts";
import { SORTIE_BIN } from "../../helpers/sortie-process.ts";
import { startToolFake, type ToolFake } from "./fake-model.ts";

const cli = useRealCli({
  cli: PINNED_CLAUDE,
  kind: "claude-code",
  prefix: "sortie-mcp-claude-",
  tests: "real claude CLI MCP tests",
  sessionNamesCli: true,
  layout: { workspace: "workspaces/PROJ-1" },
});
const { scratch } = cli;

const TEST_TIMEOUT_MS = 90_000;
const TOOL = "mcp__sortie-tools__tracker_api";

let issuesFile: string;
let workflowPath: string;
let fake: ToolFake;

beforeEach(() => {
  issuesFile = scratch.path("issues.json");
  workflowPath = scratch.path("WORKFLOW.md");
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
});

/** What the worker writes before starting the session: the compiled binary as the server. */
async function generateMcpConfig(): Promise<string> {
  const env = buildMcpEnv({
    // The orchestrator's SORTIE_* variables travel in the entry, so `$VAR`s in WORKFLOW.md resolve.
    parentEnv: { SORTIE_TEST_PROJECT: "PROJ", PATH: "/not/copied" },
    issueId: "1",
    issueIdentifier: "PROJ-1",
    workspace: scratch.workspace,
    dbPath: scratch.path("sortie.db"),
    attempt: null,
  });
  return writeMcpConfig(scratch.workspace, { selfExecutable: SORTIE_BIN, workflowPath, env });
}

async function runTurn(prompt: string): Promise<{ events: AgentEvent[]; error: unknown }> {
  const mcpConfigPath = await generateMcpConfig();
  const baseEnv = cli.env({
    settings: {
      ...claudeOfflineSettings(fake.url),
      // Offer MCP tools to the model directly instead of behind the CLI's tool search.
      ENABLE_TOOL_SEARCH: "false",
    },
    proxy: fake.url,
  });
  const { adapter } = scratch.adapter(
    (logger) =>
      new ClaudeCodeAdapter(cli.config(cli.bin, { permission_mode: "acceptEdits", allowed_tools: TOOL }), {
        logger,
        baseEnv,
      }),
  );
  const session = await adapter.startSession(
    cli.startParams({
      mcpConfigPath,
      env: { SORTIE_ISSUE_ID: "1", SORTIE_ISSUE_IDENTIFIER: "PROJ-1", SORTIE_WORKSPACE: scratch.workspace },
    }),
    new AbortController().signal,
  );
  const { outcome, events } = await runAgentTurn(adapter, session, { prompt });
  expect(outcome.result.exitReason).toBe("turn_completed");
  return { events, error: outcome.error };
}

function offeredSortieTools(): string[][] {
  return fake.requests
    .filter((r) => r.body?.tools)
    .map((r) => (r.body?.tools ?? []).map((t) => t.name).filter((n) => n.startsWith("mcp__sortie-tools__")));
}

describe.skipIf(!cli.available)(`sortie mcp-server under the real claude CLI ${cli.version}`, () => {
  test(
    "the CLI lists sortie's tools and a tracker_api transition is written to the issues file",
    async () => {
      fake = scratch.closeAfter(startToolFake());
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
      fake = scratch.closeAfter(startToolFake());
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
