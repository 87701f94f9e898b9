import { describe, expect, test } from "bun:test";
import {
  buildCopilotArgs,
  type CopilotTurnArgs,
  formatMcpConfig,
} from "../../../../src/agents/copilot-cli/command.ts";
import { copilotSettings } from "../../../../src/agents/copilot-cli/settings.ts";

const turn: CopilotTurnArgs = { prompt: "do it", resume: { kind: "none" }, mcpConfigPath: "" };
const HEAD = [
  "-p",
  "do it",
  "--output-format",
  "json",
  "-s",
  "--autopilot",
  "--no-ask-user",
  "--max-autopilot-continues",
];

describe("copilot command line", () => {
  test("defaults: non-interactive autopilot, 50 continues, every permission", () => {
    expect(buildCopilotArgs(copilotSettings({}), turn)).toEqual([...HEAD, "50", "--allow-all"]);
  });

  test("a known session id resumes it; a session whose id was never learned continues the latest", () => {
    const settings = copilotSettings({});
    expect(buildCopilotArgs(settings, { ...turn, resume: { kind: "resume", sessionId: "sid-1" } })).toEqual([
      ...HEAD,
      "50",
      "--resume",
      "sid-1",
      "--allow-all",
    ]);
    expect(buildCopilotArgs(settings, { ...turn, resume: { kind: "continue" } })).toEqual([
      ...HEAD,
      "50",
      "--continue",
      "--allow-all",
    ]);
  });

  test("every option in its fixed order; tool scoping replaces --allow-all", () => {
    const settings = copilotSettings({
      model: "gpt-5",
      max_autopilot_continues: 7,
      agent: "reviewer",
      allowed_tools: "shell(git:*)",
      denied_tools: "shell(git push)",
      available_tools: "bash,view",
      excluded_tools: "web_fetch",
      mcp_config: "/etc/copilot/mcp.json",
      disable_builtin_mcps: true,
      no_custom_instructions: true,
      experimental: true,
    });
    expect(buildCopilotArgs(settings, { ...turn, resume: { kind: "resume", sessionId: "s" } })).toEqual([
      ...HEAD,
      "7",
      "--resume",
      "s",
      "--model",
      "gpt-5",
      "--agent",
      "reviewer",
      "--allow-tool",
      "shell(git:*)",
      "--deny-tool",
      "shell(git push)",
      "--available-tools",
      "bash,view",
      "--excluded-tools",
      "web_fetch",
      "--additional-mcp-config",
      "@/etc/copilot/mcp.json",
      "--disable-builtin-mcps",
      "--no-custom-instructions",
      "--experimental",
    ]);
  });

  test("any single tool-scoping key drops --allow-all", () => {
    for (const key of ["allowed_tools", "denied_tools", "available_tools", "excluded_tools"]) {
      expect(buildCopilotArgs(copilotSettings({ [key]: "x" }), turn)).not.toContain("--allow-all");
    }
  });

  test("the generated MCP config wins over the operator's and is passed as @<path>", () => {
    const settings = copilotSettings({ mcp_config: '{"mcpServers":{}}' });
    expect(buildCopilotArgs(settings, { ...turn, mcpConfigPath: "/ws/.sortie/mcp.json" }).slice(-2)).toEqual([
      "--additional-mcp-config",
      "@/ws/.sortie/mcp.json",
    ]);
    expect(buildCopilotArgs(settings, turn).slice(-2)).toEqual([
      "--additional-mcp-config",
      '{"mcpServers":{}}',
    ]);
  });

  test("operator MCP values: inline JSON and @paths unchanged, bare paths get @, blanks are dropped", () => {
    expect(formatMcpConfig('  {"mcpServers":{}} ')).toBe('{"mcpServers":{}}');
    expect(formatMcpConfig("@/etc/mcp.json")).toBe("@/etc/mcp.json");
    expect(formatMcpConfig(" /etc/mcp.json ")).toBe("@/etc/mcp.json");
    expect(formatMcpConfig("   ")).toBe("");
    expect(buildCopilotArgs(copilotSettings({ mcp_config: "  " }), turn)).not.toContain(
      "--additional-mcp-config",
    );
  });

  test("a prompt that starts with a dash gets a leading newline", () => {
    expect(buildCopilotArgs(copilotSettings({}), { ...turn, prompt: "--help" })[1]).toBe("\n--help");
  });
});

describe("copilot settings", () => {
  test("a non-positive or fractional autopilot limit falls back to 50", () => {
    expect(copilotSettings({ max_autopilot_continues: 0 }).maxAutopilotContinues).toBe(50);
    expect(copilotSettings({ max_autopilot_continues: -3 }).maxAutopilotContinues).toBe(50);
    expect(copilotSettings({ max_autopilot_continues: 2.5 }).maxAutopilotContinues).toBe(50);
    expect(copilotSettings({ max_autopilot_continues: 12 }).maxAutopilotContinues).toBe(12);
  });

  test("values of the wrong type fall back to the defaults", () => {
    expect(
      copilotSettings({
        model: 5,
        experimental: "true",
        disable_builtin_mcps: 1,
        env_passthrough: ["SORTIE_A", 3, "SORTIE_B"],
      }),
    ).toMatchObject({
      model: "",
      experimental: false,
      disableBuiltinMcps: false,
      envPassthrough: ["SORTIE_A", "SORTIE_B"],
    });
  });
});
