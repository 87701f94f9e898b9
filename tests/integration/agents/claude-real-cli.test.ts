// The claude-code adapter driving the real, pinned `claude` CLI, offline: the CLI talks to a fake
// Anthropic server (which is also its HTTP(S) proxy, so any attempt to reach another host shows
// up in the fake's log). Install the CLI with `scripts/install-agent-clis.sh claude`.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ClaudeCodeAdapter } from "../../../src/agents/claude-code/index.ts";
import { resolveAgentHome } from "../../../src/agents/home.ts";
import type { Session, StartSessionParams } from "../../../src/domain/agent.ts";
import {
  adapterConfig,
  demoIssue,
  demoSessionEnv,
  runAgentTurn,
  sessionParams,
  type TurnRun,
} from "../../fakes/agent-cli/adapter-session.ts";
import { readNulList } from "../../fakes/agent-cli/fake-cli.ts";
import { AGENT_CLI_CACHE, agentCliBin, installedCliVersion } from "../../fakes/agent-cli/installed-cli.ts";
import { livingGroupMembers, livingProcessesMatching } from "../../fakes/agent-cli/process-scan.ts";
import { type RecordingLogger, recordingLogger } from "../../fakes/agent-cli/recording-logger.ts";
import { waitFor } from "../../fakes/agent-cli/wait.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../../fakes/anthropic/server.ts";
import { proxyThroughFake } from "../../fakes/model-server/proxy-env.ts";

const PINNED_VERSION = "2.1.332";
const CLAUDE_BIN = agentCliBin("claude");
const ARGV_RECORDER = resolve(import.meta.dir, "../../fakes/agent-cli/argv-recorder.sh");

const available =
  installedCliVersion("@anthropic-ai/claude-code") === PINNED_VERSION && existsSync(CLAUDE_BIN);
if (!available) {
  console.warn(
    `SKIPPING real claude CLI tests: @anthropic-ai/claude-code@${PINNED_VERSION} is not installed in ${AGENT_CLI_CACHE} ` +
      "(run scripts/install-agent-clis.sh claude)",
  );
}

const TEST_TIMEOUT_MS = 90_000;
/** Permission flags that work as root without IS_SANDBOX. */
const ROOT_SAFE_OPTIONS = { permission_mode: "acceptEdits", allowed_tools: "Bash,Write,Edit,Read" };

let root: string;
let workspace: string;
let home: string;
let fake: FakeAnthropic;
let adapters: ClaudeCodeAdapter[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sortie-claude-real-"));
  workspace = join(root, "ws");
  home = join(root, "home");
  mkdirSync(workspace);
  mkdirSync(home);
  adapters = [];
});

afterEach(async () => {
  for (const a of adapters) await a.close();
  await fake?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Sortie's own environment as the adapter sees it: offline settings for the CLI, no IS_SANDBOX. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: "sk-ant-fake-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    ...proxyThroughFake(fake.url),
    SORTIE_TRACKER_API_KEY: "must-not-leak",
    ...extra,
  };
}

function makeAdapter(
  options: Record<string, unknown> = ROOT_SAFE_OPTIONS,
  env: Record<string, string> = baseEnv(),
  command = CLAUDE_BIN,
): { adapter: ClaudeCodeAdapter; log: RecordingLogger } {
  const log = recordingLogger();
  const adapter = new ClaudeCodeAdapter(
    adapterConfig("claude-code", command, options, { turnTimeoutMs: 600_000 }),
    { logger: log.logger, baseEnv: env },
  );
  adapters.push(adapter);
  return { adapter, log };
}

function startParams(overrides: Partial<StartSessionParams> = {}): StartSessionParams {
  return sessionParams(
    {
      kind: "claude-code",
      workspace,
      command: CLAUDE_BIN,
      turnTimeoutMs: 600_000,
      env: demoSessionEnv(workspace),
    },
    overrides,
  );
}

function runTurn(
  adapter: ClaudeCodeAdapter,
  session: Session,
  prompt: string,
  signal?: AbortSignal,
  pgids?: number[],
): Promise<TurnRun> {
  return runAgentTurn(adapter, session, { prompt, signal, pgids, issue: demoIssue });
}

