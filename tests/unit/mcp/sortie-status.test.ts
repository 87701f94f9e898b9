import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSortieStatus, sortieStatusTool } from "../../../src/mcp/index.ts";
import { writeStateJson } from "../../../src/workspace/index.ts";

let workspace: string;

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), "sortie-mcp-status-"));
});

afterEach(() => {
  rmSync(workspace, { recursive: true, force: true });
});

const STARTED = Date.parse("2025-03-01T10:00:00.000Z");

function writeRaw(text: string): void {
  mkdirSync(join(workspace, ".sortie"), { recursive: true });
  writeFileSync(join(workspace, ".sortie", "state.json"), text);
}

describe("sortie_status", () => {
  test("reports turns, turns left, attempt, duration in seconds with millisecond precision, tokens", async () => {
    mkdirSync(join(workspace, ".sortie"));
    await writeStateJson(workspace, {
      turnNumber: 2,
      maxTurns: 5,
      attempt: 1,
      startedAt: new Date(STARTED),
      inputTokens: 1200,
      outputTokens: 80,
      totalTokens: 1280,
      cacheReadTokens: 300,
    });
    const status = await readSortieStatus({ workspace, now: () => STARTED + 90_123.6 });
    expect(status).toEqual({
      turn_number: 2,
      max_turns: 5,
      turns_remaining: 3,
      attempt: 1,
      session_duration_seconds: 90.124,
      tokens: { input_tokens: 1200, output_tokens: 80, total_tokens: 1280, cache_read_tokens: 300 },
    });
  });

  test("turns remaining never go below zero and a first dispatch has a null attempt", async () => {
    writeRaw(
      JSON.stringify({ turn_number: 7, max_turns: 5, attempt: null, started_at: "2025-03-01T10:00:00Z" }),
    );
    const status = await readSortieStatus({ workspace, now: () => STARTED });
    expect(status).toMatchObject({ turns_remaining: 0, attempt: null, session_duration_seconds: 0 });
  });

  test.each([
    ["no state file", () => {}, "state file unavailable: no such file"],
    ["an oversized file", () => writeRaw(`{"pad":"${"x".repeat(5000)}"}`), "state file exceeds size limit"],
    [
      "a symlinked file",
      () => {
        mkdirSync(join(workspace, ".sortie"));
        writeFileSync(join(workspace, "elsewhere.json"), "{}");
        symlinkSync(join(workspace, "elsewhere.json"), join(workspace, ".sortie", "state.json"));
      },
      "state file is a symlink",
    ],
    ["invalid JSON", () => writeRaw("{nope"), "state file malformed: "],
    [
      "a bad started_at",
      () => writeRaw('{"turn_number":1,"started_at":"yesterday"}'),
      'state file has invalid started_at: "yesterday"',
    ],
  ])("%s is answered as an error object, not thrown", async (_label, setup, message) => {
    setup();
    const status = (await readSortieStatus({ workspace })) as { error: string };
    expect(Object.keys(status)).toEqual(["error"]);
    expect(status.error).toStartWith(message);
  });

  test("the tool takes no input and answers through call()", async () => {
    const tool = sortieStatusTool({ workspace });
    expect(tool.name).toBe("sortie_status");
    expect(tool.inputSchema).toEqual({ type: "object", properties: {}, additionalProperties: false });
    expect(await tool.call({}, new AbortController().signal)).toEqual({
      error: "state file unavailable: no such file",
    });
  });
});
