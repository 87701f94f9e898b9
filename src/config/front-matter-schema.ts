// The WORKFLOW.md front matter as users write it, described with valibot for editors (converted
// to JSON Schema in json-schema.ts). The config builder does not parse with it: its lenient,
// Go-compatible rules accept more than an editor should suggest.
import * as v from "valibot";

const d = v.description;

/** An integer, or a string holding one (the loader accepts both). */
const int = (description: string, fallback?: number) => {
  const base = v.pipe(
    v.union([v.pipe(v.number(), v.integer()), v.pipe(v.string(), v.regex(/^\s*[-+]?[0-9]+\s*$/))]),
    d(description),
  );
  return fallback === undefined ? v.optional(base) : v.optional(base, fallback);
};
const str = (description: string, fallback?: string) =>
  fallback === undefined
    ? v.optional(v.pipe(v.string(), d(description)))
    : v.optional(v.pipe(v.string(), d(description)), fallback);
const bool = (description: string) => v.optional(v.pipe(v.boolean(), d(description)), false);
const strings = (description: string) => v.optional(v.pipe(v.array(v.string()), d(description)));
const escalation = (description: string) =>
  v.optional(v.pipe(v.picklist(["label", "comment"]), d(description)), "label");
/** A section that also allows a sub-block named after its own `kind` (not used at run time). */
const withKindBlock = <T extends v.ObjectEntries>(entries: T, description: string) =>
  v.optional(v.pipe(v.objectWithRest(entries, v.looseObject({})), d(description)));
const section = <T extends v.ObjectEntries>(entries: T, description: string) =>
  v.optional(v.pipe(v.strictObject(entries), d(description)));

const tracker = withKindBlock(
  {
    kind: v.optional(v.pipe(v.picklist(["file", "github", "jira"]), d("Issue tracker adapter."))),
    endpoint: str(
      "API base URL; empty uses the adapter default. `$VAR` expands when the value starts with `$`.",
    ),
    api_key: str("API token; `$VAR` references expand anywhere in the value. Required for github and jira."),
    project: str("Jira project key or GitHub `owner/repo`. `$VAR` expands when the value starts with `$`."),
    active_states: strings(
      "States that make an issue eligible (case-insensitive). Adapter defaults apply when empty.",
    ),
    terminal_states: strings("States that end work and clean the workspace (case-insensitive)."),
    query_filter: str("Extra adapter query: a JQL fragment (jira) or search qualifiers (github)."),
    handoff_state: str("State the issue moves to when the agent finishes; absent disables the hand-off."),
    in_progress_state: str("State set when work starts; must be one of active_states. Absent disables it."),
    comments: section(
      {
        on_dispatch: bool("Comment on the issue when an agent starts."),
        on_completion: bool("Comment when the agent finishes successfully."),
        on_failure: bool("Comment when a run fails."),
      },
      "Tracker comments posted at session lifecycle points.",
    ),
  },
  "Which issues to work on and how to move them.",
);

const agent = withKindBlock(
  {
    kind: v.optional(
      v.pipe(
        v.picklist(["claude-code", "codex", "copilot-cli", "mock", "opencode"]),
        d("Coding-agent adapter."),
      ),
      "claude-code",
    ),
    command: str("The agent CLI to run (required for every kind except mock). Not expanded."),
    turn_timeout_ms: int("Maximum duration of one agent turn; 0 uses the default.", 3_600_000),
    read_timeout_ms: int("Maximum wait for the agent's first response; 0 uses the default.", 5_000),
    stall_timeout_ms: int(
      "Stop a session silent for this long; 0 or negative disables stall detection.",
      300_000,
    ),
    max_concurrent_agents: int("Agents running at the same time; 0 uses the default.", 10),
    max_turns: int("Turns per attempt; 0 uses the default.", 20),
    max_retry_backoff_ms: int("Upper bound of the exponential retry delay; 0 uses the default.", 300_000),
    max_concurrent_agents_by_state: v.optional(
      v.pipe(
        v.record(v.string(), v.union([v.pipe(v.number(), v.integer(), v.minValue(1)), v.string()])),
        d("Per-state concurrency caps (state names case-insensitive); non-positive entries are ignored."),
      ),
    ),
    max_sessions: int("Sessions per issue before it is left alone; 0 means unlimited.", 0),
    home_dir: str(
      "HOME for agents and hooks when sortie's own HOME is not writable; empty means `agent-home` next to the database.",
      "",
    ),
  },
  "The coding agent and its limits.",
);

const ciFeedback = section(
  {
    kind: str("CI provider (github); empty disables CI feedback."),
    max_retries: int("CI-fix continuations before escalation (an explicit 0 escalates at once).", 2),
    max_log_lines: int("Failing-job log lines given to the agent; 0 disables log fetching.", 50),
    escalation: escalation("What happens after max_retries."),
    escalation_label: str("Label added when escalation is `label`.", "needs-human"),
  },
  "Deprecated: use reactions.ci_failure.",
);

