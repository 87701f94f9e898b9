import { beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CopilotCliAdapter } from "../../../../src/agents/copilot-cli/index.ts";
import type { Session, StartSessionParams } from "../../../../src/domain/agent.ts";
import {
  adapterConfig,
  expectTurnTimedOut,
  runAgentTurn,
  sessionParams,
  startFailure,
  testIssue,
  turnTimeoutReason,
} from "../../../fakes/agent-cli/adapter-session.ts";
import { readArgvLog, readEnvDump } from "../../../fakes/agent-cli/fake-cli.ts";
import { livingGroupMembers } from "../../../fakes/agent-cli/process-scan.ts";
import { useScratch } from "../../../fakes/agent-cli/scratch.ts";
import { UNKNOWN_TOKENS } from "../../../fakes/agent-cli/token-usage.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";

const FAKE_COPILOT = resolve(import.meta.dir, "fake-copilot.sh");
const FIXTURES = resolve(import.meta.dir, "../../../fixtures");

const scratch = useScratch("sortie-copilot-");
let bin: string;

beforeEach(() => {
  // A PATH with only what the fake needs, so no `gh` of the host machine is found by accident.
  bin = scratch.path("bin");
  mkdirSync(bin);
  for (const tool of ["cat", "env", "sleep"]) {
    const found = Bun.which(tool);
    if (found === null) throw new Error(`${tool} not found`);
    symlinkSync(found, join(bin, tool));
  }
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: bin, FAKE_COPILOT_DIR: scratch.root, GH_TOKEN: "gho_fake", ...extra };
}

function makeAdapter(
  options: { command?: string; baseEnv?: Record<string, string>; settings?: Record<string, unknown> } = {},
) {
  const config = adapterConfig("copilot-cli", options.command ?? FAKE_COPILOT, options.settings);
  return scratch.adapter(
    (logger) => new CopilotCliAdapter(config, { logger, baseEnv: options.baseEnv ?? env() }),
  );
}

function startParams(overrides: Partial<StartSessionParams> = {}): StartSessionParams {
  return sessionParams({ kind: "copilot-cli", workspace: scratch.workspace }, overrides);
}

const issue = testIssue;

function turn(adapter: CopilotCliAdapter, session: Session, signal?: AbortSignal) {
  return runAgentTurn(adapter, session, { signal });
}

const invocations = () => readArgvLog(scratch.path("argv.log"));

const resumeFlags = (argv: string[]) =>
  argv.flatMap((a, i) => (a === "--continue" ? [a] : a === "--resume" ? [a, argv[i + 1] ?? ""] : []));

describe("copilot-cli startSession", () => {
  test("a fresh session has no id yet; a continuation keeps the given one", async () => {
    const { adapter } = makeAdapter();
    const signal = new AbortController().signal;
    expect(await adapter.startSession(startParams(), signal)).toMatchObject({ id: "", agentPid: "" });
    expect((await adapter.startSession(startParams({ resumeSessionId: "prev" }), signal)).id).toBe("prev");
  });

  test("rejects a missing workspace, a missing binary and ssh mode", async () => {
    const signal = new AbortController().signal;
    const { adapter } = makeAdapter();
    expect(
      (await startFailure(adapter.startSession(startParams({ workspacePath: scratch.path("nope") }), signal)))
        .kind,
    ).toBe("invalid_workspace_cwd");
    const missing = makeAdapter({ command: "copilot" }).adapter;
    const err = await startFailure(missing.startSession(startParams(), signal));
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe('agent command "copilot" not found');
    expect((await startFailure(adapter.startSession(startParams({ sshHost: "build-1" }), signal))).kind).toBe(
      "agent_not_found",
    );
  });

  test("a binary that does not answer --version is not functional", async () => {
    const { adapter } = makeAdapter({ baseEnv: env({ FAKE_COPILOT_CANARY: "fail" }) });
    const err = await startFailure(adapter.startSession(startParams(), new AbortController().signal));
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe("copilot binary found but not functional; ensure Node.js 22+ is available");
  });

  test("any GitHub token variable, or a bring-your-own-key provider, satisfies the auth check", async () => {
    const signal = new AbortController().signal;
    const sources: Record<string, string>[] = [
      { COPILOT_GITHUB_TOKEN: "t" },
      { GH_TOKEN: "t" },
      { GITHUB_TOKEN: "t" },
      { COPILOT_PROVIDER_BASE_URL: "http://127.0.0.1:1/v1" },
    ];
    for (const source of sources) {
      const { adapter } = makeAdapter({ baseEnv: { PATH: bin, FAKE_COPILOT_DIR: scratch.root, ...source } });
      expect((await adapter.startSession(startParams(), signal)).id).toBe("");
    }
  });

  test("without a token it asks `gh auth status`, and fails naming every way to authenticate", async () => {
    const signal = new AbortController().signal;
    const bare = { PATH: bin, FAKE_COPILOT_DIR: scratch.root, GH_TOKEN: "   " };
    const err = await startFailure(
      makeAdapter({ baseEnv: bare }).adapter.startSession(startParams(), signal),
    );
    expect(err.kind).toBe("agent_not_found");
    expect(err.message).toBe(
      "no GitHub authentication source found; set COPILOT_GITHUB_TOKEN, GH_TOKEN, or GITHUB_TOKEN, or run 'gh auth login' to authenticate",
    );

    const gh = join(bin, "gh");
    // `gh auth status` exits with $GH_EXIT, 0 when unset.
    writeFileSync(gh, '#!/bin/sh\n[ -n "$GH_EXIT" ] && exit "$GH_EXIT"\nexit 0\n');
    chmodSync(gh, 0o755);
    const loggedIn = makeAdapter({ baseEnv: bare });
    expect((await loggedIn.adapter.startSession(startParams(), signal)).id).toBe("");
    expect(
      loggedIn.log.find("warn", "copilot authentication comes from gh auth, not from a token variable"),
    ).toHaveLength(1);
    const loggedOut = makeAdapter({ baseEnv: { ...bare, GH_EXIT: "1" } }).adapter;
    expect((await startFailure(loggedOut.startSession(startParams(), signal))).kind).toBe("agent_not_found");
  });
});

