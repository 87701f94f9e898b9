// The copilot-cli adapter driving the real, pinned `copilot` CLI, offline: bring-your-own-key
// mode points it at a fake OpenAI server (which is also its HTTP(S) proxy, so any attempt to reach
// another host shows up in the fake's log). Install the CLI with
// `scripts/install-agent-clis.sh copilot`.
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
import { CopilotCliAdapter } from "../../../src/agents/copilot-cli/index.ts";
import { resolveAgentHome } from "../../../src/agents/home.ts";
import type { Session, StartSessionParams } from "../../../src/domain/agent.ts";
import { SortieError } from "../../../src/domain/errors.ts";
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
import { livingGroupMembers } from "../../fakes/agent-cli/process-scan.ts";
import { type RecordingLogger, recordingLogger } from "../../fakes/agent-cli/recording-logger.ts";
import { waitFor } from "../../fakes/agent-cli/wait.ts";
import { proxyThroughFake } from "../../fakes/model-server/proxy-env.ts";
import { FAKE_MODEL, type FakeOpenAI, startFakeOpenAI } from "../../fakes/openai/server.ts";

const PINNED_VERSION = "1.0.102";
const COPILOT_BIN = agentCliBin("copilot");
const ARGV_RECORDER = resolve(import.meta.dir, "../../fakes/agent-cli/argv-recorder.sh");

/**
 * Why the CLI cannot run here, or undefined when it can. The npm package's `copilot` is a Node.js
 * loader for a native binary shipped in a platform package, so it needs `node` and that package.
 */
function unavailableReason(): string | undefined {
  const version = installedCliVersion("@github/copilot");
  if (version !== PINNED_VERSION || !existsSync(COPILOT_BIN)) {
    return `@github/copilot@${PINNED_VERSION} is not installed in ${AGENT_CLI_CACHE} (run scripts/install-agent-clis.sh copilot)`;
  }
  const probe = Bun.spawnSync({ cmd: [COPILOT_BIN, "--version"], stdout: "pipe", stderr: "pipe" });
  if (probe.exitCode !== 0 || !probe.stdout.toString().includes(PINNED_VERSION)) {
    return `${COPILOT_BIN} --version failed (exit ${probe.exitCode}): ${probe.stderr.toString().trim()}`;
  }
  return undefined;
}

const skipReason = unavailableReason();
if (skipReason !== undefined) console.warn(`SKIPPING real copilot CLI tests: ${skipReason}`);

const TEST_TIMEOUT_MS = 90_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_TOKENS = {
  inputTokens: null,
  outputTokens: null,
  totalTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  costUsd: null,
};

