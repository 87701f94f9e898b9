import { describe, expect, test } from "bun:test";
import { Secret } from "../../../src/config/secret.ts";
import { buildYaml, expectConfig, expectIssues, issueTexts, WORKFLOW_PATH } from "./helpers.ts";

describe("defaults of an empty front matter", () => {
  test("every field has its documented default", () => {
    const config = expectConfig(buildYaml("{}"));
    expect(config.tracker).toEqual({
      kind: "",
      endpoint: "",
      apiKey: config.tracker.apiKey,
      project: "",
      activeStates: [],
      terminalStates: [],
      queryFilter: "",
      handoffState: null,
      inProgressState: null,
      comments: { onDispatch: false, onCompletion: false, onFailure: false },
    });
    expect(config.tracker.apiKey.reveal()).toBe("");
    expect(config.polling).toEqual({ intervalMs: 30_000 });
    expect(config.workspace).toEqual({ root: "/tmp/sortie_workspaces" });
    expect(config.hooks).toEqual({
      afterCreate: null,
      beforeRun: null,
      afterRun: null,
      beforeRemove: null,
      timeoutMs: 60_000,
    });
    expect(config.agent).toEqual({
      kind: "claude-code",
      command: "",
      turnTimeoutMs: 3_600_000,
      readTimeoutMs: 5_000,
      stallTimeoutMs: 300_000,
      maxConcurrentAgents: 10,
      maxTurns: 20,
      maxRetryBackoffMs: 300_000,
      maxConcurrentAgentsByState: {},
      maxSessions: 0,
      homeDir: "",
    });
    expect(config.dbPath).toBe("/srv/flows/.sortie.db");
    expect(config.ciFeedback).toEqual({
      kind: "",
      maxRetries: 2,
      maxLogLines: 50,
      escalation: "label",
      escalationLabel: "needs-human",
    });
    expect(config.selfReview).toEqual({
      enabled: false,
      maxIterations: 3,
      verificationCommands: [],
      verificationTimeoutMs: 120_000,
      maxDiffBytes: 102_400,
      reviewer: "same",
    });
    expect(config.reactions).toEqual({});
    expect(config.extensions).toEqual({});
  });

  test("explicit 0 means default for the zero-means-default integers", () => {
    const config = expectConfig(
      buildYaml(
        "polling: {interval_ms: 0}\nagent: {turn_timeout_ms: 0, read_timeout_ms: 0, max_concurrent_agents: 0, max_turns: 0, max_retry_backoff_ms: 0, max_sessions: 0}",
      ),
    );
    expect(config.polling.intervalMs).toBe(30_000);
    expect(config.agent.turnTimeoutMs).toBe(3_600_000);
    expect(config.agent.readTimeoutMs).toBe(5_000);
    expect(config.agent.maxConcurrentAgents).toBe(10);
    expect(config.agent.maxTurns).toBe(20);
    expect(config.agent.maxRetryBackoffMs).toBe(300_000);
    expect(config.agent.maxSessions).toBe(0);
  });

  test("null sections and non-map sections read as empty", () => {
    const config = expectConfig(buildYaml("tracker: ~\npolling: 5\nagent: [a]\nhooks: text"));
    expect(config.polling.intervalMs).toBe(30_000);
    expect(config.agent.kind).toBe("claude-code");
    expect(config.hooks.timeoutMs).toBe(60_000);
  });

  test("a section with a non-string key is treated as absent", () => {
    expect(expectConfig(buildYaml("agent:\n  1: x\n  max_turns: 5")).agent.maxTurns).toBe(20);
  });
});

describe("integer coercion", () => {
  const ok: [string, number][] = [
    ["7", 7],
    ["'8'", 8],
    ['" 9 "', 9],
    ["10.0", 10],
    ["0x10", 16],
    ["1_000", 1000],
    ["-5", -5],
  ];
  for (const [yaml, want] of ok) {
    test(`max_turns: ${yaml} → ${want}`, () => {
      expect(expectConfig(buildYaml(`agent:\n  max_turns: ${yaml}`)).agent.maxTurns).toBe(want);
    });
  }

  const bad: [string, string][] = [
    ["abc", "abc"],
    ["1.5", "1.5"],
    ["'0x10'", "0x10"],
    ["true", "true"],
    ["[1, 2]", "[1 2]"],
    ["{a: 1}", "map[a:1]"],
    ["'1e3'", "1e3"],
  ];
  for (const [yaml, shown] of bad) {
    test(`max_turns: ${yaml} → invalid integer value: ${shown}`, () => {
      expect(issueTexts(buildYaml(`agent:\n  max_turns: ${yaml}`))).toEqual([
        `agent.max_turns: invalid integer value: ${shown}`,
      ]);
    });
  }

  const fields = [
    "turn_timeout_ms",
    "read_timeout_ms",
    "stall_timeout_ms",
    "max_concurrent_agents",
    "max_turns",
    "max_retry_backoff_ms",
    "max_sessions",
  ];
  for (const field of fields) {
    test(`agent.${field} reports a bad integer`, () => {
      expect(issueTexts(buildYaml(`agent:\n  ${field}: x`))).toEqual([
        `agent.${field}: invalid integer value: x`,
      ]);
    });
  }
});

