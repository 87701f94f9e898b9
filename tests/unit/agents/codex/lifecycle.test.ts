import { describe, expect, test } from "bun:test";
import { livingGroupMembers } from "../../../fakes/agent-cli/process-scan.ts";
import { tokenUsage as sortieUsage } from "../../../fakes/agent-cli/token-usage.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";
import {
  type AdapterOptions,
  clientRequests,
  eventShapes,
  makeAdapter,
  runTurn,
  startedSession,
  startParams,
  useHarness,
} from "../../../fakes/codex-app-server/harness.ts";
import { handshakeReplies, type Scenario, type Step } from "../../../fakes/codex-app-server/scenario.ts";

const h = useHarness();

const THREAD = "thread-abc-123";
const turnStarted = (turnId: string): Step[] => [
  `{"id":0,"result":{"turn":{"id":"${turnId}","status":"inProgress"}}}`,
  `{"method":"turn/started","params":{"threadId":"${THREAD}","turn":{"id":"${turnId}"}}}`,
];
const turnCompleted = (turnId: string, status = "completed") =>
  `{"method":"turn/completed","params":{"threadId":"${THREAD}","turn":{"id":"${turnId}","status":"${status}"}}}`;
const tokenUsage = (turnId: string, total: [number, number, number], last?: [number, number, number]) =>
  JSON.stringify({
    method: "thread/tokenUsage/updated",
    params: {
      threadId: THREAD,
      turnId,
      tokenUsage: {
        total: breakdown(total),
        last: last ? breakdown(last) : null,
        modelContextWindow: 258400,
      },
    },
  });
function breakdown([input, cached, output]: [number, number, number]) {
  return {
    totalTokens: input + output,
    inputTokens: input,
    cachedInputTokens: cached,
    cacheWriteInputTokens: 0,
    outputTokens: output,
    reasoningOutputTokens: 0,
  };
}
const usage = (input: number, output: number, cacheRead: number) =>
  sortieUsage(input, output, cacheRead, 0, null);

const sessionWith = (replies: Scenario["replies"], options: AdapterOptions = {}) =>
  startedSession(h, replies, options);

