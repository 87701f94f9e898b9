import { describe, expect, test } from "bun:test";
import { ClaudeCodeAdapter } from "../../../src/agents/claude-code/index.ts";
import { MockAdapter } from "../../../src/agents/mock/index.ts";
import { AGENT_KINDS, createAgentAdapter, lookupAgentKind } from "../../../src/agents/registry.ts";
import { SortieError } from "../../../src/domain/errors.ts";
import { recordingLogger } from "../../fakes/agent-cli/recording-logger.ts";

const deps = { logger: recordingLogger().logger, baseEnv: {} };
const config = (kind: string) => ({
  kind,
  command: "",
  turnTimeoutMs: 1,
  readTimeoutMs: 1,
  stallTimeoutMs: 1,
  options: {},
});

describe("agent registry", () => {
  test("lists the registered kinds sorted", () => {
    expect(AGENT_KINDS).toEqual(["claude-code", "codex", "copilot-cli", "mock", "opencode"]);
  });

  test("describes each kind's command requirements", () => {
    expect(lookupAgentKind("claude-code")).toMatchObject({ requiresCommand: true, defaultCommand: "claude" });
    expect(lookupAgentKind("mock")).toMatchObject({ requiresCommand: false, defaultCommand: "" });
    expect(lookupAgentKind("toString")).toBeUndefined();
    expect(lookupAgentKind("codex-typo")).toBeUndefined();
  });

  test("creates the adapter of a kind and rejects unknown kinds", () => {
    expect(createAgentAdapter(config("claude-code"), deps)).toBeInstanceOf(ClaudeCodeAdapter);
    expect(lookupAgentKind("mock")?.create(config("mock"), deps)).toBeInstanceOf(MockAdapter);
    expect(() => createAgentAdapter(config("nope"), deps)).toThrow(SortieError);
  });
});