describe("polling", () => {
  test("a negative interval is rejected", () => {
    expect(issueTexts(buildYaml("polling:\n  interval_ms: -1"))).toEqual([
      "polling.interval_ms: must be positive",
    ]);
  });
  test("a bad interval reports the raw value", () => {
    expect(issueTexts(buildYaml("polling:\n  interval_ms: soon"))).toEqual([
      "polling.interval_ms: invalid integer value: soon",
    ]);
  });
});

describe("agent", () => {
  test("kind defaults when empty or not a string; command has no default", () => {
    expect(expectConfig(buildYaml("agent: {kind: ''}")).agent.kind).toBe("claude-code");
    expect(expectConfig(buildYaml("agent: {kind: 5}")).agent.kind).toBe("claude-code");
    expect(expectConfig(buildYaml("agent: {kind: mock}")).agent.kind).toBe("mock");
    expect(expectConfig(buildYaml("agent: {command: claude}")).agent.command).toBe("claude");
  });

  test("stall_timeout_ms: explicit 0 or negative disables, absent/null defaults", () => {
    expect(expectConfig(buildYaml("agent: {stall_timeout_ms: 0}")).agent.stallTimeoutMs).toBe(0);
    expect(expectConfig(buildYaml("agent: {stall_timeout_ms: -1}")).agent.stallTimeoutMs).toBe(-1);
    expect(expectConfig(buildYaml("agent: {stall_timeout_ms: null}")).agent.stallTimeoutMs).toBe(300_000);
  });

  test("negative max_turns reaches the worker (it clamps)", () => {
    expect(expectConfig(buildYaml("agent: {max_turns: -3}")).agent.maxTurns).toBe(-3);
  });

  test("max_sessions must be non-negative", () => {
    expect(issueTexts(buildYaml("agent: {max_sessions: -1}"))).toEqual([
      "agent.max_sessions: must be non-negative",
    ]);
    expect(expectConfig(buildYaml("agent: {max_sessions: 4}")).agent.maxSessions).toBe(4);
  });

  test("max_concurrent_agents_by_state lower-cases keys and drops invalid or non-positive entries", () => {
    const config = expectConfig(
      buildYaml(
        "agent:\n  max_concurrent_agents_by_state:\n    'In Progress': 2\n    Todo: '3'\n    Review: 0\n    Done: -1\n    Bad: x\n    Half: 1.5",
      ),
    );
    expect(config.agent.maxConcurrentAgentsByState).toEqual({ "in progress": 2, todo: 3 });
    expect(
      expectConfig(buildYaml("agent: {max_concurrent_agents_by_state: [1]}")).agent
        .maxConcurrentAgentsByState,
    ).toEqual({});
  });

  test("home_dir: empty means automatic; ~, $VAR and relative paths resolve", () => {
    const env = { DATA: "/data" };
    expect(expectConfig(buildYaml("agent: {home_dir: ''}")).agent.homeDir).toBe("");
    expect(expectConfig(buildYaml("agent: {home_dir: ~/agent}")).agent.homeDir).toBe("/home/tester/agent");
    expect(expectConfig(buildYaml("agent: {home_dir: $DATA/home}", { env })).agent.homeDir).toBe(
      "/data/home",
    );
    expect(expectConfig(buildYaml("agent: {home_dir: state/home/}")).agent.homeDir).toBe(
      "/srv/flows/state/home",
    );
    expect(expectConfig(buildYaml("agent: {home_dir: $UNSET}")).agent.homeDir).toBe("");
  });

  test("home_dir errors", () => {
    expect(issueTexts(buildYaml("agent: {home_dir: 5}"))).toEqual([
      "agent.home_dir: expected string, got int",
    ]);
    expect(issueTexts(buildYaml("agent: {home_dir: ~/x}", { homeDir: undefined }))).toEqual([
      "agent.home_dir: cannot expand ~: $HOME is not defined",
    ]);
  });
});

