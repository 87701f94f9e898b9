// The opencode adapter driving the real, pinned `opencode` CLI, offline: a provider config points
// it at a fake OpenAI-compatible server, which is also its HTTP(S) proxy and npm registry, so any
// attempt to reach another host shows up in the fake's log. Install the CLI with
// `scripts/install-agent-clis.sh opencode`.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OpenCodeAdapter } from "../../../src/agents/opencode/index.ts";
import { abortedDemoTurn, expectTurnTimedOut, runDemoTurn } from "../../fakes/agent-cli/adapter-session.ts";
import { readArgvLog } from "../../fakes/agent-cli/fake-cli.ts";
import { PINNED_OPENCODE } from "../../fakes/agent-cli/installed-cli.ts";
import { livingGroupMembers } from "../../fakes/agent-cli/process-scan.ts";
import { useRealCli } from "../../fakes/agent-cli/real-cli.ts";
import { waitFor } from "../../fakes/agent-cli/wait.ts";
import { type ChatCall, FAKE_MODEL, type FakeOpenAI, startFakeOpenAI } from "../../fakes/openai/server.ts";

const cli = useRealCli({
  cli: PINNED_OPENCODE,
  kind: "opencode",
  prefix: "sortie-opencode-real-",
  readTimeoutMs: 60_000,
  layout: { dirs: ["tmp"] },
});
const { scratch } = cli;
const ARGV_RECORDER = resolve(import.meta.dir, "../../fakes/agent-cli/argv-recorder.sh");
const MODEL = `fake/${FAKE_MODEL}`;
/** Prices per million tokens in the provider config; OpenCode computes each step's cost from them. */
const PRICES = { input: 3, output: 15, cache_read: 0.3 };

const TEST_TIMEOUT_MS = 120_000;

let providerConfig: string;
let fake: FakeOpenAI;

/**
 * The provider config, outside the workspace and not named `opencode.json` (OpenCode also reads
 * files of that name from every directory above the workspace).
 */
function writeProviderConfig(): string {
  const path = scratch.path("fake-provider.json");
  writeFileSync(
    path,
    JSON.stringify({
      provider: {
        fake: {
          npm: "@ai-sdk/openai-compatible",
          name: "Fake",
          options: { baseURL: fake.baseUrl, apiKey: "sk-fake-key" },
          models: {
            [FAKE_MODEL]: {
              name: "Fake",
              tool_call: true,
              cost: PRICES,
              limit: { context: 128000, output: 4096 },
            },
          },
        },
      },
      model: MODEL,
      small_model: MODEL,
      autoupdate: false,
      share: "disabled",
    }),
  );
  return path;
}

/** Sortie's own environment as the adapter sees it: offline settings for the CLI. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cli.env({
    settings: {
      // Each run unpacks a native library into the temp directory: keep it in the test's folder.
      TMPDIR: scratch.path("tmp"),
      OPENCODE_CONFIG: providerConfig,
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
      OPENCODE_DISABLE_SHARE: "1",
      OPENCODE_DISABLE_CLAUDE_CODE: "1",
      OPENCODE_DISABLE_EXTERNAL_SKILLS: "1",
      // Every run installs its plugin package into ~/.config/opencode in the background.
      npm_config_registry: `${fake.url}/npm/`,
    },
    proxy: fake.url,
    extra,
  });
}

function start(options: Parameters<typeof startFakeOpenAI>[0] = {}): void {
  fake = scratch.closeAfter(startFakeOpenAI(options));
  providerConfig = writeProviderConfig();
}

function makeAdapter(
  settings: Record<string, unknown> = { model: MODEL },
  env: Record<string, string> = baseEnv(),
  command = cli.bin,
) {
  return scratch.adapter(
    (logger) => new OpenCodeAdapter(cli.config(command, settings), { logger, baseEnv: env }),
  );
}

/** The turn's model calls: OpenCode's session-title side call (no tools) is not part of a turn. */
const turnCall = (call: ChatCall) => call.answer !== "title";

/** The fake's usage in sortie's shape: OpenCode counts cached prompt tokens as cache reads only. */
function fakeTotals() {
  const t = fake.totals(turnCall);
  const input = t.prompt_tokens - t.cached_tokens;
  return {
    inputTokens: input,
    outputTokens: t.completion_tokens,
    totalTokens: input + t.completion_tokens,
    cacheReadTokens: t.cached_tokens,
    cacheWriteTokens: 0,
  };
}