describe("copilot-cli runTurn", () => {
  test("learns the session id from the result line and resumes it; premium requests and API time per session", async () => {
    const { adapter, log } = makeAdapter();
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const first = await turn(adapter, session);
    const second = await turn(adapter, session);

    expect(invocations().map(resumeFlags)).toEqual([[], ["--resume", "sess-1"]]);
    expect(first.outcome).toEqual({
      result: {
        sessionId: "sess-1",
        exitReason: "turn_completed",
        usage: { ...UNKNOWN_TOKENS, premiumRequests: 2 },
      },
    });
    expect(second.outcome.result.usage).toEqual({ ...UNKNOWN_TOKENS, premiumRequests: 4 });

    // session_started comes first, with the id known at that moment.
    expect(first.events[0]).toMatchObject({ type: "session_started", sessionId: "" });
    expect(second.events[0]).toMatchObject({ type: "session_started", sessionId: "sess-1" });
    expect(second.events.map((e) => [e.type, e.message])).toEqual([
      ["session_started", "session started"],
      ["notification", "assistant.turn_start"],
      ["notification", "working on it"],
      ["notification", "assistant.turn_end"],
      ["token_usage", ""],
      ["turn_completed", ""],
    ]);
    expect(second.events.find((e) => e.type === "token_usage")).toMatchObject({
      usage: { ...UNKNOWN_TOKENS, premiumRequests: 4 },
      requests: 1,
      model: "fake-model",
    });
    // The CLI's API time is cumulative over the session: each turn reports only its own.
    expect(first.events.at(-1)?.apiDurationMs).toBe(100);
    expect(second.events.at(-1)?.apiDurationMs).toBe(100);

    const pid = second.events[0]?.agentPid ?? "";
    expect(pid).toMatch(/^\d+$/);
    expect(second.events.every((e) => e.agentPid === pid)).toBe(true);
    expect(second.pgids).toEqual([Number(pid)]);
    expect(log.find("info", "copilot turn completed").map((e) => e.properties)).toEqual([
      { session_id: "sess-1", exit_code: 0, premium_requests: 2 },
      { session_id: "sess-1", exit_code: 0, premium_requests: 4 },
    ]);
  });

  test("without a result line the next turn continues the latest conversation until an id is learned", async () => {
    const { adapter } = makeAdapter();
    writeFileSync(scratch.path("mode"), "noid");
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const first = await turn(adapter, session);
    expect(first.outcome.error).toBeUndefined();
    expect(first.outcome.result).toMatchObject({ sessionId: "", exitReason: "turn_completed" });
    expect(first.outcome.result.usage).toEqual(UNKNOWN_TOKENS);
    await turn(adapter, session);

    // The CLI reports ids again: the continued conversation's id is learned and resumed.
    rmSync(scratch.path("mode"));
    const third = await turn(adapter, session);
    expect(third.outcome.result.sessionId).toBe("sess-1");
    await turn(adapter, session);
    expect(invocations().map(resumeFlags)).toEqual([
      [],
      ["--continue"],
      ["--continue"],
      ["--resume", "sess-1"],
    ]);
  });

  test("a resumed id the CLI does not know falls back to a fresh session with a warning", async () => {
    const { adapter, log } = makeAdapter();
    const session = await adapter.startSession(
      startParams({ resumeSessionId: "gone" }),
      new AbortController().signal,
    );
    const { outcome, events } = await turn(adapter, session);
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ sessionId: "sess-1", exitReason: "turn_completed" });
    expect(invocations().map(resumeFlags)).toEqual([["--resume", "gone"], []]);
    expect(
      log.find("warn", "agent session not found, starting a fresh session").map((e) => e.properties),
    ).toEqual([{ session_id: "gone" }]);
    expect(events.filter((e) => e.type === "session_started").map((e) => e.sessionId)).toEqual(["gone", ""]);
    expect(events.filter((e) => e.type === "turn_completed")).toHaveLength(1);
  });

  test("the agent gets the per-session variables and HOME, but not sortie's own secrets", async () => {
    const { adapter } = makeAdapter({
      baseEnv: env({ SORTIE_TRACKER_API_KEY: "secret", SORTIE_KEEP: "yes", HOME: "/not/writable" }),
      settings: { env_passthrough: ["SORTIE_KEEP"] },
    });
    const session = await adapter.startSession(
      startParams({ env: { SORTIE_ISSUE_ID: "1", HOME: scratch.path("agent-home") } }),
      new AbortController().signal,
    );
    await turn(adapter, session);
    const seen = readEnvDump(readFileSync(scratch.path("env.dump"), "utf8"));
    expect(seen.HOME).toBe(scratch.path("agent-home"));
    expect(seen.SORTIE_ISSUE_ID).toBe("1");
    expect(seen.SORTIE_KEEP).toBe("yes");
    expect(seen.SORTIE_TRACKER_API_KEY).toBeUndefined();
  });

  test("a plain-text authentication error with a non-zero exit is a port_exit failure", async () => {
    const { adapter, log } = makeAdapter({
      baseEnv: env({
        FAKE_COPILOT_MODE: "replay",
        FAKE_COPILOT_STDOUT: join(FIXTURES, "agent-copilot/auth_failure.jsonl"),
        FAKE_COPILOT_EXIT: "1",
      }),
    });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const { outcome, events } = await turn(adapter, session);
    expect(events.map((e) => e.type)).toEqual(["session_started", "malformed", "turn_failed"]);
    expect(outcome.result.exitReason).toBe("turn_failed");
    expect(outcome.error?.kind).toBe("port_exit");
    expect(outcome.error?.message).toBe("exit code 1");
    expect(log.find("warn", "agent stderr")).toEqual([]);
  });

  test("exit 0 without any output fails the turn; exit 127 means the binary vanished", async () => {
    writeFileSync(scratch.path("empty"), "");
    const quiet = makeAdapter({
      baseEnv: env({ FAKE_COPILOT_MODE: "replay", FAKE_COPILOT_STDOUT: scratch.path("empty") }),
    }).adapter;
    const session = await quiet.startSession(startParams(), new AbortController().signal);
    const { outcome } = await turn(quiet, session);
    expect(outcome.result.exitReason).toBe("turn_failed");
    expect(outcome.error?.message).toBe("agent exited without producing output");

    const vanished = makeAdapter({
      baseEnv: env({
        FAKE_COPILOT_MODE: "replay",
        FAKE_COPILOT_STDOUT: scratch.path("empty"),
        FAKE_COPILOT_EXIT: "127",
      }),
    }).adapter;
    const again = await vanished.startSession(startParams(), new AbortController().signal);
    expect((await turn(vanished, again)).outcome.error?.kind).toBe("agent_not_found");
  });

  test("a turn timeout kills the process group and is turn_timeout", async () => {
    const { adapter } = makeAdapter({ baseEnv: env({ FAKE_COPILOT_MODE: "hang" }) });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    const ctl = new AbortController();
    const running = turn(adapter, session, ctl.signal);
    await waitFor(() => invocations().length === 1, { what: "the fake to start" });
    ctl.abort(turnTimeoutReason());
    const { outcome, events, pgids } = await running;
    expectTurnTimedOut({ outcome, events });
    await waitFor(() => livingGroupMembers(pgids[0] ?? 0).length === 0, { what: "the group to die" });
  });

  test("stopSession kills a running turn, and is a no-op without one", async () => {
    const { adapter } = makeAdapter({ baseEnv: env({ FAKE_COPILOT_MODE: "hang" }) });
    const session = await adapter.startSession(startParams(), new AbortController().signal);
    await adapter.stopSession(session, new AbortController().signal);
    const running = turn(adapter, session);
    await waitFor(() => invocations().length === 1, { what: "the fake to start" });
    await adapter.stopSession(session, new AbortController().signal);
    const { outcome, events } = await running;
    expect(outcome.result.exitReason).toBe("turn_cancelled");
    expect(outcome.error?.kind).toBe("turn_cancelled");
    expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "killed by signal" });
  });

  test("rejects foreign sessions and a missing onEvent", async () => {
    const { adapter } = makeAdapter();
    const signal = new AbortController().signal;
    const foreign: Session = { id: "x", agentPid: "", internal: {} };
    await expect(
      adapter.runTurn(foreign, { prompt: "p", issue, turnNumber: 1, onEvent: () => {} }, signal),
    ).rejects.toThrow(TypeError);
    const session = await adapter.startSession(startParams(), signal);
    const noHandler = { prompt: "p", issue, turnNumber: 1 } as unknown as Parameters<
      typeof adapter.runTurn
    >[1];
    await expect(adapter.runTurn(session, noHandler, signal)).rejects.toThrow("runTurn requires onEvent");
  });
});
