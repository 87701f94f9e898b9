// The copilot-cli adapter driving the real, pinned `copilot` CLI, offline: bring-your-own-key
// mode points it at a fake OpenAI server (which is also its HTTP(S) proxy, so any attempt to reach
// another host shows up in the fake's log). Install the CLI with
// `scripts/install-agent-clis.sh copilot`.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CopilotCliAdapter } from "../../../src/agents/copilot-cli/index.ts";
import { SortieError } from "../../../src/domain/errors.ts";
import { abortedDemoTurn, expectTurnTimedOut, runDemoTurn } from "../../fakes/agent-cli/adapter-session.ts";
import { readArgvLog } from "../../fakes/agent-cli/fake-cli.ts";
import { AGENT_CLI_CACHE, agentCliBin, PINNED_COPILOT } from "../../fakes/agent-cli/installed-cli.ts";
import { livingGroupMembers } from "../../fakes/agent-cli/process-scan.ts";
import { useRealCli } from "../../fakes/agent-cli/real-cli.ts";
import { UNKNOWN_TOKENS } from "../../fakes/agent-cli/token-usage.ts";
import { waitFor } from "../../fakes/agent-cli/wait.ts";
import { FAKE_MODEL, type FakeOpenAI, startFakeOpenAI } from "../../fakes/openai/server.ts";

/**
 * Why the installed CLI does not run. The npm package's `copilot` is a Node.js loader for a native
 * binary shipped in a platform package, so it needs `node` and that package.
 */
function probeFailure(): string | undefined {
  const bin = agentCliBin(PINNED_COPILOT.name);
  const probe = Bun.spawnSync({ cmd: [bin, "--version"], stdout: "pipe", stderr: "pipe" });
  if (probe.exitCode !== 0 || !probe.stdout.toString().includes(PINNED_COPILOT.version)) {
    return `${bin} --version failed (exit ${probe.exitCode}): ${probe.stderr.toString().trim()}`;
  }
  return undefined;
}

const cli = useRealCli({
  cli: PINNED_COPILOT,
  kind: "copilot-cli",
  prefix: "sortie-copilot-real-",
  probe: probeFailure,
});
const { scratch } = cli;
const ARGV_RECORDER = resolve(import.meta.dir, "../../fakes/agent-cli/argv-recorder.sh");

const TEST_TIMEOUT_MS = 90_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let fake: FakeOpenAI;

