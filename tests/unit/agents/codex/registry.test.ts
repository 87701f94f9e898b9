import { describe, expect, test } from "bun:test";
import { CodexAdapter } from "../../../../src/agents/codex/index.ts";
import { AGENT_KINDS, createAgentAdapter, lookupAgentKind } from "../../../../src/agents/registry.ts";
import { recordingLogger } from "../../../fakes/agent-cli/recording-logger.ts";

describe("codex in the agent registry", () => {
  test("kind codex requires a command, falls back to `codex app-server` and builds the codex adapter", () => {
    expect(AGENT_KINDS).toContain("codex");
    expect(lookupAgentKind("codex")).toMatchObject({
      requiresCommand: true,
      defaultCommand: "codex app-server",
    });
    const adapter = createAgentAdapter(
      {
        kind: "codex",
        command: "codex app-server",
        turnTimeoutMs: 1,
        readTimeoutMs: 1,
        stallTimeoutMs: 1,
        options: {},
      },
      { logger: recordingLogger().logger, baseEnv: {} },
    );
    expect(adapter).toBeInstanceOf(CodexAdapter);
  });
});