function fakeCost(): number {
  const u = fakeTotals();
  return (
    (u.inputTokens * PRICES.input + u.outputTokens * PRICES.output + u.cacheReadTokens * PRICES.cache_read) /
    1e6
  );
}

/** Foreign hosts, and local paths other than the model API and the fake npm registry. */
function unexpectedRequests() {
  return fake.requests.filter(
    (r) => r.foreign || !(r.path === "/v1/chat/completions" || r.path.startsWith("/npm/")),
  );
}

describe.skipIf(!cli.available)(`opencode adapter against the real opencode CLI ${cli.version}`, () => {
  test(
    "a write tool call creates the file, tokens and cost equal the fake's usage, no other host is contacted",
    async () => {
      start();
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events, pgids } = await runDemoTurn(
        adapter,
        session,
        "Create the file. WRITE:hello.txt:hello from sortie",
      );

      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).toMatch(/^ses_/);
      expect(readFileSync(join(scratch.workspace, "hello.txt"), "utf8")).toBe("hello from sortie\n");

      expect(events.filter((e) => e.type === "session_started").map((e) => e.sessionId)).toEqual([
        outcome.result.sessionId,
      ]);
      expect(events.filter((e) => e.type === "tool_result")).toEqual([
        expect.objectContaining({ toolName: "write", toolError: false }),
      ]);
      expect(events.filter((e) => e.type === "malformed")).toEqual([]);
      expect(events.at(-1)?.type).toBe("turn_completed");

      // One step per model call of the turn: the tool call, then the final answer.
      expect(fake.chatCalls.filter(turnCall).map((c) => c.answer)).toEqual(["tool_call", "text"]);
      const usageEvents = events.filter((e) => e.type === "token_usage");
      expect(usageEvents).toHaveLength(2);
      expect(usageEvents.every((e) => e.requests === 1 && e.model === MODEL)).toBe(true);
      expect(usageEvents.at(-1)?.usage).toMatchObject(fakeTotals());
      expect(outcome.result.usage).toMatchObject(fakeTotals());
      expect(outcome.result.usage.costUsd).toBeCloseTo(fakeCost(), 12);

      expect(pgids).toHaveLength(1);
      expect(events.every((e) => e.agentPid === String(pgids[0]))).toBe(true);
      expect(unexpectedRequests()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a second turn resumes the session with --session; usage is session-cumulative",
    async () => {
      start();
      const argvLog = scratch.path("argv.log");
      const command = `${ARGV_RECORDER} ${cli.bin}`;
      const { adapter, log } = makeAdapter({ model: MODEL }, baseEnv({ ARGV_LOG: argvLog }), command);
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const first = await runDemoTurn(adapter, session, "WRITE:hello.txt:first turn");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const id = first.outcome.result.sessionId;
      const callsOfFirstTurn = fake.chatCalls.length;

      const second = await runDemoTurn(adapter, session, "BASH:cp hello.txt copy.txt && env > env.txt");
      expect(second.outcome.error).toBeUndefined();
      expect(second.outcome.result).toMatchObject({ sessionId: id, exitReason: "turn_completed" });
      expect(second.events.filter((e) => e.type === "session_started")).toEqual([]);
      expect(readFileSync(join(scratch.workspace, "copy.txt"), "utf8")).toBe("first turn\n");
      const agentEnv = readFileSync(join(scratch.workspace, "env.txt"), "utf8");
      expect(agentEnv).toContain("SORTIE_ISSUE_IDENTIFIER=DEMO-1");
      expect(agentEnv).toContain("OPENCODE_DISABLE_AUTOUPDATE=true");
      expect(agentEnv).not.toContain("must-not-leak");

      const turns = readArgvLog(argvLog);
      expect(turns).toHaveLength(2);
      expect(turns[0]).not.toContain("--session");
      expect(turns[1]?.[turns[1].indexOf("--session") + 1]).toBe(id);

      // The first model call of turn 2 carries turn 1's prompt and tool round trip.
      const resumed = fake.chatCalls.slice(callsOfFirstTurn).find(turnCall);
      const history = JSON.stringify(resumed?.request.messages ?? []);
      expect(history).toContain("WRITE:hello.txt:first turn");
      expect(history).toContain("call_fake_");
      expect(history).toContain("BASH:cp hello.txt copy.txt");

      // Both turns' steps, nothing of the title side call.
      expect(second.events.filter((e) => e.type === "token_usage").at(-1)?.usage).toMatchObject(fakeTotals());
      expect(second.outcome.result.usage).toMatchObject(fakeTotals());
      expect(second.outcome.result.usage.costUsd).toBeCloseTo(fakeCost(), 12);
      expect(log.find("warn", "agent session not found, starting a fresh session")).toEqual([]);
      expect(unexpectedRequests()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "an unwritable HOME works when the agent is given the redirected agent home, including resume",
    async () => {
      start();
      const { home: unwritableHome, agentHome } = cli.unwritableHome();
      expect(agentHome.redirected).toBe(true);

      const { adapter } = makeAdapter({ model: MODEL }, baseEnv({ HOME: unwritableHome }));
      const session = await adapter.startSession(
        cli.startParams({}, { HOME: agentHome.home }),
        new AbortController().signal,
      );
      const first = await runDemoTurn(adapter, session, "WRITE:hello.txt:redirected home");
      expect(first.outcome.result.exitReason).toBe("turn_completed");
      const second = await runDemoTurn(adapter, session, "BASH:cat hello.txt");
      expect(second.outcome.result.exitReason).toBe("turn_completed");
      expect(second.outcome.result.sessionId).toBe(first.outcome.result.sessionId);
      // The CLI keeps its sessions (what --session needs) in its database under the agent home.
      expect(existsSync(join(agentHome.home, ".local", "share", "opencode", "opencode.db"))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a --session id the CLI does not know falls back to a fresh session",
    async () => {
      start();
      const { adapter, log } = makeAdapter();
      const lost = "ses_0000000000000000000000lost";
      const session = await adapter.startSession(
        cli.startParams({ resumeSessionId: lost }),
        new AbortController().signal,
      );
      const { outcome, events } = await runDemoTurn(adapter, session, "WRITE:after-restart.txt:fresh");
      expect(outcome.error).toBeUndefined();
      expect(outcome.result.exitReason).toBe("turn_completed");
      expect(outcome.result.sessionId).toMatch(/^ses_/);
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
    "a turn timeout during a slow model answer kills the CLI and its process group",
    async () => {
      start();
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events, pgids } = await abortedDemoTurn(
        adapter,
        session,
        "SLEEP:120000 think for a long time",
        { asked: () => fake.chatCalls.some(turnCall), by: "timeout", timeoutMs: 60_000 },
      );

      expectTurnTimedOut({ outcome, events });
      await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, {
        what: "the opencode process group to die",
      });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "a provider that rejects the API key arrives as an error envelope and fails the turn",
    async () => {
      start({ errorStatus: 401 });
      const { adapter } = makeAdapter();
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome, events } = await runDemoTurn(adapter, session, "hello");
      expect(outcome.result.exitReason).toBe("turn_failed");
      expect(outcome.error?.kind).toBe("turn_failed");
      expect(outcome.error?.message).toBe("sortie fake: scripted failure");
      expect(events.filter((e) => e.type === "turn_failed")).toEqual([
        expect.objectContaining({ message: "sortie fake: scripted failure" }),
      ]);
      expect(unexpectedRequests()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "denied tools are not offered to the model",
    async () => {
      start();
      const { adapter } = makeAdapter({ model: MODEL, denied_tools: ["bash"] });
      const session = await adapter.startSession(cli.startParams(), new AbortController().signal);
      const { outcome } = await runDemoTurn(adapter, session, "BASH:echo no > denied.txt");
      expect(outcome.result.exitReason).toBe("turn_completed");
      const offered = fake.chatCalls
        .filter(turnCall)
        .map((c) => (c.request.tools ?? []).map((t) => t.function.name));
      expect(offered.length).toBeGreaterThan(0);
      for (const tools of offered) {
        expect(tools).toContain("write");
        expect(tools).not.toContain("bash");
      }
      expect(existsSync(join(scratch.workspace, "denied.txt"))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});