const reaction = v.pipe(
  v.looseObject({
    provider: str("Adapter for this reaction (e.g. github); empty disables it."),
    max_retries: int("Fix continuations before escalation.", 2),
    escalation: escalation("What happens after max_retries."),
    escalation_label: str("Label added when escalation is `label`.", "needs-human"),
  }),
  d("Reaction settings; other keys are passed to the reaction (e.g. max_log_lines, poll_interval_ms)."),
);

const selfReview = section(
  {
    enabled: bool("Run a review-and-fix loop after the agent finishes."),
    max_iterations: int("Review iterations (1-10).", 3),
    verification_commands: strings(
      "Shell commands run in the workspace each iteration (required when enabled).",
    ),
    verification_timeout_ms: int("Timeout of each verification command.", 120_000),
    max_diff_bytes: int("Diff bytes shown to the reviewer.", 102_400),
    reviewer: v.optional(
      v.pipe(v.literal("same"), d("Who reviews: only `same` (the same session).")),
      "same",
    ),
  },
  "Self-review loop.",
);

const server = section(
  {
    port: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(0),
        v.maxValue(65535),
        d("HTTP port; 0 disables the server."),
      ),
      7678,
    ),
    host: str("Bind address (an IP literal).", "127.0.0.1"),
  },
  "HTTP server (dashboard, API, metrics, probes). Restart required.",
);

const logging = section(
  {
    level: v.optional(v.pipe(v.picklist(["debug", "info", "warn", "error"]), d("Log level.")), "info"),
    format: v.optional(v.pipe(v.picklist(["text", "json"]), d("Log format.")), "text"),
  },
  "Logging defaults (command-line flags win). Restart required.",
);

const worker = v.optional(
  v.pipe(
    v.looseObject({
      ssh_hosts: strings("Run agents on these SSH hosts instead of locally."),
      max_concurrent_agents_per_host: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(1), d("Per-host cap; absent means none.")),
      ),
      ssh_strict_host_key_checking: v.optional(
        v.pipe(v.picklist(["accept-new", "yes", "no"]), d("OpenSSH StrictHostKeyChecking.")),
        "accept-new",
      ),
    }),
    d("Remote workers."),
  ),
);

const rate = (description: string) => v.optional(v.pipe(v.number(), v.minValue(0), d(description)));
const tokenRates = v.optional(
  v.pipe(
    v.record(
      v.string(),
      v.strictObject({
        input_per_mtok: rate("USD per million input tokens."),
        output_per_mtok: rate("USD per million output tokens."),
        cache_read_per_mtok: rate("USD per million cache-read tokens."),
      }),
    ),
    d("Token prices per agent kind, for cost metrics. Restart required."),
  ),
);

const block = (description: string) => v.optional(v.pipe(v.looseObject({}), d(description)));

export const frontMatterSchema = v.looseObject({
  tracker,
  polling: section(
    { interval_ms: int("Milliseconds between tracker polls; 0 uses the default.", 30_000) },
    "Poll loop.",
  ),
  workspace: section(
    {
      root: str(
        "Directory holding one workspace per issue; `~` and `$VAR` expand, relative paths resolve against the working directory. Default: `$TMPDIR/sortie_workspaces`.",
      ),
    },
    "Per-issue workspaces.",
  ),
  hooks: section(
    {
      after_create: str("Shell script run once after a workspace is created."),
      before_run: str("Shell script run before each attempt."),
      after_run: str("Shell script run after each attempt (failures are ignored)."),
      before_remove: str("Shell script run before a workspace is deleted."),
      timeout_ms: int("Timeout of every hook; invalid or non-positive values use the default.", 60_000),
    },
    "Workspace lifecycle hooks (run with sh -c in the workspace).",
  ),
  agent,
  db_path: str(
    "SQLite database file; `~` and `$VAR` expand, relative paths resolve against the workflow's directory. Default: `.sortie.db` next to WORKFLOW.md.",
  ),
  ci_feedback: ciFeedback,
  self_review: selfReview,
  reactions: v.optional(
    v.pipe(v.record(v.string(), reaction), d("Reactions to CI failures and review comments.")),
  ),
  server,
  logging,
  worker,
  token_rates: tokenRates,
  "claude-code": block(
    "Claude Code adapter options (model, permission_mode, max_turns, allowed_tools, ...).",
  ),
  "copilot-cli": block("Copilot CLI adapter options."),
  codex: block("Codex adapter options."),
  opencode: block("OpenCode adapter options."),
  mock: block("Mock agent options."),
  file: block("File tracker options (path)."),
  github: block("GitHub adapter options."),
  jira: block("Jira adapter options."),
});
