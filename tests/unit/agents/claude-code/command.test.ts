import { describe, expect, test } from "bun:test";
import { buildClaudeArgs } from "../../../../src/agents/claude-code/command.ts";
import { claudeSettings } from "../../../../src/agents/claude-code/settings.ts";

const turn = { prompt: "do it", sessionId: "sid-1", newSession: true, mcpConfigPath: "" };

describe("claude command line", () => {
  test("defaults: print mode, stream-json, skip permissions, a fixed session id", () => {
    expect(buildClaudeArgs(claudeSettings({}), turn)).toEqual([
      "-p",
      "do it",
      "--output-format",
      "stream-json",
      "--verbose",
      "--dangerously-skip-permissions",
      "--session-id",
      "sid-1",
    ]);
  });

  test("every option in its fixed order", () => {
    const settings = claudeSettings({
      permission_mode: "acceptEdits",
      model: "claude-sonnet-4",
      fallback_model: "claude-haiku-4",
      max_turns: 7,
      max_budget_usd: 2.5,
      effort: "high",
      allowed_tools: "Bash,Write,Edit,Read",
      disallowed_tools: "WebFetch",
      system_prompt: "Be brief.",
      mcp_config: "/etc/mcp.json",
      session_persistence: false,
    });
    expect(buildClaudeArgs(settings, { ...turn, newSession: false })).toEqual([
      "-p",
      "do it",
      "--output-format",
      "stream-json",
      "--verbose",
      "--permission-mode",
      "acceptEdits",
      "--resume",
      "sid-1",
      "--model",
      "claude-sonnet-4",
      "--fallback-model",
      "claude-haiku-4",
      "--max-turns",
      "7",
      "--max-budget-usd",
      "2.5",
      "--effort",
      "high",
      "--allowedTools",
      "Bash,Write,Edit,Read",
      "--disallowedTools",
      "WebFetch",
      "--append-system-prompt",
      "Be brief.",
      "--mcp-config",
      "/etc/mcp.json",
      "--no-session-persistence",
    ]);
  });

  test("the generated MCP config wins over the operator's mcp_config", () => {
    const args = buildClaudeArgs(claudeSettings({ mcp_config: "/etc/mcp.json" }), {
      ...turn,
      mcpConfigPath: "/ws/.sortie/mcp.json",
    });
    expect(args.slice(-2)).toEqual(["--mcp-config", "/ws/.sortie/mcp.json"]);
    expect(args).not.toContain("/etc/mcp.json");
  });

  test("whole-number budgets print without decimals; zero limits are left out", () => {
    expect(buildClaudeArgs(claudeSettings({ max_budget_usd: 5 }), turn)).toContain("5");
    const args = buildClaudeArgs(claudeSettings({ max_turns: 0, max_budget_usd: 0 }), turn);
    expect(args).not.toContain("--max-turns");
    expect(args).not.toContain("--max-budget-usd");
  });

  test("options of the wrong type fall back to their defaults", () => {
    const settings = claudeSettings({
      permission_mode: 3,
      max_turns: 2.5,
      max_budget_usd: "9",
      session_persistence: "false",
      env_passthrough: ["SORTIE_A", 7, "SORTIE_B"],
    });
    expect(settings).toMatchObject({
      permissionMode: "",
      maxTurns: 0,
      maxBudgetUsd: 0,
      sessionPersistence: true,
      envPassthrough: ["SORTIE_A", "SORTIE_B"],
    });
  });

  test("a prompt starting with a dash stays a positional argument", () => {
    expect(buildClaudeArgs(claudeSettings({}), { ...turn, prompt: "--x" })[1]).toBe("\n--x");
  });
});