describe("codex turn lifecycle", () => {
  test("token totals from thread/tokenUsage/updated are session-cumulative across turns, repeats not counted", async () => {
    const { adapter, session } = await sessionWith({
      "turn/start": [
        [
          ...turnStarted("t1"),
          tokenUsage("t1", [1500, 200, 37], [1500, 200, 37]),
          tokenUsage("t1", [3000, 400, 74], [1500, 200, 37]),
          tokenUsage("t1", [3000, 400, 74], [1500, 200, 37]),
          turnCompleted("t1"),
        ],
        [...turnStarted("t2"), tokenUsage("t2", [4500, 600, 111], [1500, 200, 37]), turnCompleted("t2")],
      ],
    });
    const first = await runTurn(adapter, session);
    expect(first.events.filter((e) => e.type === "token_usage").map((e) => e.usage)).toEqual([
      usage(1500, 37, 200),
      usage(3000, 74, 400),
    ]);
    expect(first.outcome.result.usage).toEqual(usage(3000, 74, 400));
    const second = await runTurn(adapter, session, { turnNumber: 2 });
    expect(second.events.filter((e) => e.type === "token_usage").map((e) => e.usage)).toEqual([
      usage(4500, 111, 600),
    ]);
    expect(second.outcome.result.usage).toEqual(usage(4500, 111, 600));
    expect(second.events.every((e) => e.type !== "session_started")).toBe(true);
  });

  test("a non-JSON line mid-turn is reported as malformed and the turn goes on", async () => {
    const { adapter, session, log } = await sessionWith({
      "turn/start": [
        [
          ...turnStarted("t1"),
          { $raw: "panic: something printed on stdout" },
          { $raw: "[1,2]" },
          turnCompleted("t1"),
        ],
      ],
    });
    const { outcome, events } = await runTurn(adapter, session);
    expect(outcome.result.exitReason).toBe("turn_completed");
    expect(events.filter((e) => e.type === "malformed").map((e) => e.message)).toEqual([
      "panic: something printed on stdout",
      "[1,2]",
    ]);
    expect(log.find("warn", "codex app-server sent a malformed line")).toHaveLength(2);
  });

  test("a stdout line over 1 MiB is a read error: turn_failed, port_exit, and the server is gone", async () => {
    const huge = `{"method":"item/agentMessage/delta","params":{"delta":"${"x".repeat(1024 * 1024)}"}}`;
    const { adapter, session } = await sessionWith({
      "turn/start": [[...turnStarted("t1"), huge, { $hang: true }]],
    });
    const { outcome, events } = await runTurn(adapter, session);
    expect(events.at(-1)).toMatchObject({
      type: "turn_failed",
      message: "stdout read error: line exceeds 1048576 bytes",
    });
    expect(outcome.error?.kind).toBe("port_exit");
    expect(outcome.error?.message).toBe("stdout read error");
    await waitFor(() => livingGroupMembers(Number(session.agentPid)).length === 0, {
      what: "the server to die",
    });
  });

  test("a server that dies mid-turn fails the turn with port_exit and its stderr", async () => {
    const { adapter, session, log } = await sessionWith({
      "turn/start": [
        [...turnStarted("t1"), { $stderr: "thread 'main' panicked" }, { $sleep: 50 }, { $exit: 3 }],
      ],
    });
    const { outcome, events } = await runTurn(adapter, session);
    expect(events.at(-1)).toMatchObject({
      type: "turn_failed",
      message: "codex app-server exited unexpectedly (exit code 3)",
    });
    expect(outcome.error?.kind).toBe("port_exit");
    expect(outcome.error?.message).toBe("subprocess stdout closed unexpectedly");
    expect(outcome.error?.toString()).toContain("thread 'main' panicked");
    expect(log.find("warn", "agent stderr").map((e) => e.properties.line)).toContain(
      "thread 'main' panicked",
    );

    // The next turn is refused without writing to a dead process.
    const next = await runTurn(adapter, session, { turnNumber: 2 });
    expect(next.outcome.error?.kind).toBe("port_exit");
    expect(next.events.at(-1)?.type).toBe("turn_failed");
  });

  test("a refused turn/start is turn_failed 'turn/start error: …'", async () => {
    const { adapter, session } = await sessionWith({
      "turn/start": [['{"id":0,"error":{"code":-32600,"message":"thread not found: x"}}']],
    });
    const { outcome, events } = await runTurn(adapter, session);
    expect(eventShapes(events)).toEqual([
      { type: "turn_failed", message: "turn/start error: thread not found: x" },
    ]);
    expect(outcome.error?.kind).toBe("turn_failed");
  });

  test("cancelling a turn sends turn/interrupt and resolves turn_cancelled once the server confirms", async () => {
    const { adapter, session } = await sessionWith({
      "turn/start": [[...turnStarted("t1"), { $hang: true }]],
      "turn/interrupt": [['{"id":0,"result":{}}', turnCompleted("t1", "interrupted")]],
    });
    const ctl = new AbortController();
    const running = runTurn(adapter, session, { signal: ctl.signal });
    await waitFor(() => clientRequests(h).some((r) => r.method === "turn/start"), { what: "turn/start" });
    await Bun.sleep(50);
    ctl.abort();
    const { outcome, events } = await running;
    expect(clientRequests(h).find((r) => r.method === "turn/interrupt")?.params).toEqual({
      threadId: THREAD,
      turnId: "t1",
    });
    expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "context cancelled" });
    expect(outcome.result.exitReason).toBe("turn_cancelled");
    expect(outcome.error?.kind).toBe("turn_cancelled");
    // The server is still usable: a later turn would run on it.
    expect(livingGroupMembers(Number(session.agentPid)).length).toBeGreaterThan(0);
  });

  test("a turn timeout (TimeoutError) is turn_cancelled with error turn_timeout", async () => {
    const { adapter, session } = await sessionWith({
      "turn/start": [[...turnStarted("t1"), { $hang: true }]],
      "turn/interrupt": [['{"id":0,"result":{}}', turnCompleted("t1", "interrupted")]],
    });
    const { outcome, events } = await runTurn(adapter, session, { signal: AbortSignal.timeout(150) });
    expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "turn timed out" });
    expect(outcome.error?.kind).toBe("turn_timeout");
  });

  test("a server that does not confirm the interrupt is given up after the grace period and terminated", async () => {
    const { adapter, session, log } = await sessionWith(
      { "turn/start": [[...turnStarted("t1"), { $hang: true }]], "turn/interrupt": [[{ $hang: true }]] },
      { deps: { interruptGraceMs: 200 } },
    );
    const ctl = new AbortController();
    const running = runTurn(adapter, session, { signal: ctl.signal });
    await waitFor(() => clientRequests(h).some((r) => r.method === "turn/start"), { what: "turn/start" });
    ctl.abort();
    const { outcome, events } = await running;
    expect(outcome.error?.kind).toBe("turn_cancelled");
    expect(events.at(-1)?.type).toBe("turn_cancelled");
    expect(log.find("warn", "codex turn did not stop after interrupt, terminating app-server")).toHaveLength(
      1,
    );
    await waitFor(() => livingGroupMembers(Number(session.agentPid)).length === 0, {
      what: "the server to end",
    });
  });

  test("a turn started with an already aborted signal sends nothing", async () => {
    const { adapter, session } = await sessionWith({
      "turn/start": [[...turnStarted("t1"), turnCompleted("t1")]],
    });
    const ctl = new AbortController();
    ctl.abort();
    const { outcome, events } = await runTurn(adapter, session, { signal: ctl.signal });
    expect(eventShapes(events)).toEqual([{ type: "turn_cancelled", message: "context cancelled" }]);
    expect(outcome.error?.kind).toBe("turn_cancelled");
    expect(clientRequests(h).some((r) => r.method === "turn/start")).toBe(false);
  });

  test("stopping the session during a turn ends the turn as cancelled", async () => {
    const { adapter, session } = await sessionWith({
      "turn/start": [[...turnStarted("t1"), { $hang: true }]],
    });
    const running = runTurn(adapter, session);
    await waitFor(() => clientRequests(h).some((r) => r.method === "turn/start"), { what: "turn/start" });
    await adapter.stopSession(session, AbortSignal.timeout(10_000));
    const { outcome, events } = await running;
    expect(events.at(-1)).toMatchObject({ type: "turn_cancelled", message: "session stopped" });
    expect(outcome.error?.kind).toBe("turn_cancelled");
  });

  test("turn_sandbox_policy, model and effort go on every turn/start", async () => {
    const { adapter, session } = await sessionWith(
      { "turn/start": [[...turnStarted("t1"), turnCompleted("t1")]] },
      {
        codexOptions: {
          model: "gpt-x",
          effort: "high",
          thread_sandbox: "read-only",
          turn_sandbox_policy: { networkAccess: true, type: "read-only" },
        },
      },
    );
    await runTurn(adapter, session);
    await runTurn(adapter, session, { turnNumber: 2 });
    const starts = clientRequests(h).filter((r) => r.method === "turn/start");
    for (const start of starts) {
      expect(start.params).toMatchObject({
        model: "gpt-x",
        effort: "high",
        sandboxPolicy: { type: "readOnly", networkAccess: true },
      });
    }
  });
});

