// The claude-code adapter driving the real, pinned `claude` CLI, offline: the CLI talks to a fake
// Anthropic server (which is also its HTTP(S) proxy, so any attempt to reach another host shows
// up in the fake's log). Install the CLI with `scripts/install-agent-clis.sh claude`.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ClaudeCodeAdapter } from "../../../src/agents/claude-code/index.ts";
import { abortedDemoTurn, expectTurnTimedOut, runDemoTurn } from "../../fakes/agent-cli/adapter-session.ts";
import { readArgvLog } from "../../fakes/agent-cli/fake-cli.ts";
import { PINNED_CLAUDE } from "../../fakes/agent-cli/installed-cli.ts";
import { claudeOfflineSettings } from "../../fakes/agent-cli/offline-env.ts";
import { livingGroupMembers, livingProcessesMatching } from "../../fakes/agent-cli/process-scan.ts";
import { useRealCli } from "../../fakes/agent-cli/real-cli.ts";
import { waitFor } from "../../fakes/agent-cli/wait.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../../fakes/anthropic/server.ts";

const cli = useRealCli({
  cli: PINNED_CLAUDE,
  kind: "claude-code",
  prefix: "sortie-claude-real-",
  sessionNamesCli: true,
});
const { scratch } = cli;
const ARGV_RECORDER = resolve(import.meta.dir, "../../fakes/agent-cli/argv-recorder.sh");

const TEST_TIMEOUT_MS = 90_000;
/** Permission flags that work as root without IS_SANDBOX. */
const ROOT_SAFE_OPTIONS = { permission_mode: "acceptEdits", allowed_tools: "Bash,Write,Edit,Read" };

let fake: FakeAnthropic;

/** Sortie's own environment as the adapter sees it: offline settings for the CLI, no IS_SANDBOX. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cli.env({
    settings: claudeOfflineSettings(fake.url),
    proxy: fake.url,
    extra,
  });
}

function makeAdapter(
  options: Record<string, unknown> = ROOT_SAFE_OPTIONS,
  env: Record<string, string> = baseEnv(),
  command = cli.bin,
) {
  return scratch.adapter(
    (logger) => new ClaudeCodeAdapter(cli.config(command, options), { logger, baseEnv: env }),
  );
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

describe.skipIf(!cli.available)(`claude-code adapter against the real claude CLI ${cli.version}`, () => {
  test(
    "a Write tool call creates the file, tokens equal the fake's totals, cost is reported, no other host is contacted",
    async () => {
      fake = scratch.closeAfter(startFakeAnthropic());
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events } = await runDemoTurn(
        adapter,
        session,
        "Create the file. WRITE:hello.txt:hello from sortie",
      );

      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).toBe(session.id);
      expect(readFileSync(join(scratch.workspace, "hello.txt"), "utf8")).toStartWith("hello from sortie\n");

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
      fake = scratch.closeAfter(startFakeAnthropic());
      const argvLog = scratch.path("argv.log");
      const command = `${ARGV_RECORDER} ${cli.bin}`;
      const { adapter, log } = makeAdapter(ROOT_SAFE_OPTIONS, baseEnv({ ARGV_LOG: argvLog }), command);
      const params = cli.startParams();
      const session = await adapter.startSession(
        { ...params, agentConfig: { ...params.agentConfig, command } },
        new AbortController().signal,
      );
      const first = await runDemoTurn(adapter, session, "WRITE:hello.txt:first turn");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const second = await runDemoTurn(adapter, session, "BASH:cp hello.txt copy.txt && env > env.txt");
      expect(second.outcome.error).toBeUndefined();
      expect(second.outcome.result.exitReason).toBe("turn_completed");
      expect(second.outcome.result.sessionId).toBe(session.id);
      expect(readFileSync(join(scratch.workspace, "copy.txt"), "utf8")).toStartWith("first turn\n");
      // The agent's tools see the per-session variables but none of sortie's own secrets.
      const agentEnv = readFileSync(join(scratch.workspace, "env.txt"), "utf8");
      expect(agentEnv).toContain("SORTIE_ISSUE_IDENTIFIER=DEMO-1");
      expect(agentEnv).toContain(`SORTIE_WORKSPACE=${scratch.workspace}`);
      expect(agentEnv).not.toContain("must-not-leak");

      const invocations = readArgvLog(argvLog);
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
      fake = scratch.closeAfter(startFakeAnthropic());
      const { home: unwritableHome, agentHome } = cli.unwritableHome();
      expect(agentHome.redirected).toBe(true);
      expect(agentHome.home).toBe(scratch.path("data", "agent-home"));

      const { adapter, log } = makeAdapter(ROOT_SAFE_OPTIONS, baseEnv({ HOME: unwritableHome }));
      const session = await adapter.startSession(
        cli.startParams({}, { HOME: agentHome.home }),
        new AbortController().signal,
      );
      const first = await runDemoTurn(adapter, session, "WRITE:hello.txt:redirected home");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const second = await runDemoTurn(adapter, session, "BASH:cat hello.txt");
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
      fake = scratch.closeAfter(startFakeAnthropic());
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events, pgids } = await abortedDemoTurn(
        adapter,
        session,
        "SLEEP:120000 think for a long time",
        { asked: () => fake.messageCalls.length >= 1, by: "timeout" },
      );

      expectTurnTimedOut({ outcome, events });
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
      fake = scratch.closeAfter(startFakeAnthropic());
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events } = await abortedDemoTurn(adapter, session, "SLEEP:120000 slow", {
        asked: () => fake.messageCalls.length >= 1,
      });
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
      fake = scratch.closeAfter(startFakeAnthropic());
      const { adapter, log } = makeAdapter();
      const lost = crypto.randomUUID();
      const session = await adapter.startSession(
        cli.startParams({ resumeSessionId: lost }),
        new AbortController().signal,
      );
      const { outcome, events } = await runDemoTurn(adapter, session, "WRITE:after-restart.txt:fresh");
      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).not.toBe(lost);
      expect(events.filter((e) => e.type === "session_started").map((e) => e.sessionId)).toEqual([
        outcome.result.sessionId,
      ]);
      expect(log.find("warn", "agent session not found, starting a fresh session")[0]?.properties).toEqual({
        session_id: lost,
      });
      expect(existsSync(join(scratch.workspace, "after-restart.txt"))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "claude's own max_turns limit ends the turn as turn_failed error_max_turns with its usage",
    async () => {
      fake = scratch.closeAfter(startFakeAnthropic());
      const { adapter } = makeAdapter({ ...ROOT_SAFE_OPTIONS, max_turns: 1 });
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events } = await runDemoTurn(adapter, session, "WRITE:never.txt:x");
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
      fake = scratch.closeAfter(startFakeAnthropic({ errorStatus: 401 }));
      // The CLI retries 401s ten times with backoff by default; one retry keeps the test short.
      const { adapter } = makeAdapter(ROOT_SAFE_OPTIONS, baseEnv({ CLAUDE_CODE_MAX_RETRIES: "1" }));
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events } = await runDemoTurn(adapter, session, "hello");
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
      fake = scratch.closeAfter(startFakeAnthropic());
      const { adapter } = makeAdapter({});
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome } = await runDemoTurn(adapter, session, "hello");
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
