import { describe, expect, test } from "bun:test";
import { buildExportArgs, buildRunArgs } from "../../../../src/agents/opencode/command.ts";
import { openCodeEnv } from "../../../../src/agents/opencode/env.ts";
import { OPENCODE_PERMISSION_KEYS, permissionPolicy } from "../../../../src/agents/opencode/permission.ts";
import { openCodeSettings, startupTimeout } from "../../../../src/agents/opencode/settings.ts";
import { SortieError } from "../../../../src/domain/errors.ts";
import { recordingLogger } from "../../../fakes/agent-cli/recording-logger.ts";

const turn = { workspace: "/ws/PROJ-1", sessionId: "", prompt: "do it" };

describe("opencode command lines", () => {
  test("defaults: JSON events, the workspace, permissions skipped, the prompt after --", () => {
    expect(buildRunArgs(openCodeSettings({}), turn)).toEqual([
      "run",
      "--format",
      "json",
      "--dir",
      "/ws/PROJ-1",
      "--dangerously-skip-permissions",
      "--",
      "do it",
    ]);
  });

  test("every option in its fixed order, with a session to continue", () => {
    const settings = openCodeSettings({
      model: "anthropic/claude-sonnet-4-5",
      agent: "build",
      variant: "high",
      thinking: true,
      pure: true,
      dangerously_skip_permissions: false,
    });
    expect(buildRunArgs(settings, { ...turn, sessionId: "ses_1", prompt: "-x --help" })).toEqual([
      "run",
      "--format",
      "json",
      "--dir",
      "/ws/PROJ-1",
      "--session",
      "ses_1",
      "--model",
      "anthropic/claude-sonnet-4-5",
      "--agent",
      "build",
      "--variant",
      "high",
      "--thinking",
      "--pure",
      "--",
      "-x --help",
    ]);
  });

  test("the usage export", () => {
    expect(buildExportArgs("ses_1")).toEqual(["export", "--sanitize", "ses_1"]);
  });
});

describe("opencode settings", () => {
  test("defaults, and wrong types fall back to them", () => {
    expect(openCodeSettings({})).toEqual({
      model: "",
      agent: "",
      variant: "",
      thinking: false,
      pure: false,
      dangerouslySkipPermissions: true,
      disableAutocompact: true,
      allowedTools: [],
      deniedTools: [],
      startupTimeoutMs: 0,
      envPassthrough: [],
    });
    expect(
      openCodeSettings({
        thinking: "yes",
        dangerously_skip_permissions: 0,
        allowed_tools: "read",
        denied_tools: ["bash", 1],
      }),
    ).toMatchObject({
      thinking: false,
      dangerouslySkipPermissions: true,
      allowedTools: [],
      deniedTools: ["bash"],
    });
  });

  test("the wait for the first JSON line: startup_timeout_ms, else read_timeout_ms but at least 30 s", () => {
    expect(startupTimeout(openCodeSettings({ startup_timeout_ms: 1500 }), 5000)).toBe(1500);
    expect(startupTimeout(openCodeSettings({}), 5000)).toBe(30_000);
    expect(startupTimeout(openCodeSettings({ startup_timeout_ms: -1 }), 0)).toBe(30_000);
    expect(startupTimeout(openCodeSettings({}), 90_000)).toBe(90_000);
  });

  test("a tool both allowed and denied is a configuration error naming the sorted overlap", () => {
    let err: unknown;
    try {
      openCodeSettings({
        allowed_tools: ["read", "edit", "bash"],
        denied_tools: ["edit", "bash", "webfetch"],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SortieError);
    expect((err as SortieError).kind).toBe("config_error");
    expect((err as SortieError).message).toBe("allowed_tools and denied_tools overlap: bash, edit");
  });
});

describe("opencode permission policy", () => {
  test("no lists, no policy", () => {
    expect(permissionPolicy([], [])).toBeUndefined();
  });

  test("an allow list denies every other known tool; keys are sorted", () => {
    const policy = permissionPolicy(["read", "edit"], []);
    const expected: Record<string, string> = {};
    for (const key of [...OPENCODE_PERMISSION_KEYS].sort()) {
      expected[key] = key === "read" || key === "edit" ? "allow" : "deny";
    }
    expect(policy).toBe(JSON.stringify(expected));
    expect(policy?.startsWith('{"bash":"deny","codesearch":"deny","doom_loop":"deny","edit":"allow",')).toBe(
      true,
    );
  });

  test("a deny list denies only what it names", () => {
    expect(permissionPolicy([], ["webfetch", "bash"])).toBe('{"bash":"deny","webfetch":"deny"}');
  });

  test("both lists: allowed, every other known tool denied, named denials", () => {
    const policy = JSON.parse(permissionPolicy(["read"], ["bash"]) ?? "{}");
    expect(policy.read).toBe("allow");
    expect(policy.bash).toBe("deny");
    expect(policy.grep).toBe("deny");
  });

  test("unknown keys pass through with a debug log", () => {
    const log = recordingLogger();
    expect(permissionPolicy(["mcp_tracker"], [], log.logger)).toContain('"mcp_tracker":"allow"');
    expect(log.find("debug", "unknown opencode permission key passed through")[0]?.properties).toEqual({
      key: "mcp_tracker",
    });
  });
});

describe("opencode environment", () => {
  const base = {
    PATH: "/usr/bin",
    OPENCODE_AUTO_SHARE: "true",
    OPENCODE_DISABLE_AUTOUPDATE: "false",
    OPENCODE_PERMISSION: '{"bash":"allow"}',
    OPENCODE_CONFIG: "/etc/opencode.json",
    SORTIE_DB_PATH: "/data/sortie.db",
  };

  test("managed variables replace inherited ones; an inherited policy is dropped when sortie sets none", () => {
    const env = openCodeEnv({
      baseEnv: base,
      passthrough: [],
      sessionEnv: { SORTIE_ISSUE_ID: "1", HOME: "/data/agent-home" },
      disableAutocompact: true,
      permission: undefined,
    });
    expect(env).toEqual({
      PATH: "/usr/bin",
      OPENCODE_CONFIG: "/etc/opencode.json",
      SORTIE_ISSUE_ID: "1",
      HOME: "/data/agent-home",
      OPENCODE_AUTO_SHARE: "false",
      OPENCODE_DISABLE_AUTOCOMPACT: "true",
      OPENCODE_DISABLE_AUTOUPDATE: "true",
      OPENCODE_DISABLE_LSP_DOWNLOAD: "true",
    });
  });

  test("sortie's policy and auto-compaction setting win", () => {
    const env = openCodeEnv({
      baseEnv: base,
      passthrough: ["SORTIE_DB_PATH"],
      sessionEnv: {},
      disableAutocompact: false,
      permission: '{"read":"allow"}',
    });
    expect(env.OPENCODE_PERMISSION).toBe('{"read":"allow"}');
    expect(env.OPENCODE_DISABLE_AUTOCOMPACT).toBe("false");
    expect(env.SORTIE_DB_PATH).toBe("/data/sortie.db");
  });
});
