// Replays the recorded real-CLI run (`codex exec --json`, two turns on one thread) through the
// adapter, translated to the app-server traffic the same turns produce.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { translateExecTranscript } from "../../../fakes/codex-app-server/exec-transcript.ts";
import { makeAdapter, runTurn, startParams, useHarness } from "../../../fakes/codex-app-server/harness.ts";
import { fixtureLines } from "../../../fakes/codex-app-server/scenario.ts";

const TRANSCRIPT = readFileSync(
  resolve(import.meta.dir, "../../../fixtures/real-cli/codex-transcript.jsonl"),
  "utf8",
);

const h = useHarness();

const handshake = {
  initialize: [fixtureLines("initialize_response.jsonl")],
  "account/read": [['{"id":0,"result":{"account":null,"requiresOpenaiAuth":false}}']],
};

describe("the recorded codex run replayed through the adapter", () => {
  const run = translateExecTranscript(TRANSCRIPT);

  test("the translation finds one thread and two turns with the recorded usage", () => {
    expect(run.threadId).toBe("01a21765-9bbf-7742-9c93-6b571972f1fc");
    expect(run.turns.map((t) => t.usage)).toEqual([
      { input: 20247, cachedInput: 0, cacheWrite: 0, output: 88 },
      { input: 40898, cachedInput: 0, cacheWrite: 0, output: 176 },
    ]);
  });

  test("two turns on one session: shell tool results, agent text, thread totals as session usage", async () => {
    const { adapter } = makeAdapter(h, {
      replies: {
        ...handshake,
        "thread/start": [
          [
            JSON.stringify({ id: 0, result: { thread: { id: run.threadId }, model: "fake-model" } }),
            JSON.stringify({ method: "thread/started", params: { thread: { id: run.threadId } } }),
          ],
        ],
        "turn/start": run.turns.map((t) => t.script),
      },
    });
    const session = await adapter.startSession(startParams(h), new AbortController().signal);
    expect(session.id).toBe(run.threadId);

    const first = await runTurn(adapter, session);
    expect(first.events.map((e) => e.type)).toEqual([
      "notification",
      "session_started",
      "notification",
      "tool_result",
      "notification",
      "token_usage",
      "turn_completed",
    ]);
    expect(first.events[0]?.message).toStartWith("Model metadata for `fake-model` not found.");
    expect(first.events[3]).toMatchObject({
      toolName: "/bin/bash -lc 'echo again > again.txt'",
      toolError: false,
    });
    expect(first.events[4]?.message).toStartWith("Done. Tool said: Chunk ID: fdfe2f");
    expect(first.events[5]).toMatchObject({ model: "fake-model", requests: 1 });
    expect(first.outcome.result.usage).toEqual({
      inputTokens: 20247,
      outputTokens: 88,
      totalTokens: 20335,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: null,
    });

    const second = await runTurn(adapter, session, { turnNumber: 2 });
    expect(second.events.find((e) => e.type === "tool_result")?.toolName).toBe(
      "/bin/bash -lc 'cat again.txt'",
    );
    expect(second.outcome.result).toMatchObject({
      sessionId: run.threadId,
      exitReason: "turn_completed",
      usage: { inputTokens: 40898, outputTokens: 176, totalTokens: 41074 },
    });
  });

  test("a later run resuming the thread counts only its own turn", async () => {
    const [turn1, turn2] = run.turns;
    const { adapter } = makeAdapter(h, {
      replies: {
        ...handshake,
        "thread/resume": [
          [
            JSON.stringify({ id: 0, result: { thread: { id: run.threadId } } }),
            turn1?.totalsNotification ?? "",
          ],
        ],
        "turn/start": [turn2?.script ?? []],
      },
    });
    const session = await adapter.startSession(
      startParams(h, { resumeSessionId: run.threadId }),
      new AbortController().signal,
    );
    const { outcome } = await runTurn(adapter, session);
    expect(outcome.result.usage).toMatchObject({ inputTokens: 40898 - 20247, outputTokens: 176 - 88 });
  });
});
