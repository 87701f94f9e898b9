import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { eventEmitter } from "../../../../src/agents/events.ts";
import {
  type FinalizeDecision,
  type ForkedTurnResult,
  runForkedTurn,
  type TurnHooks,
} from "../../../../src/agents/process/fork-turn.ts";
import { ProcessGroupRegistry } from "../../../../src/agents/process/group-registry.ts";
import type { AgentEvent } from "../../../../src/domain/agent.ts";
import { agentError } from "../../../../src/domain/errors.ts";
import { writeFakeCli } from "../../../fakes/agent-cli/fake-cli.ts";
import { isLiving, livingGroupMembers } from "../../../fakes/agent-cli/process-scan.ts";
import { recordingLogger } from "../../../fakes/agent-cli/recording-logger.ts";
import { waitFor } from "../../../fakes/agent-cli/wait.ts";

// SIGKILL is delivered asynchronously: a killed process may need a moment to leave the table.
const groupGone = (pgid: number) =>
  waitFor(() => livingGroupMembers(pgid).length === 0, { timeoutMs: 5000, what: `group ${pgid} to die` });
const processGone = (pid: number) =>
  waitFor(() => !isLiving(pid), { timeoutMs: 5000, what: `pid ${pid} to die` });

const STUBBORN = resolve(import.meta.dir, "../../../fakes/agent-cli/stubborn-agent.sh");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sortie-fork-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Harness {
  events: AgentEvent[];
  lines: string[];
  log: ReturnType<typeof recordingLogger>;
  groups: ProcessGroupRegistry;
  pgids: number[];
  run(argv: string[], signal?: AbortSignal, finalize?: TurnHooks["finalize"]): Promise<ForkedTurnResult>;
}

function harness(): Harness {
  const events: AgentEvent[] = [];
  const lines: string[] = [];
  const log = recordingLogger();
  const groups = new ProcessGroupRegistry();
  const pgids: number[] = [];
  const emit = eventEmitter(
    (e) => events.push(e),
    () => new Date(),
    () => "",
  );
  const completed = (): FinalizeDecision => ({ kind: "terminal", type: "turn_completed", message: "done" });
  return {
    events,
    lines,
    log,
    groups,
    pgids,
    run: (argv, signal = new AbortController().signal, finalize = completed) =>
      runForkedTurn({
        argv,
        cwd: dir,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", STUBBORN_PIDFILE: join(dir, "pids") },
        signal,
        emit,
        logger: log.logger,
        groups,
        turnTimeoutMs: 1234,
        graceMs: 300,
        pipeDrainGraceMs: 200,
        onProcessGroup: (pgid) => pgids.push(pgid),
        hooks: {
          onLine: (line) => lines.push(line),
          finalize,
          snapshot: () => ({
            sessionId: "s-1",
            usage: {
              inputTokens: 1,
              outputTokens: 2,
              totalTokens: 3,
              cacheReadTokens: null,
              cacheWriteTokens: null,
              costUsd: null,
            },
          }),
        },
      }),
  };
}

function outcomeOf(r: ForkedTurnResult) {
  if (r.kind !== "outcome") throw new Error("expected an outcome");
  return r.outcome;
}

