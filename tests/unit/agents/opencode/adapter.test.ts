import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OpenCodeAdapter } from "../../../../src/agents/opencode/index.ts";
import type { Session, StartSessionParams } from "../../../../src/domain/agent.ts";
import {
  adapterConfig,
  expectTurnTimedOut,
  runAgentTurn,
  sessionParams,
  startFailure,
  turnTimeoutReason,
} from "../../../fakes/agent-cli/adapter-session.ts";
import { readArgvLog, readEnvDump } from "../../../fakes/agent-cli/fake-cli.ts";
import { livingGroupMembers } from "../../../fakes/agent-cli/process-scan.ts";
import { useScratch } from "../../../fakes/agent-cli/scratch.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";

const FAKE_OPENCODE = resolve(import.meta.dir, "fake-opencode.sh");
const FIXTURES = resolve(import.meta.dir, "../../../fixtures");

const scratch = useScratch("sortie-opencode-");

function makeAdapter(
  options: { settings?: Record<string, unknown>; baseEnv?: Record<string, string>; command?: string } = {},
) {
  const config = adapterConfig("opencode", options.command ?? FAKE_OPENCODE, options.settings);
  const baseEnv = options.baseEnv ?? {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    FAKE_OPENCODE_DIR: scratch.root,
  };
  return scratch.adapter((logger) => new OpenCodeAdapter(config, { logger, baseEnv }));
}

function startParams(overrides: Partial<StartSessionParams> = {}, readTimeoutMs = 5000): StartSessionParams {
  return sessionParams({ kind: "opencode", workspace: scratch.workspace, readTimeoutMs }, overrides);
}

function turn(adapter: OpenCodeAdapter, session: Session, signal?: AbortSignal) {
  return runAgentTurn(adapter, session, { signal });
}

const invocations = () => readArgvLog(scratch.path("argv.log"));

const sessionFlag = (argv: string[]) =>
  argv.includes("--session") ? argv[argv.indexOf("--session") + 1] : "";
const mode = (m: string) => writeFileSync(scratch.path("mode"), m);
const replayFixture = (rel: string, exit = 0) => {
  mode("replay");
  writeFileSync(scratch.path("stdout"), readFileSync(join(FIXTURES, rel), "utf8"));
  writeFileSync(scratch.path("exit"), String(exit));
};

const usage = (n: number) => ({
  inputTokens: 100 * n,
  outputTokens: 10 * n,
  totalTokens: 110 * n,
  cacheReadTokens: 5 * n,
  cacheWriteTokens: 1 * n,
});

describe("opencode startSession", () => {
  test("no process and no checks beyond the launch target; the given session id is kept", async () => {
    const { adapter } = makeAdapter();
    const signal = new AbortController().signal;
    expect(await adapter.startSession(startParams(), signal)).toMatchObject({ id: "", agentPid: "" });
    expect((await adapter.startSession(startParams({ resumeSessionId: "ses_9" }), signal)).id).toBe("ses_9");
    expect(invocations()).toEqual([]);
  });

  test("rejects a missing binary, a missing workspace and ssh mode", async () => {
    const signal = new AbortController().signal;
    const failure = startFailure;
    const missing = makeAdapter({ command: "opencode", baseEnv: { PATH: scratch.root } }).adapter;
    expect((await failure(missing.startSession(startParams(), signal))).message).toBe(
      'agent command "opencode" not found',
    );
    const { adapter } = makeAdapter();
    expect(
      (await failure(adapter.startSession(startParams({ workspacePath: scratch.path("no") }), signal))).kind,
    ).toBe("invalid_workspace_cwd");
    expect((await failure(adapter.startSession(startParams({ sshHost: "h" }), signal))).kind).toBe(
      "agent_not_found",
    );
  });

  test("overlapping tool lists fail at construction", () => {
    expect(() => makeAdapter({ settings: { allowed_tools: ["bash"], denied_tools: ["bash"] } })).toThrow(
      "allowed_tools and denied_tools overlap: bash",
    );
  });
});