describe("hooks", () => {
  test("scripts are kept literally, empty means none", () => {
    const config = expectConfig(
      buildYaml("hooks:\n  after_create: |\n    git clone $REPO .\n  before_run: ''"),
    );
    expect(config.hooks.afterCreate).toBe("git clone $REPO .\n");
    expect(config.hooks.beforeRun).toBeNull();
  });

  const timeouts: [string, number][] = [
    ["5000", 5000],
    ["'7000'", 7000],
    ["0", 60_000],
    ["-5", 60_000],
    ["abc", 60_000],
    ["1.5", 60_000],
  ];
  for (const [yaml, want] of timeouts) {
    test(`timeout_ms: ${yaml} → ${want} (silently)`, () => {
      expect(expectConfig(buildYaml(`hooks:\n  timeout_ms: ${yaml}`)).hooks.timeoutMs).toBe(want);
    });
  }
});

describe("workspace.root", () => {
  test("default is $TMPDIR/sortie_workspaces, /tmp when TMPDIR is empty", () => {
    expect(expectConfig(buildYaml("{}", { env: { TMPDIR: "/var/tmp/" } })).workspace.root).toBe(
      "/var/tmp/sortie_workspaces",
    );
    expect(expectConfig(buildYaml("{}", { env: { TMPDIR: "" } })).workspace.root).toBe(
      "/tmp/sortie_workspaces",
    );
  });

  test("~ then $VAR expansion; relative paths resolve against the process cwd", () => {
    const env = { WS: "/ws" };
    expect(expectConfig(buildYaml("workspace: {root: ~/ws}")).workspace.root).toBe("/home/tester/ws");
    expect(expectConfig(buildYaml("workspace: {root: $WS/issues}", { env })).workspace.root).toBe(
      "/ws/issues",
    );
    expect(expectConfig(buildYaml("workspace: {root: ./ws}")).workspace.root).toBe("/work/dir/ws");
    expect(expectConfig(buildYaml("workspace: {root: $UNSET}")).workspace.root).toBe(
      "/tmp/sortie_workspaces",
    );
  });

  test("tilde without HOME is an error", () => {
    expect(issueTexts(buildYaml("workspace: {root: ~/ws}", { homeDir: "" }))).toEqual([
      "workspace.root: cannot expand ~: $HOME is not defined",
    ]);
  });
});

describe("db_path", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["db_path: ''", {}, "/srv/flows/.sortie.db"],
    ["db_path: ~", {}, "/srv/flows/.sortie.db"],
    ["db_path: /data/s.db", {}, "/data/s.db"],
    ["db_path: data/s.db", {}, "/srv/flows/data/s.db"],
    ["db_path: ~/s.db", {}, "/home/tester/s.db"],
    ["db_path: $DATA/s.db", { DATA: "/mnt" }, "/mnt/s.db"],
  ];
  for (const [yaml, env, want] of cases) {
    test(`${yaml} → ${want}`, () => {
      expect(expectConfig(buildYaml(yaml, { env })).dbPath).toBe(want);
    });
  }

  test("errors: not a string, resolved to empty, tilde", () => {
    expect(issueTexts(buildYaml("db_path: 5"))).toEqual(["db_path: expected string, got int"]);
    expect(issueTexts(buildYaml("db_path: $UNSET"))).toEqual([
      "db_path: resolved to empty (check environment variable)",
    ]);
    expect(issueTexts(buildYaml("db_path: ~/x", { homeDir: undefined }))).toEqual([
      "db_path: cannot expand ~: $HOME is not defined",
    ]);
  });
});

