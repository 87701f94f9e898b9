import { describe, expect, test } from "bun:test";
import { ENV_OVERRIDES } from "../../../src/config/env.ts";
import { type RecordedLog, recordingLogger } from "../../../src/config/logger.ts";
import { buildYaml, expectConfig, expectIssues, issueTexts } from "./helpers.ts";

describe("SORTIE_* overrides", () => {
  test("there are exactly 24, each mapping one variable to one field", () => {
    expect(ENV_OVERRIDES).toHaveLength(24);
    expect(new Set(ENV_OVERRIDES.map((o) => o.variable)).size).toBe(24);
    expect(ENV_OVERRIDES.every((o) => o.variable.startsWith("SORTIE_"))).toBe(true);
  });

  test("every override reaches its field with its coercion", () => {
    const env = {
      SORTIE_TRACKER_KIND: "jira",
      SORTIE_TRACKER_ENDPOINT: "https://e",
      SORTIE_TRACKER_API_KEY: "key",
      SORTIE_TRACKER_PROJECT: "PROJ",
      SORTIE_TRACKER_ACTIVE_STATES: " To Do , In Progress ,, ",
      SORTIE_TRACKER_TERMINAL_STATES: "Done",
      SORTIE_TRACKER_QUERY_FILTER: "labels = x",
      SORTIE_TRACKER_HANDOFF_STATE: "Review",
      SORTIE_TRACKER_IN_PROGRESS_STATE: "In Progress",
      SORTIE_TRACKER_COMMENTS_ON_DISPATCH: " TRUE ",
      SORTIE_TRACKER_COMMENTS_ON_COMPLETION: "1",
      SORTIE_TRACKER_COMMENTS_ON_FAILURE: "0",
      SORTIE_POLLING_INTERVAL_MS: " 45000 ",
      SORTIE_WORKSPACE_ROOT: "/ws",
      SORTIE_AGENT_KIND: "mock",
      SORTIE_AGENT_COMMAND: "run-agent --fast",
      SORTIE_AGENT_TURN_TIMEOUT_MS: "1",
      SORTIE_AGENT_READ_TIMEOUT_MS: "2",
      SORTIE_AGENT_STALL_TIMEOUT_MS: "3",
      SORTIE_AGENT_MAX_CONCURRENT_AGENTS: "4",
      SORTIE_AGENT_MAX_TURNS: "5",
      SORTIE_AGENT_MAX_RETRY_BACKOFF_MS: "6",
      SORTIE_AGENT_MAX_SESSIONS: "7",
      SORTIE_DB_PATH: "/db/x.db",
    };
    const config = expectConfig(buildYaml("{}", { env }));
    expect(config.tracker.kind).toBe("jira");
    expect(config.tracker.endpoint).toBe("https://e");
    expect(config.tracker.apiKey.reveal()).toBe("key");
    expect(config.tracker.project).toBe("PROJ");
    expect(config.tracker.activeStates).toEqual(["To Do", "In Progress"]);
    expect(config.tracker.terminalStates).toEqual(["Done"]);
    expect(config.tracker.queryFilter).toBe("labels = x");
    expect(config.tracker.handoffState).toBe("Review");
    expect(config.tracker.inProgressState).toBe("In Progress");
    expect(config.tracker.comments).toEqual({ onDispatch: true, onCompletion: true, onFailure: false });
    expect(config.polling.intervalMs).toBe(45_000);
    expect(config.workspace.root).toBe("/ws");
    expect(config.agent).toMatchObject({
      kind: "mock",
      command: "run-agent --fast",
      turnTimeoutMs: 1,
      readTimeoutMs: 2,
      stallTimeoutMs: 3,
      maxConcurrentAgents: 4,
      maxTurns: 5,
      maxRetryBackoffMs: 6,
      maxSessions: 7,
    });
    expect(config.dbPath).toBe("/db/x.db");
  });

  test("precedence: real env > .env file > YAML > default; empty values count as unset", () => {
    const yaml = "polling: {interval_ms: 1000}";
    const dotenv = { SORTIE_POLLING_INTERVAL_MS: "2000" };
    expect(expectConfig(buildYaml(yaml)).polling.intervalMs).toBe(1000);
    expect(expectConfig(buildYaml(yaml, { dotenv })).polling.intervalMs).toBe(2000);
    expect(
      expectConfig(buildYaml(yaml, { dotenv, env: { SORTIE_POLLING_INTERVAL_MS: "3000" } })).polling
        .intervalMs,
    ).toBe(3000);
    expect(
      expectConfig(buildYaml(yaml, { dotenv, env: { SORTIE_POLLING_INTERVAL_MS: "" } })).polling.intervalMs,
    ).toBe(2000);
    expect(
      expectConfig(buildYaml(yaml, { dotenv: { SORTIE_POLLING_INTERVAL_MS: "" } })).polling.intervalMs,
    ).toBe(1000);
  });

  test("an override of 0 still means default; a csv of only separators empties the list", () => {
    const config = expectConfig(
      buildYaml("tracker: {active_states: [a], terminal_states: [b]}", {
        env: { SORTIE_AGENT_MAX_TURNS: "0", SORTIE_TRACKER_ACTIVE_STATES: " , " },
      }),
    );
    expect(config.agent.maxTurns).toBe(20);
    expect(config.tracker.activeStates).toEqual([]);
  });

  test("coercion errors name the variable, are not positioned and are all reported in table order", () => {
    const result = buildYaml("polling:\n  interval_ms: 5\n", {
      env: {
        SORTIE_AGENT_MAX_TURNS: "lots",
        SORTIE_POLLING_INTERVAL_MS: "abc",
        SORTIE_TRACKER_COMMENTS_ON_FAILURE: "yes",
      },
    });
    expect(expectIssues(result)).toEqual([
      {
        field: "tracker.comments.on_failure",
        message:
          "invalid boolean value: yes (expected true/false/1/0) (from SORTIE_TRACKER_COMMENTS_ON_FAILURE)",
      },
      {
        field: "polling.interval_ms",
        message: "invalid integer value: abc (from SORTIE_POLLING_INTERVAL_MS)",
      },
      { field: "agent.max_turns", message: "invalid integer value: lots (from SORTIE_AGENT_MAX_TURNS)" },
    ]);
  });

  test("a failed override is not checked again from the YAML", () => {
    expect(
      issueTexts(buildYaml("agent:\n  max_turns: also-bad", { env: { SORTIE_AGENT_MAX_TURNS: "x" } })),
    ).toEqual(["agent.max_turns: invalid integer value: x (from SORTIE_AGENT_MAX_TURNS)"]);
  });

  test("a value from the environment has no file position even when the YAML had one", () => {
    const issues = expectIssues(
      buildYaml("agent:\n  max_sessions: 1", { env: { SORTIE_AGENT_MAX_SESSIONS: "-4" } }),
    );
    expect(issues).toEqual([{ field: "agent.max_sessions", message: "must be non-negative" }]);
  });

  test("overridden values are literal: no $VAR expansion, but ~ still expands for paths", () => {
    const env = {
      TOKEN: "secret",
      SORTIE_TRACKER_API_KEY: "tok$5abc",
      SORTIE_TRACKER_PROJECT: "$TOKEN",
      SORTIE_WORKSPACE_ROOT: "~/ws/$TOKEN",
      SORTIE_DB_PATH: "~/db/$TOKEN.db",
    };
    const config = expectConfig(buildYaml("{}", { env }));
    expect(config.tracker.apiKey.reveal()).toBe("tok$5abc");
    expect(config.tracker.project).toBe("$TOKEN");
    expect(config.workspace.root).toBe("/home/tester/ws/$TOKEN");
    expect(config.dbPath).toBe("/home/tester/db/$TOKEN.db");
  });

  test("overrides create missing sections; a non-map section is replaced with a warning", () => {
    const records: RecordedLog[] = [];
    const config = expectConfig(
      buildYaml("tracker: just-text\nagent: {command: x}", {
        env: { SORTIE_TRACKER_COMMENTS_ON_DISPATCH: "true", SORTIE_AGENT_KIND: "mock" },
        logger: recordingLogger(records),
      }),
    );
    expect(config.tracker.comments.onDispatch).toBe(true);
    expect(config.agent).toMatchObject({ kind: "mock", command: "x" });
    expect(records.filter((r) => r.level === "warn")).toEqual([
      {
        level: "warn",
        message: "env override replaced non-map YAML section",
        properties: { section: "tracker", yaml_type: "string" },
      },
    ]);
    expect(records.filter((r) => r.level === "debug").map((r) => r.properties.var)).toEqual([
      "SORTIE_TRACKER_COMMENTS_ON_DISPATCH",
      "SORTIE_AGENT_KIND",
    ]);
    expect(JSON.stringify(records)).not.toContain("mock");
  });

  test("the post-override raw map and the overridden field set are returned", () => {
    const result = buildYaml("tracker: {kind: jira}", { env: { SORTIE_TRACKER_KIND: "github" } });
    expect(result.raw.tracker).toEqual({ kind: "github" });
    expect([...result.overridden]).toEqual(["tracker.kind"]);
  });
});
