import { describe, expect, test } from "bun:test";
import { eventEmitter } from "../../../../src/agents/events.ts";
import { finalizeOpenCodeTurn } from "../../../../src/agents/opencode/finalize.ts";
import { OpenCodeStreamParser } from "../../../../src/agents/opencode/parse.ts";
import type { ProcessEnd } from "../../../../src/agents/opencode/process.ts";
import { emptyUsage } from "../../../../src/agents/process/usage.ts";

function parser(lines: string[] = [], sessionId = "") {
  const p = new OpenCodeStreamParser({
    emit: eventEmitter(
      () => {},
      () => new Date(0),
      () => "",
    ),
    base: emptyUsage(),
    sessionId,
    announced: false,
    model: "",
  });
  for (const l of lines) p.handleLine(l);
  return p;
}

const exited = (exitCode: number, stderr: string[] = []): ProcessEnd => ({
  kind: "exited",
  exitCode,
  signalCode: null,
  stderr,
});
const context = { signal: new AbortController().signal, turnTimeoutMs: 1000, stopped: false, resumed: false };
const envelope = '{"type":"step_start","sessionID":"ses_1","part":{}}';

describe("opencode turn finalization", () => {
  test("the CLI's own error line (colours removed) explains an early exit", () => {
    const decision = finalizeOpenCodeTurn(
      parser(),
      exited(1, ["\u001b[91m\u001b[1mError: \u001b[0mModel not found: fake/nope", "    at resolve (x.ts:1)"]),
      context,
    );
    expect(decision.kind === "terminal" && decision.error?.toString()).toBe(
      "agent: port_exit: process exited before first opencode json event: Error: Model not found: fake/nope",
    );
  });

  test("only a resumed turn whose id is unknown restarts", () => {
    const stale = exited(1, ["Error: Session not found"]);
    expect(finalizeOpenCodeTurn(parser(), stale, { ...context, resumed: true })).toEqual({ kind: "restart" });
    expect(finalizeOpenCodeTurn(parser(), stale, context)).toMatchObject({ type: "turn_ended_with_error" });
    expect(finalizeOpenCodeTurn(parser([envelope]), stale, { ...context, resumed: true })).toMatchObject({
      type: "turn_ended_with_error",
      message: "opencode exited with code 1",
    });
  });

  test("an error envelope wins over cancellation; cancellation over the exit code", () => {
    const aborted = new AbortController();
    aborted.abort();
    const failed = parser([envelope, '{"type":"error","sessionID":"ses_1","error":{"name":"APIError"}}']);
    expect(finalizeOpenCodeTurn(failed, exited(0), { ...context, signal: aborted.signal })).toMatchObject({
      type: "turn_failed",
      message: undefined,
    });
    expect(
      finalizeOpenCodeTurn(parser([envelope]), exited(1), { ...context, signal: aborted.signal }),
    ).toMatchObject({
      type: "turn_cancelled",
      message: "context cancelled",
    });
  });

  test("a spawn failure is a response_error, a foreign kill a cancellation", () => {
    const spawn = finalizeOpenCodeTurn(
      parser(),
      { kind: "spawn_failed", error: new Error("EACCES") },
      context,
    );
    expect(spawn.kind === "terminal" && spawn.error?.toString()).toBe(
      "agent: response_error: start opencode subprocess: EACCES",
    );
    const killed = finalizeOpenCodeTurn(
      parser([envelope]),
      { kind: "exited", exitCode: null, signalCode: "SIGKILL", stderr: [] },
      context,
    );
    expect(killed).toMatchObject({ type: "turn_cancelled", message: "killed by signal" });
  });
});