let root: string;
let workspace: string;
let home: string;
let fake: FakeOpenAI;
let adapters: CopilotCliAdapter[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sortie-copilot-real-"));
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

/** Sortie's own environment as the adapter sees it: bring-your-own-key offline mode, no token. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    COPILOT_OFFLINE: "true",
    COPILOT_AUTO_UPDATE: "false",
    COPILOT_PROVIDER_BASE_URL: fake.baseUrl,
    COPILOT_PROVIDER_TYPE: "openai",
    COPILOT_PROVIDER_WIRE_API: "completions",
    COPILOT_PROVIDER_API_KEY: "sk-fake-key",
    COPILOT_MODEL: FAKE_MODEL,
    ...proxyThroughFake(fake.url),
    SORTIE_TRACKER_API_KEY: "must-not-leak",
    ...extra,
  };
}

function makeAdapter(
  env: Record<string, string> = baseEnv(),
  command = COPILOT_BIN,
): { adapter: CopilotCliAdapter; log: RecordingLogger } {
  const log = recordingLogger();
  const adapter = new CopilotCliAdapter(
    adapterConfig("copilot-cli", command, {}, { turnTimeoutMs: 600_000 }),
    { logger: log.logger, baseEnv: env },
  );
  adapters.push(adapter);
  return { adapter, log };
}

function startParams(overrides: Partial<StartSessionParams> = {}): StartSessionParams {
  return sessionParams(
    { kind: "copilot-cli", workspace, turnTimeoutMs: 600_000, env: demoSessionEnv(workspace) },
    overrides,
  );
}

function runTurn(
  adapter: CopilotCliAdapter,
  session: Session,
  prompt: string,
  signal?: AbortSignal,
  pgids?: number[],
): Promise<TurnRun> {
  return runAgentTurn(adapter, session, { prompt, signal, pgids, issue: demoIssue });
}

const foreign = () => fake.requests.filter((r) => r.foreign);

describe.skipIf(skipReason !== undefined)(
  `copilot-cli adapter against the real copilot CLI ${PINNED_VERSION}`,
  () => {
    test(
      "a create tool call writes the file, the turn completes, tokens stay unknown, no other host is contacted",
      async () => {
        fake = startFakeOpenAI();
        const { adapter, log } = makeAdapter();
        const session = await adapter.startSession(startParams(), new AbortController().signal);
        expect(session.id).toBe("");
        const pgids: number[] = [];
        const { outcome, events } = await runTurn(
          adapter,
          session,
          "Create the file. WRITE:hello.txt:hello from sortie",
          new AbortController().signal,
          pgids,
        );

        expect(outcome.error).toBeUndefined();
        expect(outcome.result.exitReason).toBe("turn_completed");
        expect(outcome.result.sessionId).toMatch(UUID);
        expect(readFileSync(join(workspace, "hello.txt"), "utf8")).toBe("hello from sortie\n");

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
        fake = startFakeOpenAI();
        const argvLog = join(root, "argv.log");
        const command = `${ARGV_RECORDER} ${COPILOT_BIN}`;
        const { adapter, log } = makeAdapter(baseEnv({ ARGV_LOG: argvLog }), command);
        const session = await adapter.startSession(startParams(), new AbortController().signal);
        const first = await runTurn(adapter, session, "WRITE:hello.txt:first turn");
        expect(first.outcome.result.exitReason).toBe("turn_completed");
        const id = first.outcome.result.sessionId;
        const callsOfFirstTurn = fake.chatCalls.length;

        const second = await runTurn(adapter, session, "BASH:cp hello.txt copy.txt && env > env.txt");
        expect(second.outcome.error).toBeUndefined();
        expect(second.outcome.result).toMatchObject({ sessionId: id, exitReason: "turn_completed" });
        expect(second.events[0]).toMatchObject({ type: "session_started", sessionId: id });
        expect(readFileSync(join(workspace, "copy.txt"), "utf8")).toBe("first turn\n");
        // The agent's tools see the per-session variables but none of sortie's own secrets.
        const agentEnv = readFileSync(join(workspace, "env.txt"), "utf8");
        expect(agentEnv).toContain("SORTIE_ISSUE_IDENTIFIER=DEMO-1");
        expect(agentEnv).not.toContain("must-not-leak");

        const turns = readFileSync(argvLog, "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map(readNulList)
          .filter((argv) => argv.includes("-p"));
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
        fake = startFakeOpenAI();
        // A path below a regular file cannot be written by anyone, root included.
        writeFileSync(join(root, "not-a-dir"), "");
        const unwritableHome = join(root, "not-a-dir", "home");
        const agentHome = resolveAgentHome({
          home: unwritableHome,
          configuredHomeDir: "",
          dbPath: join(root, "data", "sortie.db"),
        });
        expect(agentHome.redirected).toBe(true);

        const { adapter } = makeAdapter(baseEnv({ HOME: unwritableHome }));
        const params = startParams();
        const session = await adapter.startSession(
          { ...params, env: { ...params.env, HOME: agentHome.home } },
          new AbortController().signal,
        );
        const first = await runTurn(adapter, session, "WRITE:hello.txt:redirected home");
        expect(first.outcome.result.exitReason).toBe("turn_completed");
        const second = await runTurn(adapter, session, "BASH:cat hello.txt");
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
        fake = startFakeOpenAI();
        const { adapter, log } = makeAdapter();
        const lost = crypto.randomUUID();
        const session = await adapter.startSession(
          startParams({ resumeSessionId: lost }),
          new AbortController().signal,
        );
        const { outcome } = await runTurn(adapter, session, "WRITE:after-restart.txt:fresh");
        expect(outcome.error).toBeUndefined();
        expect(outcome.result.exitReason).toBe("turn_completed");
        expect(outcome.result.sessionId).toMatch(UUID);
        expect(outcome.result.sessionId).not.toBe(lost);
        expect(log.find("warn", "agent session not found, starting a fresh session")[0]?.properties).toEqual({
          session_id: lost,
        });
        expect(existsSync(join(workspace, "after-restart.txt"))).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    test(
      "a turn timeout during a slow model answer kills the CLI and leaves no copilot process behind",
      async () => {
        fake = startFakeOpenAI();
        const { adapter } = makeAdapter();
        const session = await adapter.startSession(startParams(), new AbortController().signal);
        const ctl = new AbortController();
        const pgids: number[] = [];
        const running = runTurn(adapter, session, "SLEEP:120000 think for a long time", ctl.signal, pgids);
        await waitFor(() => fake.chatCalls.length >= 1, { timeoutMs: 30_000, what: "the model request" });
        ctl.abort(new DOMException("The operation timed out.", "TimeoutError"));
        const { outcome, events } = await running;

        expect(outcome.result.exitReason).toBe("turn_cancelled");
        expect(outcome.error?.kind).toBe("turn_timeout");
        expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "turn timed out" });
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
        fake = startFakeOpenAI({ errorStatus: 401 });
        const { adapter } = makeAdapter();
        const session = await adapter.startSession(startParams(), new AbortController().signal);
        const { outcome, events } = await runTurn(adapter, session, "hello");
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
        fake = startFakeOpenAI();
        const env = baseEnv();
        delete env.COPILOT_PROVIDER_BASE_URL;
        const { adapter } = makeAdapter({
          ...env,
          PATH: `${join(AGENT_CLI_CACHE, "node_modules", ".bin")}:/usr/bin:/bin`,
        });
        const err = await adapter.startSession(startParams(), new AbortController().signal).then(
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
  },
);
