// The codex adapter driving the real, pinned `codex app-server`, offline: the CLI talks to a fake
// OpenAI Responses API (which is also its HTTP(S) proxy, so any attempt to reach another host
// shows up in the fake's log). Install the CLI with `scripts/install-agent-clis.sh codex`.
import { beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CodexAdapter, type CodexDeps, type DynamicTool } from "../../../src/agents/codex/index.ts";
import type { Session, StartSessionParams } from "../../../src/domain/agent.ts";
import { abortedDemoTurn, expectTurnTimedOut, runDemoTurn } from "../../fakes/agent-cli/adapter-session.ts";
import { AGENT_CLI_CACHE, PINNED_CODEX } from "../../fakes/agent-cli/installed-cli.ts";
import { livingGroupMembers } from "../../fakes/agent-cli/process-scan.ts";
import { useRealCli } from "../../fakes/agent-cli/real-cli.ts";
import { waitFor } from "../../fakes/agent-cli/wait.ts";
import { type FakeResponses, messageText, startFakeResponses } from "../../fakes/openai-responses/server.ts";

const cli = useRealCli({
  cli: PINNED_CODEX,
  kind: "codex",
  prefix: "sortie-codex-real-",
  // Generous: the first start of the CLI creates its state databases.
  readTimeoutMs: 30_000,
});
const { scratch } = cli;

const TEST_TIMEOUT_MS = 120_000;

let codexHome: string;
let fake: FakeResponses;

beforeEach(() => {
  // Outside the temp directory: Codex will not place its sandbox helpers under one.
  codexHome = join(AGENT_CLI_CACHE, "test-codex-homes", crypto.randomUUID());
  mkdirSync(codexHome, { recursive: true });
  scratch.afterTest(() => rmSync(codexHome, { recursive: true, force: true }));
});

/** `$CODEX_HOME/config.toml`: the fake as model provider, everything that phones home off. */
function writeCodexConfig(dir: string): void {
  writeFileSync(
    join(dir, "config.toml"),
    `model = "fake-model"
model_provider = "fake"
check_for_update_on_startup = false

[analytics]
enabled = false

[feedback]
enabled = false

[features]
plugins = false
remote_plugin = false
apps = false
in_app_updates = false
api_key_model_discovery = false

[model_providers.fake]
name = "sortie fake"
base_url = "${fake.baseUrl}"
env_key = "FAKE_OPENAI_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
`,
  );
}

/** Sortie's own environment as the adapter sees it. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cli.env({
    settings: { CODEX_HOME: codexHome },
    proxy: fake.origin,
    extra,
  });
}

function makeAdapter(
  options: Record<string, unknown> = {},
  env: Record<string, string> = baseEnv(),
  deps: Partial<CodexDeps> = {},
) {
  return scratch.adapter(
    (logger) =>
      new CodexAdapter(cli.config(`${cli.bin} app-server`, options), {
        logger,
        // The fake's key comes from the agent environment like a real OPENAI key would.
        baseEnv: { ...env, FAKE_OPENAI_KEY: "sk-fake" },
        ...deps,
      }),
  );
}

async function start(adapter: CodexAdapter, overrides: Partial<StartSessionParams> = {}): Promise<Session> {
  const session = await adapter.startSession(cli.startParams(overrides), new AbortController().signal);
  scratch.afterTest(() => adapter.stopSession(session, AbortSignal.timeout(10_000)));
  return session;
}

/** Usage of the fake's answered calls from `fromCall` on, in sortie's shape. */
function fakeUsage(fromCall = 0) {
  const calls = fake.responseCalls.slice(fromCall);
  const input = calls.reduce((n, c) => n + c.usage.input_tokens, 0);
  const output = calls.reduce((n, c) => n + c.usage.output_tokens, 0);
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: input + output,
    cacheReadTokens: calls.reduce((n, c) => n + c.usage.cached_tokens, 0),
    cacheWriteTokens: 0,
    costUsd: null,
  };
}

/** All user-visible text of a model request: the conversation as the model sees it. */
function conversationText(call: FakeResponses["responseCalls"][number]): string {
  return JSON.stringify(
    (call.request.input ?? []).map((item) => (item.type === "message" ? messageText(item) : item)),
  );
}

function onlyTheFakeWasContacted(): void {
  expect(fake.requests.filter((r) => r.foreign)).toEqual([]);
  expect(new Set(fake.requests.map((r) => `${r.method} ${r.path}`))).toEqual(new Set(["POST /v1/responses"]));
}