/** Sortie's own environment as the adapter sees it: bring-your-own-key offline mode, no token. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cli.env({
    settings: {
      COPILOT_OFFLINE: "true",
      COPILOT_AUTO_UPDATE: "false",
      COPILOT_PROVIDER_BASE_URL: fake.baseUrl,
      COPILOT_PROVIDER_TYPE: "openai",
      COPILOT_PROVIDER_WIRE_API: "completions",
      COPILOT_PROVIDER_API_KEY: "sk-fake-key",
      COPILOT_MODEL: FAKE_MODEL,
    },
    proxy: fake.url,
    extra,
  });
}

function makeAdapter(env: Record<string, string> = baseEnv(), command = cli.bin) {
  return scratch.adapter((logger) => new CopilotCliAdapter(cli.config(command), { logger, baseEnv: env }));
}

const foreign = () => fake.requests.filter((r) => r.foreign);

describe.skipIf(!cli.available)(`copilot-cli adapter against the real copilot CLI ${cli.version}`, () => {
  test(
    "a create tool call writes the file, the turn completes, tokens stay unknown, no other host is contacted",
    async () => {
      fake = scratch.closeAfter(startFakeOpenAI());
      const { adapter, log } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      expect(session.id).toBe("");
      const { outcome, events, pgids } = await runDemoTurn(
        adapter,
        session,
        "Create the file. WRITE:hello.txt:hello from sortie",
      );

      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).toMatch(UUID);
      expect(readFileSync(join(scratch.workspace, "hello.txt"), "utf8")).toBe("hello from sortie\n");

      expect(events[0]).toMatchObject({ type: "session_started", sessionId: "" });
      expect(events.filter((e) => e.type === "tool_result")).toEqual([
        expect.objectContaining({ toolName: "create", toolError: false }),
        expect.objectContaining({ toolName: "task_complete", toolError: false }),
      ]);
      expect(events.filter((e) => e.type === "malformed")).toEqual([]);
      expect(events.at(-1)?.type).toBe("turn_completed");

      // The model was asked twice: the tool call, then task_complete, which ends autopilot.
      expect(fake.chatCalls.map((c) => c.tool)).toEqual(["create", "task_complete"]);
      // Tokens are unknown (the stream has none), never 0; premium requests are the CLI's own.
      const usageEvents = events.filter((e) => e.type === "token_usage");
      expect(usageEvents).toHaveLength(1);
      expect(usageEvents[0]).toMatchObject({
        usage: { ...UNKNOWN_TOKENS, premiumRequests: 0 },
        requests: fake.chatCalls.length,
        model: FAKE_MODEL,
      });
      expect(outcome.result.usage).toEqual({ ...UNKNOWN_TOKENS, premiumRequests: 0 });
      expect(log.find("info", "copilot turn completed")[0]?.properties).toEqual({
        session_id: outcome.result.sessionId,
        exit_code: 0,
        premium_requests: 0,
      });

      expect(pgids).toHaveLength(1);
      expect(events.every((e) => e.agentPid === String(pgids[0]))).toBe(true);
      expect(foreign()).toEqual([]);
      expect(new Set(fake.requests.map((r) => `${r.method} ${r.path}`))).toEqual(
        new Set(["POST /v1/chat/completions"]),
      );
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a second turn resumes the session with --resume and the model sees the history",
    async () => {
      fake = scratch.closeAfter(startFakeOpenAI());
      const argvLog = scratch.path("argv.log");
      const command = `${ARGV_RECORDER} ${cli.bin}`;
      const { adapter, log } = makeAdapter(baseEnv({ ARGV_LOG: argvLog }), command);
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const first = await runDemoTurn(adapter, session, "WRITE:hello.txt:first turn");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const id = first.outcome.result.sessionId;
      const callsOfFirstTurn = fake.chatCalls.length;

      const second = await runDemoTurn(adapter, session, "BASH:cp hello.txt copy.txt && env > env.txt");
      expect(second.outcome.error).toBeUndefined();
      expect(second.outcome.result).toMatchObject({ sessionId: id, exitReason: "turn_completed" });
      expect(second.events[0]).toMatchObject({ type: "session_started", sessionId: id });
      expect(readFileSync(join(scratch.workspace, "copy.txt"), "utf8")).toBe("first turn\n");
      // The agent's tools see the per-session variables but none of sortie's own secrets.
      const agentEnv = readFileSync(join(scratch.workspace, "env.txt"), "utf8");
      expect(agentEnv).toContain("SORTIE_ISSUE_IDENTIFIER=DEMO-1");
      expect(agentEnv).not.toContain("must-not-leak");

      const turns = readArgvLog(argvLog).filter((argv) => argv.includes("-p"));
      expect(turns).toHaveLength(2);
      expect(turns[0]).not.toContain("--resume");
      expect(turns[1]?.[turns[1].indexOf("--resume") + 1]).toBe(id);

      // The first request of turn 2 carries turn 1's prompt and tool round trip.
      const history = JSON.stringify(fake.chatCalls[callsOfFirstTurn]?.request.messages ?? []);
      expect(history).toContain("WRITE:hello.txt:first turn");
      expect(history).toContain("call_fake_1");
      expect(history).toContain("BASH:cp hello.txt copy.txt");
      expect(log.find("warn", "agent session not found, starting a fresh session")).toEqual([]);
      expect(foreign()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an unwritable HOME works when the agent is given the redirected agent home, including resume",
    async () => {
      fake = scratch.closeAfter(startFakeOpenAI());
      const { home: unwritableHome, agentHome } = cli.unwritableHome();
      expect(agentHome.redirected).toBe(true);

      const { adapter } = makeAdapter(baseEnv({ HOME: unwritableHome }));
      const session = await adapter.startSession(
        cli.startParams({}, { HOME: agentHome.home }),
        new AbortController().signal,
      );
      const first = await runDemoTurn(adapter, session, "WRITE:hello.txt:redirected home");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const second = await runDemoTurn(adapter, session, "BASH:cat hello.txt");
      expect(second.outcome.result.exitReason).toBe("turn_completed");
      expect(second.outcome.result.sessionId).toBe(first.outcome.result.sessionId);
      // The CLI kept the conversation (what --resume needs) under the agent home.
      expect(readdirSync(join(agentHome.home, ".copilot", "session-state"))).toContain(
        first.outcome.result.sessionId,
      );
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a resumed session id the CLI does not know falls back to a fresh session",
    async () => {
      fake = scratch.closeAfter(startFakeOpenAI());
      const { adapter, log } = makeAdapter();
      const lost = crypto.randomUUID();
      const session = await adapter.startSession(
        cli.startParams({ resumeSessionId: lost }),
        new AbortController().signal,
      );
      const { outcome } = await runDemoTurn(adapter, session, "WRITE:after-restart.txt:fresh");
      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).toMatch(UUID);
      expect(outcome.result.sessionId).not.toBe(lost);
      expect(log.find("warn", "agent session not found, starting a fresh session")[0]?.properties).toEqual({
        session_id: lost,
      });
      expect(existsSync(join(scratch.workspace, "after-restart.txt"))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a turn timeout during a slow model answer kills the CLI and leaves no copilot process behind",
    async () => {
      fake = scratch.closeAfter(startFakeOpenAI());
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events, pgids } = await abortedDemoTurn(
        adapter,
        session,
        "SLEEP:120000 think for a long time",
        { asked: () => fake.chatCalls.length >= 1, by: "timeout" },
      );

      expectTurnTimedOut({ outcome, events });
      expect(pgids).toHaveLength(1);
      await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, {
        what: "the copilot process group to die",
      });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a provider that rejects the API key fails the turn with the CLI's explanation",
    async () => {
      fake = scratch.closeAfter(startFakeOpenAI({ errorStatus: 401 }));
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events } = await runDemoTurn(adapter, session, "hello");
      expect(outcome.result.exitReason).toBe("turn_failed");
      expect(outcome.error?.kind).toBe("turn_failed");
      expect(outcome.error?.toString()).toContain("non-zero exit in result event: Authentication failed");
      expect(events.some((e) => e.message.includes("(HTTP 401)"))).toBe(true);
      expect(foreign()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "without a token or a bring-your-own-key provider the session does not start",
    async () => {
      fake = scratch.closeAfter(startFakeOpenAI());
      const env = baseEnv();
      delete env.COPILOT_PROVIDER_BASE_URL;
      const { adapter } = makeAdapter({
        ...env,
        PATH: `${join(AGENT_CLI_CACHE, "node_modules", ".bin")}:/usr/bin:/bin`,
      });
      const err = await adapter.startSession(cli.startParams(), new AbortController().signal).then(
        () => undefined,
        (e) => e,
      );
      expect(err).toBeInstanceOf(SortieError);
      expect((err as SortieError).kind).toBe("agent_not_found");
      expect((err as SortieError).message).toStartWith("no GitHub authentication source found");
      expect(fake.requests).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