/** The fake's usage totals in sortie's shape. */
function fakeTotals() {
  const t = fake.totals();
  return {
    inputTokens: t.input_tokens,
    outputTokens: t.output_tokens,
    totalTokens: t.input_tokens + t.output_tokens,
    cacheReadTokens: t.cache_read_input_tokens,
    cacheWriteTokens: t.cache_creation_input_tokens,
  };
}

function latestUserTexts(call: FakeAnthropic["messageCalls"][number]): string {
  return JSON.stringify(call.request.messages ?? []);
}

describe.skipIf(!available)(`claude-code adapter against the real claude CLI ${PINNED_VERSION}`, () => {
  test(
    "a Write tool call creates the file, tokens equal the fake's totals, cost is reported, no other host is contacted",
    async () => {
      fake = startFakeAnthropic();
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(startParams(), new AbortController().signal);
      const { outcome, events } = await runTurn(
        adapter,
        session,
        "Create the file. WRITE:hello.txt:hello from sortie",
      );

      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).toBe(session.id);
      expect(readFileSync(join(workspace, "hello.txt"), "utf8")).toStartWith("hello from sortie\n");

      expect(events.find((e) => e.type === "session_started")?.sessionId).toBe(session.id);
      expect(events.filter((e) => e.type === "tool_result")).toEqual([
        expect.objectContaining({ toolName: "Write", toolError: false, message: "tool_result: Write" }),
      ]);
      expect(events.at(-1)?.type).toBe("turn_completed");
      expect(events.at(-1)?.message).toStartWith("Done. Tool said: File created successfully");

      // One model request for the tool call, one for the final answer.
      expect(fake.messageCalls).toHaveLength(2);
      const usageEvents = events.filter((e) => e.type === "token_usage");
      expect(usageEvents).toHaveLength(1);
      expect(usageEvents[0]?.usage).toMatchObject(fakeTotals());
      expect(usageEvents[0]?.usage?.costUsd).toBeGreaterThan(0);
      expect(usageEvents[0]?.requests).toBe(2);
      expect(usageEvents[0]?.model).toBe(fake.messageCalls[0]?.request.model ?? "");
      expect(outcome.result.usage).toMatchObject(fakeTotals());
      expect(outcome.result.usage.costUsd).toBe(usageEvents[0]?.usage?.costUsd ?? -1);

      expect(fake.requests.filter((r) => r.foreign)).toEqual([]);
      expect(new Set(fake.requests.map((r) => `${r.method} ${r.path}`))).toEqual(
        new Set(["POST /v1/messages"]),
      );
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a second turn resumes the session with --resume and the model sees the history replayed",
    async () => {
      fake = startFakeAnthropic();
      const argvLog = join(root, "argv.log");
      const command = `${ARGV_RECORDER} ${CLAUDE_BIN}`;
      const { adapter, log } = makeAdapter(ROOT_SAFE_OPTIONS, baseEnv({ ARGV_LOG: argvLog }), command);
      const params = startParams();
      const session = await adapter.startSession(
        { ...params, agentConfig: { ...params.agentConfig, command } },
        new AbortController().signal,
      );
      const first = await runTurn(adapter, session, "WRITE:hello.txt:first turn");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const second = await runTurn(adapter, session, "BASH:cp hello.txt copy.txt && env > env.txt");
      expect(second.outcome.error).toBeUndefined();
      expect(second.outcome.result.exitReason).toBe("turn_completed");
      expect(second.outcome.result.sessionId).toBe(session.id);
      expect(readFileSync(join(workspace, "copy.txt"), "utf8")).toStartWith("first turn\n");
      // The agent's tools see the per-session variables but none of sortie's own secrets.
      const agentEnv = readFileSync(join(workspace, "env.txt"), "utf8");
      expect(agentEnv).toContain("SORTIE_ISSUE_IDENTIFIER=DEMO-1");
      expect(agentEnv).toContain(`SORTIE_WORKSPACE=${workspace}`);
      expect(agentEnv).not.toContain("must-not-leak");

      const invocations = readFileSync(argvLog, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map(readNulList);
      expect(invocations).toHaveLength(2);
      const flagValue = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];
      expect(flagValue(invocations[0] ?? [], "--session-id")).toBe(session.id);
      expect(invocations[0]).not.toContain("--resume");
      expect(flagValue(invocations[1] ?? [], "--resume")).toBe(session.id);
      expect(invocations[1]).not.toContain("--session-id");

      // The first request of turn 2 carries turn 1's prompt and tool round trip.
      const resumed = fake.messageCalls[2];
      expect(resumed).toBeDefined();
      const history = latestUserTexts(resumed!);
      expect(history).toContain("WRITE:hello.txt:first turn");
      expect(history).toContain("toolu_fake_1");
      expect(history).toContain("BASH:cp hello.txt copy.txt && env > env.txt");

      // Usage is session-cumulative: after turn 2 it covers all four model requests.
      expect(fake.messageCalls).toHaveLength(4);
      const usage = second.events.find((e) => e.type === "token_usage");
      expect(usage?.usage).toMatchObject(fakeTotals());
      expect(usage?.requests).toBe(2);
      expect(second.outcome.result.usage).toMatchObject(fakeTotals());
      expect(log.find("warn", "agent session not found, starting a fresh session")).toEqual([]);
      expect(fake.requests.filter((r) => r.foreign)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an unwritable HOME works when the agent is given the redirected agent home, including resume",
    async () => {
      fake = startFakeAnthropic();
      // A path below a regular file cannot be written by anyone, root included.
      writeFileSync(join(root, "not-a-dir"), "");
      const unwritableHome = join(root, "not-a-dir", "home");
      const agentHome = resolveAgentHome({
        home: unwritableHome,
        configuredHomeDir: "",
        dbPath: join(root, "data", "sortie.db"),
      });
      expect(agentHome.redirected).toBe(true);
      expect(agentHome.home).toBe(join(root, "data", "agent-home"));

      const { adapter, log } = makeAdapter(ROOT_SAFE_OPTIONS, baseEnv({ HOME: unwritableHome }));
      const params = startParams();
      const session = await adapter.startSession(
        { ...params, env: { ...params.env, HOME: agentHome.home } },
        new AbortController().signal,
      );
      const first = await runTurn(adapter, session, "WRITE:hello.txt:redirected home");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const second = await runTurn(adapter, session, "BASH:cat hello.txt");
      expect(second.outcome.result.exitReason).toBe("turn_completed");
      expect(second.outcome.result.sessionId).toBe(session.id);
      expect(log.find("warn", "agent session not found, starting a fresh session")).toEqual([]);

      // The CLI kept its session file (what --resume needs) under the agent home.
      const projects = join(agentHome.home, ".claude", "projects");
      const files = readdirSync(projects).flatMap((d) => readdirSync(join(projects, d)));
      expect(files).toContain(`${session.id}.jsonl`);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a turn timeout during a slow model answer kills the CLI and leaves no claude process behind",
    async () => {
      fake = startFakeAnthropic();
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(startParams(), new AbortController().signal);
      const ctl = new AbortController();
      const pgids: number[] = [];
      const running = runTurn(adapter, session, "SLEEP:120000 think for a long time", ctl.signal, pgids);
      await waitFor(() => fake.messageCalls.length >= 1, { timeoutMs: 30_000, what: "the model request" });
      // What AbortSignal.timeout(turn_timeout_ms) produces when it fires.
      ctl.abort(new DOMException("The operation timed out.", "TimeoutError"));
      const { outcome, events } = await running;

      expect(outcome.result.exitReason).toBe("turn_cancelled");
      expect(outcome.error?.kind).toBe("turn_timeout");
      expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "turn timed out" });
      expect(pgids).toHaveLength(1);
      await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, {
        what: "the claude process group to die",
      });
      await waitFor(() => livingProcessesMatching(session.id).length === 0, {
        what: "every claude process to die",
      });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "cancelling a turn (stall, shutdown) is turn_cancelled and kills the CLI",
    async () => {
      fake = startFakeAnthropic();
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(startParams(), new AbortController().signal);
      const ctl = new AbortController();
      const pgids: number[] = [];
      const running = runTurn(adapter, session, "SLEEP:120000 slow", ctl.signal, pgids);
      await waitFor(() => fake.messageCalls.length >= 1, { timeoutMs: 30_000, what: "the model request" });
      ctl.abort();
      const { outcome, events } = await running;
      expect(outcome.error?.kind).toBe("turn_cancelled");
      expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "context cancelled" });
      await waitFor(() => livingProcessesMatching(session.id).length === 0, {
        what: "every claude process to die",
      });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a resumed session id the CLI does not know falls back to a fresh session",
    async () => {
      fake = startFakeAnthropic();
      const { adapter, log } = makeAdapter();
      const lost = crypto.randomUUID();
      const session = await adapter.startSession(
        startParams({ resumeSessionId: lost }),
        new AbortController().signal,
      );
      const { outcome, events } = await runTurn(adapter, session, "WRITE:after-restart.txt:fresh");
      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).not.toBe(lost);
      expect(events.filter((e) => e.type === "session_started").map((e) => e.sessionId)).toEqual([
        outcome.result.sessionId,
      ]);
      expect(log.find("warn", "agent session not found, starting a fresh session")[0]?.properties).toEqual({
        session_id: lost,
      });
      expect(existsSync(join(workspace, "after-restart.txt"))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "claude's own max_turns limit ends the turn as turn_failed error_max_turns with its usage",
    async () => {
      fake = startFakeAnthropic();
      const { adapter } = makeAdapter({ ...ROOT_SAFE_OPTIONS, max_turns: 1 });
      const session = await adapter.startSession(startParams(), new AbortController().signal);
      const { outcome, events } = await runTurn(adapter, session, "WRITE:never.txt:x");
      expect(outcome.result.exitReason).toBe("turn_failed");
      expect(outcome.error?.kind).toBe("turn_failed");
      expect(outcome.error?.message).toBe("error_max_turns");
      expect(events.at(-1)).toMatchObject({ type: "turn_failed", message: "error_max_turns" });
      expect(outcome.result.usage).toMatchObject(fakeTotals());
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an authentication failure ends the turn with the CLI's own explanation",
    async () => {
      fake = startFakeAnthropic({ errorStatus: 401 });
      // The CLI retries 401s ten times with backoff by default; one retry keeps the test short.
      const { adapter } = makeAdapter(ROOT_SAFE_OPTIONS, baseEnv({ CLAUDE_CODE_MAX_RETRIES: "1" }));
      const session = await adapter.startSession(startParams(), new AbortController().signal);
      const { outcome, events } = await runTurn(adapter, session, "hello");
      expect(
        events.some((e) => e.type === "notification" && e.message.startsWith("API retry attempt 1/1")),
      ).toBe(true);
      expect(events.find((e) => e.message.includes("authentication_failed"))).toBeDefined();
      expect(outcome.result.exitReason).toBe("turn_failed");
      expect(outcome.error?.kind).toBe("turn_failed");
      expect(outcome.error?.message).toStartWith("Failed to authenticate");
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "the default permission flag refuses to run as root without IS_SANDBOX, and says so",
    async () => {
      fake = startFakeAnthropic();
      const { adapter } = makeAdapter({});
      const session = await adapter.startSession(startParams(), new AbortController().signal);
      const { outcome } = await runTurn(adapter, session, "hello");
      if (process.getuid?.() === 0) {
        expect(outcome.result.exitReason).toBe("turn_failed");
        expect(outcome.error?.kind).toBe("port_exit");
        expect(outcome.error?.toString()).toContain(
          "--dangerously-skip-permissions cannot be used with root",
        );
        expect(fake.messageCalls).toHaveLength(0);
      } else {
        expect(outcome.result.exitReason).toBe("turn_completed");
      }
    },
    TEST_TIMEOUT_MS,
  );
});