describe("tracker", () => {
  test("string fields: non-strings read as empty, no trimming", () => {
    const config = expectConfig(buildYaml("tracker:\n  kind: ' jira '\n  endpoint: 5\n  project: [a]"));
    expect(config.tracker.kind).toBe(" jira ");
    expect(config.tracker.endpoint).toBe("");
    expect(config.tracker.project).toBe("");
  });

  test("api_key expands anywhere and becomes a Secret", () => {
    const config = expectConfig(buildYaml("tracker:\n  api_key: Bearer-$TOKEN", { env: { TOKEN: "t0k" } }));
    expect(config.tracker.apiKey).toBeInstanceOf(Secret);
    expect(config.tracker.apiKey.reveal()).toBe("Bearer-t0k");
    expect(String(config.tracker.apiKey)).toBe("[redacted]");
    expect(JSON.stringify(config.tracker)).not.toContain("t0k");
  });

  test("endpoint, project and query_filter expand only when the trimmed value starts with $", () => {
    const env = { HOST: "https://jira.example", PROJ: "SORT", FILTER: "labels = x" };
    const config = expectConfig(
      buildYaml("tracker:\n  endpoint: ' $HOST/rest '\n  project: x-$PROJ\n  query_filter: $FILTER", { env }),
    );
    expect(config.tracker.endpoint).toBe("https://jira.example/rest");
    expect(config.tracker.project).toBe("x-$PROJ");
    expect(config.tracker.queryFilter).toBe("labels = x");
  });

  test("state lists: non-lists read as empty, elements rendered with %v", () => {
    const config = expectConfig(
      buildYaml("tracker:\n  active_states: [Todo, 1, true, null]\n  terminal_states: Done"),
    );
    expect(config.tracker.activeStates).toEqual(["Todo", "1", "true", "<nil>"]);
    expect(config.tracker.terminalStates).toEqual([]);
  });

  test("state defaults of the tracker kind fill the lists the workflow leaves empty", () => {
    const stateDefaults = (kind: string) =>
      kind === "github"
        ? { active: ["backlog", "in-progress", "review"], terminal: ["done", "wontfix"] }
        : undefined;
    const filled = expectConfig(buildYaml("tracker:\n  kind: github", { stateDefaults }));
    expect(filled.tracker.activeStates).toEqual(["backlog", "in-progress", "review"]);
    expect(filled.tracker.terminalStates).toEqual(["done", "wontfix"]);
    const kept = expectConfig(
      buildYaml("tracker:\n  kind: github\n  active_states: [todo]", { stateDefaults }),
    );
    expect(kept.tracker.activeStates).toEqual(["todo"]);
    expect(kept.tracker.terminalStates).toEqual(["done", "wontfix"]);
    const none = expectConfig(buildYaml("tracker:\n  kind: file", { stateDefaults }));
    expect(none.tracker.activeStates).toEqual([]);
  });

  test("the in-progress check runs against the effective (defaulted) active states", () => {
    const stateDefaults = () => ({ active: ["Backlog", "In Progress"], terminal: [] });
    const config = expectConfig(
      buildYaml("tracker:\n  kind: jira\n  in_progress_state: in progress", { stateDefaults }),
    );
    expect(config.tracker.inProgressState).toBe("in progress");
  });

  describe("handoff_state", () => {
    const cases: [string, Record<string, string>, string][] = [
      ["handoff_state: 5", {}, "tracker.handoff_state: expected string, got int"],
      ["handoff_state: [a]", {}, "tracker.handoff_state: expected string, got []interface {}"],
      ["handoff_state: ''", {}, "tracker.handoff_state: must not be empty"],
      ["handoff_state: $UNSET", {}, "tracker.handoff_state: resolved to empty (check environment variable)"],
      [
        "handoff_state: todo\n  active_states: [Todo]",
        {},
        'tracker.handoff_state: "todo" collides with active state "Todo"',
      ],
      [
        "handoff_state: DONE\n  terminal_states: [done]",
        {},
        'tracker.handoff_state: "DONE" collides with terminal state "done"',
      ],
    ];
    for (const [yaml, env, want] of cases) {
      test(want, () => {
        expect(issueTexts(buildYaml(`tracker:\n  ${yaml}`, { env }))).toEqual([want]);
      });
    }

    test("absent or null disables; $VAR resolves", () => {
      expect(
        expectConfig(buildYaml("tracker: {handoff_state: null, active_states: [a]}")).tracker.handoffState,
      ).toBeNull();
      const config = expectConfig(
        buildYaml("tracker: {handoff_state: $H, active_states: [a]}", { env: { H: "Human Review" } }),
      );
      expect(config.tracker.handoffState).toBe("Human Review");
    });
  });

  describe("in_progress_state", () => {
    const cases: [string, string][] = [
      ["in_progress_state: true", "tracker.in_progress_state: expected string, got bool"],
      ["in_progress_state: ''", "tracker.in_progress_state: must not be empty"],
      [
        "in_progress_state: $NOPE",
        "tracker.in_progress_state: resolved to empty (check environment variable)",
      ],
      [
        "in_progress_state: Done\n  active_states: [Done]\n  terminal_states: [done]",
        'tracker.in_progress_state: "Done" collides with terminal state "done"',
      ],
      [
        "in_progress_state: Doing\n  active_states: [Todo]",
        'tracker.in_progress_state: "Doing" is not in active_states; reconciliation would immediately cancel the worker',
      ],
    ];
    for (const [yaml, want] of cases) {
      test(want, () => {
        expect(issueTexts(buildYaml(`tracker:\n  ${yaml}`))).toEqual([want]);
      });
    }

    test("colliding with handoff_state is reported after the handoff's own collision", () => {
      expect(
        issueTexts(
          buildYaml("tracker:\n  active_states: [Doing]\n  handoff_state: doing\n  in_progress_state: Doing"),
        ),
      ).toEqual([
        'tracker.handoff_state: "doing" collides with active state "Doing"',
        'tracker.in_progress_state: "Doing" collides with handoff_state "doing"',
      ]);
    });
  });

  describe("comments", () => {
    test("booleans are read; absent or null is false", () => {
      const config = expectConfig(
        buildYaml("tracker:\n  comments: {on_dispatch: true, on_completion: null}"),
      );
      expect(config.tracker.comments).toEqual({ onDispatch: true, onCompletion: false, onFailure: false });
    });

    test('errors: not a map, not a bool (a quoted "true" included)', () => {
      expect(issueTexts(buildYaml("tracker:\n  comments: yes"))).toEqual([
        "tracker.comments: expected map, got string",
      ]);
      expect(issueTexts(buildYaml("tracker:\n  comments: {on_dispatch: 'true', on_failure: 1}"))).toEqual([
        "tracker.comments.on_dispatch: expected bool, got string",
        "tracker.comments.on_failure: expected bool, got int",
      ]);
    });
  });
});

