import { describe, expect, test } from "bun:test";
import { attemptValue, buildHookEnv, issueSessionEnv } from "../../../src/workspace/env.ts";

const parentEnv = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/sortie",
  SHELL: "/bin/bash",
  LANG: "C.UTF-8",
  SSH_AUTH_SOCK: "/run/agent.sock",
  ANTHROPIC_API_KEY: "sk-should-not-leak",
  AWS_SECRET_ACCESS_KEY: "nope",
  LD_PRELOAD: "/evil.so",
  SORTIE_JIRA_API_KEY: "jira-token",
  SORTIE_DB_PATH: "/data/sortie.db",
  SORTIE_ISSUE_ID: "stale-parent-value",
  UNSET: undefined,
};

const base = {
  parentEnv,
  issueId: "10042",
  issueIdentifier: "PROJ-42",
  workspace: "/ws/PROJ-42",
  attempt: 2,
};

describe("buildHookEnv", () => {
  test("passes the allowlist and every SORTIE_* variable, nothing else", () => {
    const env = buildHookEnv(base);
    expect(env).toEqual({
      PATH: "/usr/bin:/bin",
      HOME: "/home/sortie",
      SHELL: "/bin/bash",
      LANG: "C.UTF-8",
      SSH_AUTH_SOCK: "/run/agent.sock",
      SORTIE_JIRA_API_KEY: "jira-token",
      SORTIE_DB_PATH: "/data/sortie.db",
      SORTIE_ISSUE_ID: "10042",
      SORTIE_ISSUE_IDENTIFIER: "PROJ-42",
      SORTIE_WORKSPACE: "/ws/PROJ-42",
      SORTIE_ATTEMPT: "2",
    });
  });

  test("lets injected values win over parent SORTIE_* variables", () => {
    expect(buildHookEnv(base).SORTIE_ISSUE_ID).toBe("10042");
  });

  test("sets SORTIE_SSH_HOST only with an SSH host", () => {
    expect("SORTIE_SSH_HOST" in buildHookEnv(base)).toBe(false);
    expect("SORTIE_SSH_HOST" in buildHookEnv({ ...base, sshHost: "" })).toBe(false);
    expect(buildHookEnv({ ...base, sshHost: "worker-1" }).SORTIE_SSH_HOST).toBe("worker-1");
  });

  test("replaces HOME with the agent home when one is given", () => {
    expect(buildHookEnv({ ...base, agentHome: "/data/agent-home" }).HOME).toBe("/data/agent-home");
    expect(buildHookEnv({ ...base, agentHome: "" }).HOME).toBe("/home/sortie");
  });

  test("adds hook-specific extras last", () => {
    const env = buildHookEnv({ ...base, extra: { SORTIE_SELF_REVIEW_STATUS: "passed" } });
    expect(env.SORTIE_SELF_REVIEW_STATUS).toBe("passed");
  });
});

describe("attemptValue", () => {
  test.each([
    [null, "0"],
    [0, "0"],
    [3, "3"],
    [-1, "0"],
    [Number.NaN, "0"],
  ])("renders %p as %p", (attempt, text) => {
    expect(attemptValue(attempt)).toBe(text);
  });

  test("issueSessionEnv carries the four per-session variables", () => {
    expect(issueSessionEnv({ issueId: "1", issueIdentifier: "P-1", workspace: "/w", attempt: null })).toEqual(
      {
        SORTIE_ISSUE_ID: "1",
        SORTIE_ISSUE_IDENTIFIER: "P-1",
        SORTIE_WORKSPACE: "/w",
        SORTIE_ATTEMPT: "0",
      },
    );
  });
});