describe("runForkedTurn", () => {
  test("feeds stdout lines in order and lets the adapter finalize a clean exit", async () => {
    const h = harness();
    const cli = writeFakeCli(dir, "agent", { stdout: "one\ntwo\n", stderr: "noise\n" });
    const out = outcomeOf(await h.run([cli]));
    expect(h.lines).toEqual(["one", "two"]);
    expect(out.result).toEqual({
      sessionId: "s-1",
      exitReason: "turn_completed",
      usage: expect.objectContaining({ totalTokens: 3 }),
    });
    expect(out.error).toBeUndefined();
    expect(h.events.map((e) => [e.type, e.message])).toEqual([["turn_completed", "done"]]);
    expect(h.log.find("debug", "agent stderr").map((e) => e.properties.line)).toEqual(["noise"]);
    expect(h.log.find("warn", "agent stderr")).toEqual([]);
    expect(h.pgids).toHaveLength(1);
    expect(h.groups.size).toBe(0);
  });

  test("passes the exit code to finalize and warn-logs stderr when it returns an error", async () => {
    const h = harness();
    const cli = writeFakeCli(dir, "agent", { stderr: "boom\n", exitCode: 3 });
    let seen = -1;
    const out = outcomeOf(
      await h.run([cli], undefined, (exit, stderr) => {
        seen = exit.exitCode;
        expect(stderr).toEqual(["boom"]);
        return {
          kind: "terminal",
          type: "turn_failed",
          message: "non-zero exit",
          error: agentError("port_exit", "exit code 3"),
        };
      }),
    );
    expect(seen).toBe(3);
    expect(out.error?.kind).toBe("port_exit");
    expect(h.log.find("warn", "agent stderr").map((e) => e.properties.line)).toEqual(["boom"]);
  });

  test("arm 0: a turn whose signal is already aborted starts no process", async () => {
    const h = harness();
    const ctl = new AbortController();
    ctl.abort();
    const out = outcomeOf(await h.run([writeFakeCli(dir, "agent", {})], ctl.signal));
    expect(h.pgids).toEqual([]);
    expect(out.result.exitReason).toBe("turn_cancelled");
    expect(out.error?.kind).toBe("turn_cancelled");
    expect(h.events.map((e) => [e.type, e.message])).toEqual([["turn_cancelled", "context cancelled"]]);
  });

  test("arm 0: an already expired turn timeout is turn_timeout", async () => {
    const h = harness();
    const ctl = new AbortController();
    ctl.abort(new DOMException("timed out", "TimeoutError"));
    const out = outcomeOf(await h.run([writeFakeCli(dir, "agent", {})], ctl.signal));
    expect(out.result.exitReason).toBe("turn_cancelled");
    expect(out.error?.kind).toBe("turn_timeout");
    expect(out.error?.message).toContain("1234 ms");
  });

  test("arm 0': a process that cannot start is port_exit with no events", async () => {
    const h = harness();
    const plain = join(dir, "not-executable");
    await Bun.write(plain, "data");
    const out = outcomeOf(await h.run([plain]));
    expect(out.error?.kind).toBe("port_exit");
    expect(out.error?.message).toBe("failed to start subprocess");
    expect(out.result.exitReason).toBe("turn_failed");
    expect(h.events).toEqual([]);
  });

  test("arm 2: an over-long stdout line kills the process and fails the turn", async () => {
    const h = harness();
    const cli = writeFakeCli(dir, "agent", {
      after: "head -c 11000000 /dev/zero | tr '\\0' 'a'; echo; sleep 30",
      stderr: "about to flood\n",
    });
    const out = outcomeOf(await h.run([cli]));
    expect(out.error?.kind).toBe("port_exit");
    expect(out.error?.message).toBe("stdout scanner error");
    expect(h.events.map((e) => e.type)).toEqual(["turn_failed"]);
    expect(h.events[0]?.message).toStartWith("stdout read error: line exceeds");
    expect(h.log.find("warn", "agent stderr").map((e) => e.properties.line)).toContain("about to flood");
    await groupGone(h.pgids[0] ?? 0);
  });

  test("arm 3: aborting a running turn terminates it as turn_cancelled", async () => {
    const h = harness();
    const cli = writeFakeCli(dir, "agent", { stdout: "started\n", after: "sleep 30" });
    const ctl = new AbortController();
    const running = h.run([cli], ctl.signal);
    while (h.lines.length === 0) await Bun.sleep(10);
    ctl.abort();
    const out = outcomeOf(await running);
    expect(out.result.exitReason).toBe("turn_cancelled");
    expect(out.error?.kind).toBe("turn_cancelled");
    expect(h.events.map((e) => [e.type, e.message])).toEqual([["turn_cancelled", "context cancelled"]]);
    expect(h.log.find("warn", "agent stderr")).toEqual([]);
  });

  test("a turn timeout during the run becomes turn_timeout with exit reason turn_cancelled", async () => {
    const h = harness();
    const cli = writeFakeCli(dir, "agent", { after: "sleep 30" });
    const out = outcomeOf(await h.run([cli], AbortSignal.timeout(200)));
    expect(out.result.exitReason).toBe("turn_cancelled");
    expect(out.error?.kind).toBe("turn_timeout");
    expect(h.events.map((e) => [e.type, e.message])).toEqual([["turn_cancelled", "turn timed out"]]);
  });

  test("arm 4: exit code 127 is agent_not_found", async () => {
    const h = harness();
    const out = outcomeOf(
      await h.run([writeFakeCli(dir, "agent", { exitCode: 127, stderr: "sh: x: not found\n" })]),
    );
    expect(out.error?.kind).toBe("agent_not_found");
    expect(out.error?.message).toBe("exit code 127");
    expect(h.events.map((e) => [e.type, e.message])).toEqual([["turn_failed", "agent binary not found"]]);
    expect(h.log.find("warn", "agent stderr")).toHaveLength(1);
  });

  test("arm 5: a process killed by a signal it did not get from us is turn_cancelled", async () => {
    const h = harness();
    const out = outcomeOf(await h.run([writeFakeCli(dir, "agent", { after: "kill -9 $$" })]));
    expect(out.result.exitReason).toBe("turn_cancelled");
    expect(out.error?.message).toBe("killed by signal");
    expect(h.events.map((e) => [e.type, e.message])).toEqual([["turn_cancelled", "killed by signal"]]);
  });

  test("cancelling an agent that ignores SIGTERM kills its whole process group", async () => {
    const h = harness();
    const ctl = new AbortController();
    const running = h.run(["/bin/sh", STUBBORN], ctl.signal);
    while (h.lines.length === 0) await Bun.sleep(10);
    const pids = readFileSync(join(dir, "pids"), "utf8").trim().split("\n").map(Number);
    expect(pids).toHaveLength(3);
    const pgid = h.pgids[0] ?? 0;
    expect(livingGroupMembers(pgid).length).toBeGreaterThanOrEqual(4);
    ctl.abort();
    const out = outcomeOf(await running);
    expect(out.result.exitReason).toBe("turn_cancelled");
    await groupGone(pgid);
    for (const pid of pids) await processGone(pid);
    expect(h.groups.size).toBe(0);
  });

  test("grandchildren that keep stdout open are swept when the leader exits", async () => {
    const h = harness();
    const cli = writeFakeCli(dir, "agent", { stdout: "line\n", after: "sleep 1000 &\necho $! > grandchild" });
    const out = outcomeOf(await h.run([cli]));
    expect(out.result.exitReason).toBe("turn_completed");
    const grandchild = Number(readFileSync(join(dir, "grandchild"), "utf8"));
    await processGone(grandchild);
  });

  test("a grandchild that left the process group cannot keep the turn open through inherited pipes", async () => {
    const h = harness();
    const cli = writeFakeCli(dir, "agent", {
      stdout: "line\n",
      after: "setsid sleep 1000 &\necho $! > escaped",
    });
    let escaped = 0;
    try {
      const out = outcomeOf(await h.run([cli]));
      escaped = Number(readFileSync(join(dir, "escaped"), "utf8"));
      expect(out.result.exitReason).toBe("turn_completed");
      expect(h.lines).toEqual(["line"]);
    } finally {
      escaped ||= Number(readFileSync(join(dir, "escaped"), "utf8"));
      if (escaped > 0) process.kill(escaped, "SIGKILL");
    }
  });

  test("killing the registered groups at shutdown ends a running turn", async () => {
    const h = harness();
    const running = h.run(["/bin/sh", STUBBORN]);
    while (h.lines.length === 0) await Bun.sleep(10);
    h.groups.killAll();
    const out = outcomeOf(await running);
    expect(out.error?.message).toBe("killed by signal");
    await groupGone(h.pgids[0] ?? 0);
  });
});