describe.skipIf(!cli.available)(`codex adapter against the real codex CLI ${cli.version}`, () => {
  test(
    "a shell tool call writes a file in the workspace, tokens equal the fake's usage, no other host is contacted",
    async () => {
      fake = scratch.closeAfter(startFakeResponses());
      writeCodexConfig(codexHome);
      const { adapter, log } = makeAdapter();
      const session = await start(adapter);
      expect(session.id).toMatch(/^[0-9a-f-]{36}$/);

      const { outcome, events, pgids } = await runDemoTurn(
        adapter,
        session,
        "Create it. WRITE:hello.txt:hello from sortie",
      );
      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).toBe(session.id);
      expect(readFileSync(join(scratch.workspace, "hello.txt"), "utf8")).toBe("hello from sortie\n");
      expect(pgids).toEqual([Number(session.agentPid)]);

      expect(events.find((e) => e.type === "session_started")?.sessionId).toBe(session.id);
      const tools = events.filter((e) => e.type === "tool_result");
      expect(tools).toHaveLength(1);
      expect(tools[0]?.toolName).toContain("hello.txt");
      expect(tools[0]?.toolError).toBe(false);
      expect(events.at(-1)).toMatchObject({ type: "turn_completed", message: "turn completed" });
      expect(events.some((e) => e.type === "notification" && e.message.startsWith("Done. Tool said:"))).toBe(
        true,
      );

      // One model request for the tool call, one for the final answer; one usage report each.
      expect(fake.responseCalls.map((c) => c.answer)).toEqual(["function_call", "text"]);
      expect(fake.responseCalls[0]?.toolName).toBe("exec_command");
      const reports = events.filter((e) => e.type === "token_usage");
      expect(reports).toHaveLength(2);
      expect(reports.every((e) => e.requests === 1 && e.model === "fake-model")).toBe(true);
      expect(reports.at(-1)?.usage).toEqual(fakeUsage());
      expect(outcome.result.usage).toEqual(fakeUsage());

      onlyTheFakeWasContacted();
      expect(log.find("warn", "codex sandbox helpers unavailable")).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a second turn continues the thread, and a new session resumes it counting only its own tokens",
    async () => {
      fake = scratch.closeAfter(startFakeResponses());
      writeCodexConfig(codexHome);
      const { adapter, log } = makeAdapter();
      const session = await start(adapter);
      const first = await runDemoTurn(adapter, session, "WRITE:hello.txt:first turn");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const second = await runDemoTurn(adapter, session, "SHELL:cp hello.txt copy.txt && env > env.txt", {
        turnNumber: 2,
      });
      expect(second.outcome.error).toBeUndefined();
      expect(second.outcome.result).toMatchObject({ sessionId: session.id, exitReason: "turn_completed" });
      expect(readFileSync(join(scratch.workspace, "copy.txt"), "utf8")).toBe("first turn\n");
      expect(second.events.some((e) => e.type === "session_started")).toBe(false);
      // The agent's commands see the per-session variables but none of sortie's own secrets.
      const agentEnv = readFileSync(join(scratch.workspace, "env.txt"), "utf8");
      expect(agentEnv).toContain("SORTIE_ISSUE_IDENTIFIER=DEMO-1");
      expect(agentEnv).not.toContain("must-not-leak");

      // Turn 2's first request carries turn 1's conversation; usage covers all four requests.
      expect(fake.responseCalls).toHaveLength(4);
      expect(conversationText(fake.responseCalls[2]!)).toContain("WRITE:hello.txt:first turn");
      expect(second.outcome.result.usage).toEqual(fakeUsage());

      // A later run (restart, continuation) resumes the same thread in a new app-server.
      await adapter.stopSession(session, AbortSignal.timeout(10_000));
      const { adapter: later } = makeAdapter();
      const resumed = await start(later, { resumeSessionId: session.id });
      expect(resumed.id).toBe(session.id);
      const third = await runDemoTurn(later, resumed, "SHELL:cat copy.txt");
      expect(third.outcome.error).toBeUndefined();
      expect(third.outcome.result).toMatchObject({ sessionId: session.id, exitReason: "turn_completed" });
      expect(third.events.find((e) => e.type === "session_started")?.sessionId).toBe(session.id);
      expect(conversationText(fake.responseCalls[4]!)).toContain("SHELL:cp hello.txt copy.txt");
      expect(fake.responseCalls).toHaveLength(6);
      expect(third.outcome.result.usage).toEqual(fakeUsage(4));
      expect(log.find("warn", "agent session not found, starting a fresh session")).toEqual([]);
      onlyTheFakeWasContacted();
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "sortie's tools are offered to Codex and a call reaches the tool and returns its output",
    async () => {
      fake = scratch.closeAfter(startFakeResponses());
      writeCodexConfig(codexHome);
      const calls: unknown[] = [];
      const trackerApi: DynamicTool = {
        name: "tracker_api",
        description: "Read or change the issue in the tracker",
        inputSchema: { type: "object", properties: { op: { type: "string" } }, required: ["op"] },
        execute: async (args) => {
          calls.push(args);
          return { success: true, output: '{"success":true,"data":{"state":"In Progress"}}' };
        },
      };
      const { adapter } = makeAdapter({}, baseEnv(), { tools: [trackerApi] });
      const session = await start(adapter);
      const { outcome, events } = await runDemoTurn(adapter, session, 'TOOL:tracker_api:{"op":"get_state"}');
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(calls).toEqual([{ op: "get_state" }]);
      expect(fake.responseCalls[0]?.request.tools?.map((t) => t.name)).toContain("tracker_api");
      expect(events.filter((e) => e.type === "tool_result")).toEqual([
        expect.objectContaining({ toolName: "tracker_api", toolError: false }),
      ]);
      expect(conversationText(fake.responseCalls[1]!)).toContain("In Progress");
      expect(events.some((e) => e.message.includes('Done. Tool said: {"success":true'))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "with an approval policy that asks, approvals are answered and the command still runs",
    async () => {
      fake = scratch.closeAfter(startFakeResponses());
      writeCodexConfig(codexHome);
      const { adapter } = makeAdapter({ approval_policy: "untrusted" });
      const session = await start(adapter);
      const { outcome, events } = await runDemoTurn(adapter, session, "WRITE:approved.txt:yes");
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(events.filter((e) => e.type === "approval_auto_approved").length).toBeGreaterThan(0);
      expect(readFileSync(join(scratch.workspace, "approved.txt"), "utf8")).toBe("yes\n");
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a thread id the CLI does not know falls back to a fresh thread",
    async () => {
      fake = scratch.closeAfter(startFakeResponses());
      writeCodexConfig(codexHome);
      const { adapter, log } = makeAdapter();
      const lost = "01a21765-0000-7000-8000-000000000000";
      const session = await start(adapter, { resumeSessionId: lost });
      expect(session.id).not.toBe(lost);
      expect(log.find("warn", "agent session not found, starting a fresh session")[0]?.properties).toEqual({
        session_id: lost,
      });
      const { outcome } = await runDemoTurn(adapter, session, "WRITE:after-restart.txt:fresh");
      expect(outcome.result).toMatchObject({ sessionId: session.id, exitReason: "turn_completed" });
      expect(existsSync(join(scratch.workspace, "after-restart.txt"))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a turn timeout during a slow model answer interrupts the turn; stopping the session ends the CLI",
    async () => {
      fake = scratch.closeAfter(startFakeResponses());
      writeCodexConfig(codexHome);
      const { adapter } = makeAdapter();
      const session = await start(adapter);
      const { outcome, events } = await abortedDemoTurn(
        adapter,
        session,
        "SLEEP:120000 think for a long time",
        { asked: () => fake.responseCalls.length >= 1, by: "timeout" },
      );
      expectTurnTimedOut({ outcome, events });

      // The server confirmed the interrupt and is still alive; stopSession ends its whole group.
      const pgid = Number(session.agentPid);
      expect(livingGroupMembers(pgid).length).toBeGreaterThan(0);
      await adapter.stopSession(session, AbortSignal.timeout(10_000));
      await waitFor(() => livingGroupMembers(pgid).length === 0, { what: "the codex process group to die" });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an authentication failure ends the turn as response_error with the CLI's message",
    async () => {
      fake = scratch.closeAfter(startFakeResponses({ errorStatus: 401 }));
      writeCodexConfig(codexHome);
      const { adapter } = makeAdapter();
      const session = await start(adapter);
      const { outcome, events } = await runDemoTurn(adapter, session, "hello");
      expect(outcome.result.exitReason).toBe("turn_failed");
      expect(outcome.error?.kind).toBe("response_error");
      expect(outcome.error?.message).toContain("401 Unauthorized");
      expect(events.at(-1)?.type).toBe("turn_failed");
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "CODEX_HOME under a temp directory with the workspace-write sandbox is reported with a hint",
    async () => {
      fake = scratch.closeAfter(startFakeResponses());
      const tempCodexHome = scratch.path("codex-home");
      mkdirSync(tempCodexHome);
      writeCodexConfig(tempCodexHome);
      const { adapter, log } = makeAdapter({}, baseEnv({ CODEX_HOME: tempCodexHome }));
      const session = await start(adapter);
      const warnings = log.find("warn", "codex sandbox helpers unavailable");
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]?.properties.hint)).toContain("outside /tmp");
      // With full access the same home works without complaint.
      const { adapter: full, log: fullLog } = makeAdapter(
        { thread_sandbox: "danger-full-access" },
        baseEnv({ CODEX_HOME: tempCodexHome }),
      );
      const fullSession = await start(full);
      const { outcome } = await runDemoTurn(full, fullSession, "WRITE:full.txt:ok");
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(fullLog.find("warn", "codex sandbox helpers unavailable")).toEqual([]);
      expect(session.id).not.toBe(fullSession.id);
    },
    TEST_TIMEOUT_MS,
  );
});