describe("opencode runTurn", () => {
  test("adopts the session id, continues it with --session, usage and cost are session-cumulative", async () => {
    const { adapter } = makeAdapter({ settings: { model: "fake/m" } });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const first = await turn(adapter, session);
    const second = await turn(adapter, session);

    expect(invocations().map(sessionFlag)).toEqual(["", "ses_1"]);
    expect(first.outcome.error).toBeUndefined();
    expect(first.outcome.result).toMatchObject({
      sessionId: "ses_1",
      exitReason: "turn_completed",
      usage: usage(1),
    });
    expect(first.outcome.result.usage.costUsd).toBeCloseTo(0.01, 10);
    expect(second.outcome.result).toMatchObject({
      sessionId: "ses_1",
      exitReason: "turn_completed",
      usage: usage(2),
    });
    expect(second.outcome.result.usage.costUsd).toBeCloseTo(0.02, 10);

    expect(first.events.map((e) => [e.type, e.message])).toEqual([
      ["session_started", "session started"],
      ["notification", "step started"],
      ["notification", "done"],
      ["token_usage", ""],
      ["notification", "step finished: stop"],
      ["turn_completed", ""],
    ]);
    // Announced once per adapter session, not per turn.
    expect(second.events.filter((e) => e.type === "session_started")).toEqual([]);
    expect(second.events.find((e) => e.type === "token_usage")).toMatchObject({
      usage: usage(2),
      requests: 1,
      model: "fake/m",
    });
    const pid = second.events[0]?.agentPid ?? "";
    expect(pid).toMatch(/^\d+$/);
    expect(second.events.every((e) => e.agentPid === pid)).toBe(true);
    expect(second.pgids).toEqual([Number(pid)]);
  });

  test("a --session id the CLI does not know falls back to a fresh session with a warning", async () => {
    const { adapter, log } = makeAdapter();
    const session = await adapter.startSession(
      startParams({ resumeSessionId: "ses_gone" }),
      new AbortController().signal,
    );
    const { outcome, events } = await turn(adapter, session);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ sessionId: "ses_1", exitReason: "turn_completed" });
    expect(invocations().map(sessionFlag)).toEqual(["ses_gone", ""]);
    expect(
      log.find("warn", "agent session not found, starting a fresh session").map((e) => e.properties),
    ).toEqual([{ session_id: "ses_gone" }]);
    expect(events.filter((e) => e.type === "session_started").map((e) => e.sessionId)).toEqual(["ses_1"]);
  });

  test("the agent environment: managed variables, the policy, HOME, no sortie secrets", async () => {
    const { adapter } = makeAdapter({
      settings: { denied_tools: ["webfetch"], disable_autocompact: false },
      baseEnv: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        FAKE_OPENCODE_DIR: scratch.root,
        OPENCODE_AUTO_SHARE: "true",
        SORTIE_JIRA_API_KEY: "secret",
      },
    });
    const session = await adapter.startSession(
      startParams({ env: { SORTIE_ISSUE_IDENTIFIER: "PROJ-1", HOME: scratch.path("agent-home") } }),
      new AbortController().signal,
    );
    await turn(adapter, session);
    const seen = readEnvDump(readFileSync(scratch.path("env.dump"), "utf8"));
    expect(seen).toMatchObject({
      HOME: scratch.path("agent-home"),
      SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
      OPENCODE_AUTO_SHARE: "false",
      OPENCODE_DISABLE_AUTOCOMPACT: "false",
      OPENCODE_DISABLE_AUTOUPDATE: "true",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "true",
      OPENCODE_PERMISSION: '{"webfetch":"deny"}',
    });
    expect(seen.SORTIE_JIRA_API_KEY).toBeUndefined();
    expect(invocations()[0]).toEqual([
      "run",
      "--format",
      "json",
      "--dir",
      scratch.workspace,
      "--dangerously-skip-permissions",
      "--",
      "do the work",
    ]);
  });

  test("an error envelope fails the turn although the process exits 0", async () => {
    replayFixture("agent-opencode/logical_failure_exit0.jsonl");
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(outcome.result).toMatchObject({ sessionId: "ses_fail123", exitReason: "turn_failed" });
    expect(outcome.error?.kind).toBe("turn_failed");
    expect(outcome.error?.message).toBe("invalid api key");
    // The turn_failed event came from the stream; no second terminal event follows.
    expect(events.map((e) => e.type)).toEqual(["session_started", "notification", "turn_failed"]);
  });

  test("plain-text notices in the stream are tolerated and the turn still completes", async () => {
    replayFixture("agent-opencode/permission_warning_then_error.txt");
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");
    expect(events.map((e) => e.type)).toEqual([
      "notification",
      "session_started",
      "tool_result",
      "turn_completed",
    ]);
  });

  test("exit codes: no JSON at all, a non-zero exit after JSON, a vanished binary", async () => {
    const { adapter, log } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    mode("replay");
    writeFileSync(scratch.path("stdout"), "");
    writeFileSync(scratch.path("exit"), "3");
    const none = await turn(adapter, session);
    expect(none.outcome.result.exitReason).toBe("turn_ended_with_error");
    expect(none.outcome.error?.kind).toBe("port_exit");
    expect(none.events.at(-1)?.message).toBe("process exited before first opencode json event");
    expect(none.outcome.error?.toString()).toBe(
      "agent: port_exit: process exited before first opencode json event: exit code 3",
    );

    replayFixture("agent-opencode/simple_turn.jsonl", 2);
    const late = await turn(adapter, session);
    expect(late.outcome.result.exitReason).toBe("turn_ended_with_error");
    expect(late.events.at(-1)?.message).toBe("opencode exited with code 2");
    expect(late.outcome.error?.toString()).toBe("agent: port_exit: opencode exited with code 2");
    // Usage of the failed turn still counts.
    expect(late.outcome.result.usage.inputTokens).toBe(14406);

    mode("replay");
    writeFileSync(scratch.path("exit"), "127");
    writeFileSync(scratch.path("stdout"), "");
    expect((await turn(adapter, session)).outcome.error?.kind).toBe("agent_not_found");
    expect(log.find("warn", "agent stderr")).toEqual([]);
  });

  test("no JSON envelope within startup_timeout_ms: killed, response_timeout", async () => {
    mode("silent");
    const { adapter } = makeAdapter({ settings: { startup_timeout_ms: 300 } });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events, pgids } = await turn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_ended_with_error");
    expect(outcome.error?.kind).toBe("response_timeout");
    expect(events.at(-1)).toMatchObject({
      type: "turn_ended_with_error",
      message: "timed out waiting for first opencode json event",
    });
    await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, { what: "the group to die" });
  });

  test("an envelope of another session ends the turn with response_error", async () => {
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    await turn(adapter, session);
    mode("mismatch");
    const { outcome, events, pgids } = await turn(adapter, session);
    expect(outcome.result).toMatchObject({ sessionId: "ses_1", exitReason: "turn_ended_with_error" });
    expect(outcome.error?.kind).toBe("response_error");
    expect(outcome.error?.message).toBe('session id mismatch: expected "ses_1", got "ses_intruder"');
    expect(events.filter((e) => e.type === "turn_ended_with_error")).toHaveLength(1);
    await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, { what: "the group to die" });
  });

  test("a turn timeout kills the group at once, even a CLI that ignores SIGTERM", async () => {
    mode("hang");
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const ctl = new AbortController();
    const running = turn(adapter, session, ctl.signal);
    await waitFor(() => invocations().length === 1 && existsSync(scratch.path("session-ses_1")), {
      what: "the fake to start",
    });
    ctl.abort(turnTimeoutReason());
    const { outcome, events, pgids } = await running;
    expectTurnTimedOut({ outcome, events });
    await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, { what: "the group to die" });
  });

  test("cancellation is turn_cancelled; a stopped session refuses further turns", async () => {
    mode("hang");
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const ctl = new AbortController();
    const running = turn(adapter, session, ctl.signal);
    await waitFor(() => invocations().length === 1, { what: "the fake to start" });
    // A second turn while one is running is refused.
    const overlapping = await turn(adapter, session);
    expect(overlapping.outcome.error?.message).toBe("session already has an active turn");
    expect(overlapping.events).toEqual([]);
    ctl.abort();
    const { outcome } = await running;
    expect(outcome.error?.kind).toBe("turn_cancelled");

    await adapter.stopSession(session, new AbortController().signal);
    const refused = await turn(adapter, session);
    expect(refused.outcome.result.exitReason).toBe("turn_ended_with_error");
    expect(refused.outcome.error?.kind).toBe("response_error");
    expect(refused.outcome.error?.message).toBe("session already stopped");
  });

  test("a turn whose signal is already aborted starts no process", async () => {
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const ctl = new AbortController();
    ctl.abort();
    const { outcome, events, pgids } = await turn(adapter, session, ctl.signal);
    expect(outcome.result.exitReason).toBe("turn_cancelled");
    expect(outcome.error?.kind).toBe("turn_cancelled");
    expect(events.map((e) => [e.type, e.message])).toEqual([["turn_cancelled", "context cancelled"]]);
    expect(pgids).toEqual([]);
    expect(invocations()).toEqual([]);
  });

  test("stopSession during a turn ends it as cancelled", async () => {
    mode("silent");
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams({}, 60_000), new AbortController().signal);
    const running = turn(adapter, session);
    await waitFor(() => invocations().length === 1, { what: "the fake to start" });
    await adapter.stopSession(session, new AbortController().signal);
    const { outcome, events } = await running;
    expect(outcome.result.exitReason).toBe("turn_cancelled");
    expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "session stopped" });
  });

  test("without step usage the turn's usage comes from the session export", async () => {
    mode("nousage");
    writeFileSync(
      scratch.path("export.json"),
      readFileSync(join(FIXTURES, "agent-opencode/export_usage.json"), "utf8").replaceAll(
        "ses_abc123",
        "ses_1",
      ),
    );
    const { adapter } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(invocations().map((a) => a.slice(0, 3))).toEqual([
      ["run", "--format", "json"],
      ["export", "--sanitize", "ses_1"],
    ]);
    const usageEvents = events.filter((e) => e.type === "token_usage");
    expect(usageEvents).toEqual([
      expect.objectContaining({
        usage: {
          inputTokens: 1500,
          outputTokens: 300,
          totalTokens: 1800,
          cacheReadTokens: 200,
          cacheWriteTokens: 50,
          costUsd: 0.05,
        },
        requests: 1,
        model: "anthropic/claude-sonnet-4-5",
      }),
    ]);
    expect(outcome.result.usage.inputTokens).toBe(1500);
    expect(events.at(-1)?.type).toBe("turn_completed");
  });

  test("an export without token counts leaves the usage unknown and says so", async () => {
    mode("nousage");
    writeFileSync(
      scratch.path("export.json"),
      readFileSync(join(FIXTURES, "agent-opencode/export_usage_missing_tokens.json"), "utf8").replaceAll(
        "ses_abc123",
        "ses_1",
      ),
    );
    const { adapter, log } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(events.filter((e) => e.type === "token_usage")).toEqual([]);
    expect(outcome.result.usage.inputTokens).toBeNull();
    expect(log.find("warn", "no assistant token usage found in opencode export")).toHaveLength(1);
  });
});