describe("extensions", () => {
  test("every non-core top-level key is kept untouched, including null", () => {
    const config = expectConfig(
      buildYaml(
        "server: {port: 8080}\nclaude-code: {model: opus, max_turns: 3}\nnothing: null\ntoken: $NOT_EXPANDED",
      ),
    );
    expect(config.extensions).toEqual({
      server: { port: 8080 },
      "claude-code": { model: "opus", max_turns: 3 },
      nothing: null,
      token: "$NOT_EXPANDED",
    });
  });
});

describe("keys named __proto__", () => {
  test("stay ordinary keys of extensions, reaction extras and per-state limits", () => {
    const config = expectConfig(
      buildYaml(
        "__proto__: {polluted: 1}\nreactions:\n  x: {__proto__: 2}\nagent:\n  max_concurrent_agents_by_state: {__proto__: 3}",
      ),
    );
    expect(Object.keys(config.extensions)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(config.extensions)).toBe(Object.prototype);
    expect((config.extensions as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(config.reactions.x?.extra ?? {})).toEqual(["__proto__"]);
    expect(Object.keys(config.agent.maxConcurrentAgentsByState)).toEqual(["__proto__"]);
  });
});

describe("all issues of a build are reported together, in evaluation order, with positions", () => {
  test("issues from several sections carry their line and column in WORKFLOW.md", () => {
    const yaml = [
      "tracker:", // line 2
      "  handoff_state: ''", // 3
      "polling:", // 4
      "  interval_ms: soon", // 5
      "agent:", // 6
      "  max_turns: many", // 7
      "  max_sessions: -2", // 8
      "db_path: 12", // 9
      "self_review:", // 10
      "  enabled: true", // 11
      "reactions:", // 12
      "  Bad: {}", // 13
    ].join("\n");
    const issues = expectIssues(buildYaml(yaml));
    expect(issues).toEqual([
      { field: "tracker.handoff_state", message: "must not be empty", line: 3, column: 18 },
      { field: "polling.interval_ms", message: "invalid integer value: soon", line: 5, column: 16 },
      { field: "agent.max_turns", message: "invalid integer value: many", line: 7, column: 14 },
      { field: "agent.max_sessions", message: "must be non-negative", line: 8, column: 17 },
      { field: "db_path", message: "expected string, got int", line: 9, column: 10 },
      {
        field: "self_review.verification_commands",
        message: "required when self_review is enabled",
        line: 10,
        column: 1,
      },
      { field: "reactions.Bad", message: "key must match [a-z][a-z0-9_-]*", line: 13, column: 8 },
    ]);
  });

  test("the workflow path is used for the build's relative paths", () => {
    expect(expectConfig(buildYaml("db_path: x.db")).dbPath).toBe(
      WORKFLOW_PATH.replace("WORKFLOW.md", "x.db"),
    );
  });
});
