// Replays a conversation recorded with the real codex 0.171.0 app-server (driven against the fake
// Responses API): an approval-gated shell command, then a call of sortie's dynamic tool.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DynamicTool } from "../../../../src/agents/codex/index.ts";
import { tokenUsage } from "../../../fakes/agent-cli/token-usage.ts";
import {
  clientReply,
  clientRequests,
  makeAdapter,
  runTurn,
  startParams,
  useHarness,
} from "../../../fakes/codex-app-server/harness.ts";
import { readRecordedSession } from "../../../fakes/codex-app-server/recorded-session.ts";

const recorded = readRecordedSession(
  readFileSync(resolve(import.meta.dir, "../../../fixtures/real-cli/codex-app-server-session.jsonl"), "utf8"),
);

const h = useHarness();

const TOOL_OUTPUT = '{"success":true,"data":{"state":"In Progress"}}';
const trackerApi: DynamicTool = {
  name: "tracker_api",
  description: "Read or change the issue in the tracker",
  inputSchema: { type: "object", properties: { op: { type: "string" } } },
  execute: async () => ({ success: true, output: TOOL_OUTPUT }),
};

const usage = (input: number, output: number, cacheRead: number) =>
  tokenUsage(input, output, cacheRead, 0, null);

describe("a recorded real codex app-server session replayed through the adapter", () => {
  test("sends what the recording's client sent and answers the server's requests the same way", async () => {
    const { adapter } = makeAdapter(h, recorded.scenario, {
      codexOptions: { approval_policy: "untrusted" },
      deps: { tools: [trackerApi] },
    });
    const session = await adapter.startSession(startParams(h), new AbortController().signal);
    const threadId = String((recorded.requests[3]?.params as { threadId?: string } | undefined)?.threadId);
    expect(session.id).toBe(threadId);

    const first = await runTurn(adapter, session, { prompt: "WRITE:notes.txt:hello from codex" });
    expect(first.outcome.error).toBeUndefined();
    expect(first.outcome.result).toEqual({
      sessionId: threadId,
      exitReason: "turn_completed",
      usage: usage(3000, 74, 400),
    });
    expect(first.events.find((e) => e.type === "approval_auto_approved")?.message).toBe(
      "approved command: /bin/bash -lc \"printf '%s\\\\n' 'hello from codex' > 'notes.txt'\"",
    );
    expect(first.events.filter((e) => e.type === "tool_result").map((e) => e.toolName)).toEqual([
      "/bin/bash -lc \"printf '%s\\\\n' 'hello from codex' > 'notes.txt'\"",
    ]);
    expect(first.events.filter((e) => e.type === "token_usage")).toHaveLength(2);

    const second = await runTurn(adapter, session, {
      prompt: 'TOOL:tracker_api:{"op":"get_state"}',
      turnNumber: 2,
    });
    expect(second.outcome.result).toEqual({
      sessionId: threadId,
      exitReason: "turn_completed",
      usage: usage(6000, 148, 800),
    });
    expect(
      second.events.filter((e) => e.type === "tool_result").map((e) => [e.toolName, e.toolError]),
    ).toEqual([["tracker_api", false]]);
    expect(second.events.some((e) => e.message === `Done. Tool said: ${TOOL_OUTPUT}`)).toBe(true);

    // Requests match the recording (apart from the workspace path).
    const sent = clientRequests(h).filter((r) => r.id !== undefined);
    expect(sent.map((r): unknown[] => [r.method, r.id])).toEqual(
      recorded.requests.map((r) => [r.method, r.id]),
    );
    const withoutCwd = (p: unknown) => {
      const { cwd: _cwd, sandboxPolicy: _s, ...rest } = (p ?? {}) as Record<string, unknown>;
      return rest;
    };
    for (const [i, r] of sent.entries())
      expect(withoutCwd(r.params)).toEqual(withoutCwd(recorded.requests[i]?.params));

    // The answers to the server's requests equal the recorded client's.
    for (const { reply } of recorded.replies) {
      expect(clientReply(h, reply.id as number)).toEqual(reply);
    }
  });
});