describe("codex thread resume", () => {
  test("resumes the thread by id and does not count the tokens of earlier runs", async () => {
    const { adapter } = makeAdapter(h, {
      replies: {
        ...handshakeReplies(),
        "thread/resume": [
          [
            '{"id":0,"result":{"thread":{"id":"thread-old","turns":[]},"model":"gpt-5"}}',
            // The server repeats the thread's totals of its last turn right after resuming.
            tokenUsage("t-old", [3000, 400, 74], [1500, 200, 37]),
            tokenUsage("t-old", [3000, 400, 74], [1500, 200, 37]),
          ],
        ],
        "turn/start": [
          [
            ...turnStarted("t-new"),
            tokenUsage("t-new", [4500, 600, 111], [1500, 200, 37]),
            tokenUsage("t-new", [6000, 800, 148], [1500, 200, 37]),
            turnCompleted("t-new"),
          ],
        ],
      },
    });
    const session = await adapter.startSession(
      startParams(h, { resumeSessionId: "thread-old" }),
      new AbortController().signal,
    );
    expect(session.id).toBe("thread-old");
    const resume = clientRequests(h).find((r) => r.method === "thread/resume");
    expect(resume?.params).toEqual({
      threadId: "thread-old",
      cwd: h.workspace,
      approvalPolicy: "never",
      sandbox: "workspace-write",
      excludeTurns: true,
    });
    expect(clientRequests(h).some((r) => r.method === "thread/start")).toBe(false);

    const { outcome, events } = await runTurn(adapter, session);
    expect(events[0]).toMatchObject({ type: "session_started", sessionId: "thread-old" });
    const reported = events.filter((e) => e.type === "token_usage");
    expect(reported.map((e) => e.usage)).toEqual([usage(1500, 37, 200), usage(3000, 74, 400)]);
    expect(reported.every((e) => e.model === "gpt-5")).toBe(true);
    expect(outcome.result).toEqual({
      sessionId: "thread-old",
      exitReason: "turn_completed",
      usage: usage(3000, 74, 400),
    });
  });

  test("without a repeat of earlier totals, the first report's total minus its last request is the baseline", async () => {
    const { adapter } = makeAdapter(h, {
      replies: {
        ...handshakeReplies(),
        "thread/resume": [['{"id":0,"result":{"thread":{"id":"thread-old"}}}']],
        "turn/start": [
          [
            ...turnStarted("t-new"),
            tokenUsage("t-new", [4500, 600, 111], [1500, 200, 37]),
            turnCompleted("t-new"),
          ],
        ],
      },
    });
    const session = await adapter.startSession(
      startParams(h, { resumeSessionId: "thread-old" }),
      new AbortController().signal,
    );
    const { outcome } = await runTurn(adapter, session);
    expect(outcome.result.usage).toEqual(usage(1500, 37, 200));
  });

  test("a thread the server no longer knows falls back to a fresh thread with a warning", async () => {
    const { adapter, log } = makeAdapter(h, {
      replies: {
        ...handshakeReplies(),
        "thread/resume": [
          ['{"id":0,"error":{"code":-32600,"message":"no rollout found for thread id gone"}}'],
        ],
        "turn/start": [[...turnStarted("t1"), turnCompleted("t1")]],
      },
    });
    const session = await adapter.startSession(
      startParams(h, { resumeSessionId: "gone" }),
      new AbortController().signal,
    );
    expect(session.id).toBe("thread-abc-123");
    expect(
      log.find("warn", "agent session not found, starting a fresh session").map((e) => e.properties),
    ).toEqual([{ session_id: "gone" }]);
    expect(clientRequests(h).map((r) => r.method)).toEqual([
      "initialize",
      "initialized",
      "account/read",
      "thread/resume",
      "thread/start",
    ]);
    const { outcome } = await runTurn(adapter, session);
    expect(outcome.result.sessionId).toBe("thread-abc-123");
  });
});
