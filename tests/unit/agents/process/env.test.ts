import { describe, expect, test } from "bun:test";
import { composeAgentEnv } from "../../../../src/agents/process/env.ts";

describe("composeAgentEnv", () => {
  const baseEnv = {
    PATH: "/usr/bin",
    HOME: "/home/sortie",
    ANTHROPIC_API_KEY: "sk-test",
    SORTIE_JIRA_API_KEY: "secret",
    SORTIE_DB_PATH: "/data/sortie.db",
    SORTIE_CUSTOM: "pass me",
  };

  test("strips every SORTIE_* variable of sortie's own environment and keeps the rest", () => {
    const env = composeAgentEnv({ baseEnv });
    expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/sortie", ANTHROPIC_API_KEY: "sk-test" });
  });

  test("lets through the SORTIE_* names listed in env_passthrough", () => {
    const env = composeAgentEnv({ baseEnv, passthrough: ["SORTIE_CUSTOM", "SORTIE_ABSENT"] });
    expect(env.SORTIE_CUSTOM).toBe("pass me");
    expect(env.SORTIE_JIRA_API_KEY).toBeUndefined();
    expect("SORTIE_ABSENT" in env).toBe(false);
  });

  test("adds the per-session variables and a redirected HOME, then the adapter overrides", () => {
    const env = composeAgentEnv({
      baseEnv,
      sessionEnv: {
        SORTIE_ISSUE_ID: "10001",
        SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
        SORTIE_WORKSPACE: "/ws/PROJ-1",
        SORTIE_ATTEMPT: "2",
        HOME: "/data/agent-home",
      },
      overrides: { PATH: "/opt/bin" },
    });
    expect(env).toMatchObject({
      SORTIE_ISSUE_ID: "10001",
      SORTIE_ISSUE_IDENTIFIER: "PROJ-1",
      SORTIE_WORKSPACE: "/ws/PROJ-1",
      SORTIE_ATTEMPT: "2",
      HOME: "/data/agent-home",
      PATH: "/opt/bin",
    });
    expect(env.SORTIE_DB_PATH).toBeUndefined();
  });

  test("skips undefined values of the snapshot", () => {
    expect(composeAgentEnv({ baseEnv: { A: undefined, B: "b" } })).toEqual({ B: "b" });
  });
});
