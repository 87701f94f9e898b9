import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ClaudeCodeAdapter } from "../../../../src/agents/claude-code/index.ts";
import type { AgentEvent, Session, StartSessionParams } from "../../../../src/domain/agent.ts";
import {
  adapterConfig,
  runAgentTurn,
  sessionParams,
  startFailure,
  testIssue,
} from "../../../fakes/agent-cli/adapter-session.ts";
import { readEnvDump, readNulList, writeFakeCli } from "../../../fakes/agent-cli/fake-cli.ts";
import { livingGroupMembers } from "../../../fakes/agent-cli/process-scan.ts";
import { useScratch } from "../../../fakes/agent-cli/scratch.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";

const FAKE_CLAUDE = resolve(import.meta.dir, "../../../fakes/agent-cli/fake-claude.sh");
const STUBBORN = resolve(import.meta.dir, "../../../fakes/agent-cli/stubborn-agent.sh");
const FIXTURES = resolve(import.meta.dir, "../../../fixtures");
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const scratch = useScratch("sortie-claude-");

function makeAdapter(
  command: string,
  options: Record<string, unknown> = {},
  baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    FAKE_CLAUDE_DIR: scratch.root,
  },
) {
  return scratch.adapter(
    (logger) => new ClaudeCodeAdapter(adapterConfig("claude-code", command, options), { logger, baseEnv }),
  );
}

function startParams(overrides: Partial<StartSessionParams> = {}): StartSessionParams {
  return sessionParams({ kind: "claude-code", workspace: scratch.workspace }, overrides);
}

const issue = testIssue;

function turn(adapter: ClaudeCodeAdapter, session: Session, signal?: AbortSignal, prompt?: string) {
  return runAgentTurn(adapter, session, { signal, prompt });
}

const calls = () => readFileSync(scratch.path("calls.log"), "utf8").trim().split("\n");

describe("claude-code startSession", () => {
  test("a fresh session gets a random UUID v4 and no process", async () => {
    const { adapter } = makeAdapter(FAKE_CLAUDE);
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    expect(session.id).toMatch(UUID_V4);
    expect(session.agentPid).toBe("");
  });

  test("a continuation keeps the given session id", async () => {
    const { adapter } = makeAdapter(FAKE_CLAUDE);
    const session = await adapter.startSession(
      startParams({ resumeSessionId: "prev-id" }),
      new AbortController().signal,
    );
    expect(session.id).toBe("prev-id");
  });

  test("rejects a missing workspace, a missing binary, a non-executable binary and ssh mode", async () => {
    const signal = new AbortController().signal;
    const { adapter } = makeAdapter(FAKE_CLAUDE);
    expect(
      (await startFailure(adapter.startSession(startParams({ workspacePath: scratch.path("nope") }), signal)))
        .kind,
    ).toBe("invalid_workspace_cwd");
    const missing = makeAdapter("claude-does-not-exist", {}, { PATH: scratch.root }).adapter;
    const err = await startFailure(missing.startSession(startParams(), signal));
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe('agent command "claude-does-not-exist" not found');
    const plain = scratch.path("claude-plain");
    writeFileSync(plain, "");
    chmodSync(plain, 0o644);
    expect(
      (await startFailure(makeAdapter(plain).adapter.startSession(startParams(), signal))).message,
    ).toContain("is not executable");
    expect((await startFailure(adapter.startSession(startParams({ sshHost: "build-1" }), signal))).kind).toBe(
      "agent_not_found",
    );
  });

  test("finds the default `claude` command on the agent's PATH", async () => {
    const bin = scratch.path("bin");
    mkdirSync(bin);
    writeFakeCli(bin, "claude", {
      stdout: readFileSync(join(FIXTURES, "agent-claude/full_session.jsonl"), "utf8"),
    });
    const { adapter } = makeAdapter("", {}, { PATH: `${bin}:/usr/bin:/bin` });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome } = await turn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");
  });
});

describe("claude-code runTurn", () => {
  test("first turn uses --session-id, later turns --resume, usage is session-cumulative", async () => {
    const { adapter } = makeAdapter(FAKE_CLAUDE, { permission_mode: "acceptEdits" });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const first = await turn(adapter, session);
    const second = await turn(adapter, session);
    expect(calls()).toEqual([`new ${session.id}`, `resume ${session.id}`]);

    expect(first.outcome.error).toBeUndefined();
    expect(first.outcome.result).toEqual({
      sessionId: session.id,
      exitReason: "turn_completed",
      usage: {
        inputTokens: 100,
        outputTokens: 10,
        totalTokens: 110,
        cacheReadTokens: 5,
        cacheWriteTokens: 2,
        costUsd: 0.5,
      },
    });
    const usageEvents = second.events.filter((e) => e.type === "token_usage");
    expect(usageEvents).toHaveLength(1);
    expect(usageEvents[0]).toMatchObject({
      usage: {
        inputTokens: 200,
        outputTokens: 20,
        totalTokens: 220,
        cacheReadTokens: 10,
        cacheWriteTokens: 4,
      },
      requests: 1,
      model: "fake",
      apiDurationMs: 30,
    });
    expect(second.outcome.result.usage.totalTokens).toBe(220);
    expect(second.events.map((e) => e.type)).toEqual([
      "session_started",
      "notification",
      "token_usage",
      "turn_completed",
    ]);
    const pid = second.events[0]?.agentPid ?? "";
    expect(pid).toMatch(/^\d+$/);
    expect(second.pgids).toEqual([Number(pid)]);
  });

  test("a continuation resumes from its first turn", async () => {
    const { adapter } = makeAdapter(FAKE_CLAUDE);
    writeFileSync(scratch.path("session-prev-id"), "");
    const session = await adapter.startSession(
      startParams({ resumeSessionId: "prev-id" }),
      new AbortController().signal,
    );
    const { outcome } = await turn(adapter, session);
    expect(calls()).toEqual(["resume prev-id"]);
    expect(outcome.result.sessionId).toBe("prev-id");
  });

  test("a resumed id the CLI no longer knows starts a fresh session with a warning", async () => {
    const { adapter, log } = makeAdapter(FAKE_CLAUDE);
    const session = await adapter.startSession(
      startParams({ resumeSessionId: "lost-id" }),
      new AbortController().signal,
    );
    const { outcome, events } = await turn(adapter, session);
    const [first, second] = calls();
    expect(first).toBe("resume lost-id");
    const freshId = second?.replace("new ", "") ?? "";
    expect(freshId).toMatch(UUID_V4);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result.exitReason).toBe("turn_completed");
    expect(outcome.result.sessionId).toBe(freshId);
    expect(events.filter((e) => e.type === "session_started").map((e) => e.sessionId)).toEqual([freshId]);
    expect(events.filter((e) => e.type === "turn_failed")).toEqual([]);
    expect(log.find("warn", "agent session not found, starting a fresh session")[0]?.properties).toEqual({
      session_id: "lost-id",
    });
    expect(log.find("warn", "agent stderr")).toEqual([]);
    // The next turn resumes the fresh session.
    await turn(adapter, session);
    expect(calls()[2]).toBe(`resume ${freshId}`);
  });

  test("the agent gets sortie's env without SORTIE_* (except env_passthrough) plus the session env", async () => {
    const envFile = scratch.path("env");
    const argvFile = scratch.path("argv");
    const cli = writeFakeCli(scratch.root, "claude-env", {
      stdout: readFileSync(join(FIXTURES, "agent-claude/full_session.jsonl"), "utf8"),
      envFile,
      argvFile,
    });
    const { adapter } = makeAdapter(
      cli,
      { env_passthrough: ["SORTIE_VISIBLE"], model: "m1" },
      {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: "/read-only-home",
        ANTHROPIC_API_KEY: "sk-x",
        SORTIE_GITHUB_TOKEN: "ghp-secret",
        SORTIE_VISIBLE: "yes",
      },
    );
    const session = await adapter.startSession(
      startParams({
        env: {
          SORTIE_ISSUE_ID: "1",
          SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
          SORTIE_WORKSPACE: scratch.workspace,
          SORTIE_ATTEMPT: "1",
          HOME: scratch.path("agent-home"),
        },
        mcpConfigPath: join(scratch.workspace, ".sortie/mcp.json"),
      }),
      new AbortController().signal,
    );
    await turn(adapter, session, undefined, "- list item first");
    const env = readEnvDump(readFileSync(envFile, "utf8"));
    expect(env).toMatchObject({
      ANTHROPIC_API_KEY: "sk-x",
      SORTIE_VISIBLE: "yes",
      SORTIE_ISSUE_ID: "1",
      SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
      SORTIE_WORKSPACE: scratch.workspace,
      SORTIE_ATTEMPT: "1",
      HOME: scratch.path("agent-home"),
    });
    expect(env.SORTIE_GITHUB_TOKEN).toBeUndefined();
    expect(readNulList(readFileSync(argvFile, "utf8"))).toEqual([
      "-p",
      "\n- list item first",
      "--output-format",
      "stream-json",
      "--verbose",
      "--dangerously-skip-permissions",
      "--session-id",
      session.id,
      "--model",
      "m1",
      "--mcp-config",
      join(scratch.workspace, ".sortie/mcp.json"),
    ]);
  });

  test("the command's extra words come before claude's own arguments", async () => {
    const argvFile = scratch.path("argv");
    const cli = writeFakeCli(scratch.root, "wrapper", { argvFile, stdout: "" });
    const { adapter } = makeAdapter(`${cli} --wrapped`);
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    await turn(adapter, session);
    expect(readNulList(readFileSync(argvFile, "utf8")).slice(0, 3)).toEqual([
      "--wrapped",
      "-p",
      "do the work",
    ]);
  });

  test("a CLI that exits at once with an error is turn_failed / port_exit naming stderr", async () => {
    const cli = writeFakeCli(scratch.root, "claude-root", {
      stderr:
        "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n",
      exitCode: 1,
    });
    const { adapter, log } = makeAdapter(cli);
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(events.map((e) => [e.type, e.message])).toEqual([["turn_failed", "non-zero exit"]]);
    expect(outcome.result.exitReason).toBe("turn_failed");
    expect(outcome.error?.toString()).toBe(
      "agent: port_exit: exit code 1: --dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons",
    );
    expect(log.find("warn", "agent stderr")).toHaveLength(1);
  });

  test("a CLI that prints no JSON reports malformed lines and fails", async () => {
    const cli = writeFakeCli(scratch.root, "claude-text", {
      stdout: "Usage: claude [options]\nerror: unknown option\n",
      exitCode: 2,
    });
    const { adapter } = makeAdapter(cli);
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(events.map((e) => e.type)).toEqual(["malformed", "malformed", "turn_failed"]);
    expect(outcome.error?.kind).toBe("port_exit");
  });

  test("error_max_turns fails the turn with kind turn_failed and keeps the usage", async () => {
    const cli = writeFakeCli(scratch.root, "claude-max", {
      stdout: `${JSON.stringify(JSON.parse(readFileSync(join(FIXTURES, "agent-claude/result_error_max_turns.json"), "utf8")))}\n`,
      exitCode: 1,
    });
    const { adapter } = makeAdapter(cli);
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(events.map((e) => [e.type, e.message]).at(-1)).toEqual(["turn_failed", "error_max_turns"]);
    expect(outcome.error?.kind).toBe("turn_failed");
    expect(outcome.result.usage).toMatchObject({ inputTokens: 50000, outputTokens: 12000, costUsd: 0.15 });
  });

  test("a turn timeout kills the process and reports turn_timeout with the estimate so far", async () => {
    const hanging = makeAdapter(
      FAKE_CLAUDE,
      {},
      {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        FAKE_CLAUDE_DIR: scratch.root,
        FAKE_CLAUDE_MODE: "hang",
      },
    ).adapter;
    const s2 = await hanging.startSession(startParams(), new AbortController().signal);
    const { outcome, events, pgids } = await turn(hanging, s2, AbortSignal.timeout(300));
    expect(outcome.result.exitReason).toBe("turn_cancelled");
    expect(outcome.error?.kind).toBe("turn_timeout");
    expect(events.map((e) => e.type)).toEqual([
      "session_started",
      "notification",
      "token_usage",
      "turn_cancelled",
    ]);
    expect(outcome.result.usage).toMatchObject({ inputTokens: 7, outputTokens: 1 });
    await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, { what: "agent group to die" });
  });

  test("stopSession kills a running turn, which ends as killed by signal", async () => {
    const { adapter } = makeAdapter("/bin/sh", {}, { PATH: process.env.PATH ?? "/usr/bin:/bin" });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const events: AgentEvent[] = [];
    const running = adapter.runTurn(
      session,
      { prompt: STUBBORN, issue, turnNumber: 1, onEvent: (e) => events.push(e) },
      new AbortController().signal,
    );
    await waitFor(() => events.some((e) => e.type === "session_started"), { what: "the agent to start" });
    // The stubborn agent ignores SIGTERM: a caller bound shorter than the grace period rejects.
    const stopErr = await adapter.stopSession(session, AbortSignal.timeout(100)).catch((e) => e);
    expect(stopErr).toBeInstanceOf(DOMException);
    const outcome = await running;
    expect(outcome.result.exitReason).toBe("turn_cancelled");
    expect(outcome.error?.message).toBe("killed by signal");
    // Nothing live any more: stopping again is a no-op.
    await adapter.stopSession(session, AbortSignal.timeout(100));
  });

  test("close() kills every live agent process group", async () => {
    const { adapter } = makeAdapter(
      FAKE_CLAUDE,
      {},
      {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        FAKE_CLAUDE_DIR: scratch.root,
        FAKE_CLAUDE_MODE: "hang",
      },
    );
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const pgids: number[] = [];
    const running = adapter.runTurn(
      session,
      { prompt: "x", issue, turnNumber: 1, onEvent: () => {}, onProcessGroup: (g) => pgids.push(g) },
      new AbortController().signal,
    );
    await waitFor(() => pgids.length === 1, { what: "the process group" });
    await adapter.close();
    const outcome = await running;
    expect(outcome.result.exitReason).toBe("turn_cancelled");
    await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, { what: "agent group to die" });
  });

  test("a session from another adapter is a programming error", async () => {
    const { adapter } = makeAdapter(FAKE_CLAUDE);
    const foreign: Session = { id: "x", agentPid: "", internal: {} };
    await expect(
      adapter.runTurn(
        foreign,
        { prompt: "", issue, turnNumber: 1, onEvent: () => {} },
        new AbortController().signal,
      ),
    ).rejects.toBeInstanceOf(TypeError);
  });
});
