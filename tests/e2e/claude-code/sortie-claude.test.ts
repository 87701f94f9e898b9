// The compiled sortie binary driving the real, pinned `claude` CLI end to end, offline: file
// tracker, claude-code agent, and a fake Anthropic server that is also the agent's HTTP(S) proxy,
// so any attempt to reach another host shows up in its log. Install the CLI with
// `scripts/install-agent-clis.sh claude`; without it these tests are skipped with a message.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type FakeAnthropic, startFakeAnthropic } from "../../fakes/anthropic/server.ts";
import { query } from "../../helpers/sortie-db.ts";
import { freePort, SORTIE_BIN, type SortieProcess } from "../../helpers/sortie-process.ts";
import { useSortieRuns } from "../../helpers/sortie-runs.ts";
import { waitFor } from "../../helpers/wait.ts";
import type { WorkflowDir } from "../../helpers/workflow.ts";
import {
  ARGV_RECORDER,
  CLAUDE_BIN,
  claudeAvailable,
  claudeFrontMatter,
  fakeTokens,
  flagValue,
  livingClaudeProcessesUnder,
  offlineEnv,
  PINNED_CLAUDE_VERSION,
  recordedInvocations,
  requestHistory,
} from "./harness.ts";

setDefaultTimeout(180_000);
/** The CLI needs a few seconds to start; a whole tool round trip can take longer on a busy host. */
const CLI_WAIT_MS = 90_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const available = claudeAvailable();

const runs = useSortieRuns(15_000);

interface Setup {
  w: WorkflowDir;
  home: string;
  fake: FakeAnthropic;
  workspace: string;
}

function setup(): Setup {
  const w = runs.dir("sortie-e2e-claude-");
  const home = join(w.dir, "home");
  mkdirSync(home);
  const fake = runs.fake(startFakeAnthropic());
  w.writeIssues([{ id: "1", identifier: "CC-1", title: "Write a greeting", state: "To Do" }]);
  return { w, home, fake, workspace: join(w.workspaces, "CC-1") };
}

/** Starts dist/sortie (or `binary`, a launcher for it) with the offline agent environment. */
function run(
  s: Setup,
  opts: { env?: Record<string, string>; binary?: string; port?: number } = {},
): SortieProcess {
  const p = runs.start(["--port", String(opts.port ?? freePort()), s.w.workflow], {
    cwd: s.w.dir,
    env: offlineEnv(s.fake, s.home, opts.env),
    ...(opts.binary ? { binary: opts.binary } : {}),
  });
  return p;
}

/** The running entry once it has `turns` completed turns (turn_count counts completed turns). */
async function runningEntry(port: number, turns: number): Promise<StateBody["running"][number]> {
  return await waitFor(async () => {
    const entry = (await getJson<StateBody>(port, "/api/v1/state")).running[0];
    return entry?.turn_count === turns ? entry : undefined;
  });
}

async function getJson<T>(port: number, path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return (await res.json()) as T;
}

interface WireTokens {
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
}

interface StateBody {
  running: {
    issue_identifier: string;
    session_id: string;
    turn_count: number;
    tokens: WireTokens;
    cost_usd?: number;
    api_request_count: number;
    model_name?: string;
    agent_kind?: string;
  }[];
}

interface StatusBody {
  agent_totals: {
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    cache_read_tokens: number;
  };
}

interface RunRow {
  status: string;
  attempt: number;
  error: string | null;
  turns_completed: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
}

/**
 * A launcher that makes sortie's HOME read-only. Root ignores file modes, so as root sortie runs
 * in a private mount namespace where HOME is a read-only bind mount of itself (the pid stays the
 * same through the execs, so signals reach sortie); any other user gets a 0555 HOME.
 */
function readOnlyHomeSortie(s: Setup): string {
  const launcher = join(s.w.dir, "sortie-ro-home.sh");
  if (process.getuid?.() === 0) {
    writeFileSync(
      launcher,
      "#!/bin/sh\n" +
        "exec unshare --mount sh -c " +
        `'mount --bind "$HOME" "$HOME" && mount -o remount,ro,bind "$HOME" "$HOME" && exec "$0" "$@"' ` +
        `${SORTIE_BIN} "$@"\n`,
    );
  } else {
    chmodSync(s.home, 0o555);
    writeFileSync(launcher, `#!/bin/sh\nexec ${SORTIE_BIN} "$@"\n`);
  }
  chmodSync(launcher, 0o755);
  return launcher;
}

const RUN_COLUMNS =
  "status, attempt, error, turns_completed, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens";

describe.skipIf(!available)(`sortie with the real claude CLI ${PINNED_CLAUDE_VERSION}`, () => {
  test(
    "a run writes the file with claude's Write tool, hands the issue off, and every token count sortie " +
      "records equals the model's usage",
    async () => {
      const s = setup();
      s.w.writeWorkflow(
        claudeFrontMatter(s.w, { maxTurns: 2 }),
        "{{ if eq .run.turn_number 1 }}Work on {{ .issue.identifier }}. WRITE:greeting.txt:hello from " +
          "{{ .issue.identifier }}{{ else }}Check your work. SLEEP:600000{{ end }}",
      );
      const port = freePort();
      const p = run(s, { port });

      // Turn 2's model request is held by the fake: the worker is running with turn 1's usage.
      await waitFor(() => s.fake.messageCalls.length >= 3, {
        timeoutMs: CLI_WAIT_MS,
        what: "turn 2's request",
      });
      expect(readFileSync(join(s.workspace, "greeting.txt"), "utf8")).toStartWith("hello from CC-1\n");
      const turn1 = fakeTokens(s.fake, 0, 2);
      const running = await runningEntry(port, 1);
      expect(running.issue_identifier).toBe("CC-1");
      expect(running.agent_kind).toBe("claude-code");
      expect(running.session_id).toMatch(UUID);
      expect(running.tokens).toEqual({
        ...turn1,
        total_tokens: turn1.input_tokens + turn1.output_tokens,
      });
      expect(running.cost_usd).toBeGreaterThan(0);
      expect(running.api_request_count).toBe(2);
      expect(running.model_name).toBe(s.fake.messageCalls[0]?.request.model ?? "");

      s.fake.releaseDelays();
      await waitFor(() => s.w.issue("1")?.state === "Human Review", {
        timeoutMs: CLI_WAIT_MS,
        what: "hand-off",
      });
      await waitFor(() => query(s.w.dbPath, "SELECT id FROM run_history").length === 1);

      // One tool round trip (2 requests) in turn 1, one plain answer in turn 2.
      expect(s.fake.messageCalls.map((c) => c.answer)).toEqual(["tool_use", "text", "text"]);
      const total = fakeTokens(s.fake);
      expect(query<RunRow>(s.w.dbPath, `SELECT ${RUN_COLUMNS} FROM run_history`)).toEqual([
        { status: "succeeded", attempt: 1, error: null, turns_completed: 2, ...total },
      ]);
      const status = await getJson<StatusBody>(port, "/api/status");
      expect(status.agent_totals).toMatchObject({
        input_tokens: total.input_tokens,
        output_tokens: total.output_tokens,
        total_tokens: total.input_tokens + total.output_tokens,
        cache_read_tokens: total.cache_read_tokens,
      });

      expect(s.fake.requests.filter((r) => r.foreign)).toEqual([]);
      expect(new Set(s.fake.requests.map((r) => `${r.method} ${r.path}`))).toEqual(
        new Set(["POST /v1/messages"]),
      );
      expect(await p.stop()).toBe(0);
    },
  );
  test(
    "later turns resume the session with --resume; SIGTERM during a slow turn exits 0 with no claude " +
      "process left, and after a restart the retry resumes the same session with its history (own tokens, " +
      "the conversation's cost)",
    async () => {
      const s = setup();
      const argvDir = join(s.w.dir, "argv");
      mkdirSync(argvDir);
      s.w.writeWorkflow(
        claudeFrontMatter(s.w, { maxTurns: 2, command: `${ARGV_RECORDER} ${CLAUDE_BIN}` }),
        "{{ if eq .attempt 0 }}" +
          "{{ if eq .run.turn_number 1 }}WRITE:result.txt:first run{{ else }}Keep going. SLEEP:600000{{ end }}" +
          "{{ else }}" +
          "{{ if eq .run.turn_number 1 }}After the restart. BASH:cat result.txt && env > agent-env.txt" +
          "{{ else }}Wrap up. SLEEP:600000{{ end }}" +
          "{{ end }}",
      );
      const port1 = freePort();
      const first = run(s, { env: { ARGV_DIR: argvDir }, port: port1 });
      await waitFor(() => s.fake.messageCalls.length >= 3, {
        timeoutMs: CLI_WAIT_MS,
        what: "turn 2's request",
      });
      const [turn1, turn2] = recordedInvocations(argvDir);
      const sessionId = flagValue(turn1 ?? [], "--session-id") ?? "";
      expect(sessionId).toMatch(UUID);
      expect(turn1).not.toContain("--resume");
      expect(flagValue(turn2 ?? [], "--resume")).toBe(sessionId);
      expect(turn2).not.toContain("--session-id");
      expect(requestHistory(s.fake, 2)).toContain("WRITE:result.txt:first run");
      const before = await runningEntry(port1, 1);
      expect(livingClaudeProcessesUnder(s.w.dir).length).toBeGreaterThan(0);

      // SIGTERM while the model "thinks": the drain cancels the turn and kills the CLI.
      expect(await first.stop()).toBe(0);
      await waitFor(() => livingClaudeProcessesUnder(s.w.dir).length === 0, {
        timeoutMs: 5000,
        what: () => `no claude process left (living: ${livingClaudeProcessesUnder(s.w.dir).join(", ")})`,
      });
      expect(first.logs("draining workers")[0]).toMatchObject({ count: 1 });
      expect(query(s.w.dbPath, "SELECT status, error FROM run_history")).toEqual([
        { status: "timed_out", error: "interrupted by shutdown" },
      ]);
      expect(query(s.w.dbPath, "SELECT attempt, session_id FROM retry_entries")).toEqual([
        { attempt: 1, session_id: sessionId },
      ]);
      // The CLI's conversation file (what --resume reads) survived under HOME.
      const projects = join(s.home, ".claude", "projects");
      expect(readdirSync(projects).flatMap((d) => readdirSync(join(projects, d)))).toContain(
        `${sessionId}.jsonl`,
      );

      const callsBefore = s.fake.messageCalls.length;
      const port2 = freePort();
      const second = run(s, { env: { ARGV_DIR: argvDir }, port: port2 });
      await second.waitForLog("warm start: restored persisted state");
      // Turn 2 of the retry is held: the resumed run counts only its own tokens, while claude's
      // cost is its running total for the conversation (both runs' turn 1 made the same requests).
      await waitFor(() => s.fake.messageCalls.length >= callsBefore + 3, {
        timeoutMs: CLI_WAIT_MS,
        what: "the retry's turn 2 request",
      });
      const resumedEntry = await runningEntry(port2, 1);
      expect(resumedEntry.tokens).toMatchObject(fakeTokens(s.fake, callsBefore, callsBefore + 2));
      expect(resumedEntry.cost_usd).toBeCloseTo((before.cost_usd ?? 0) * 2, 10);
      s.fake.releaseDelays();
      await waitFor(() => s.w.issue("1")?.state === "Human Review", {
        timeoutMs: CLI_WAIT_MS,
        what: "hand-off after the restart",
      });
      const after = recordedInvocations(argvDir).slice(2);
      expect(after.map((argv) => flagValue(argv, "--resume"))).toEqual([sessionId, sessionId]);
      expect(after.flat()).not.toContain("--session-id");
      expect(second.logs("agent session not found, starting a fresh session")).toEqual([]);
      expect(second.logs("agent session started").map((r) => r.session_id)).toEqual([sessionId]);

      // The first model request after the restart carries the earlier run's conversation.
      const resumed = requestHistory(s.fake, callsBefore);
      expect(resumed).toContain("WRITE:result.txt:first run");
      expect(resumed).toContain("toolu_fake_1");
      expect(resumed).toContain("Keep going. SLEEP:600000");
      expect(resumed).toContain("After the restart. BASH:cat result.txt");
      expect(readFileSync(join(s.workspace, "result.txt"), "utf8")).toStartWith("first run\n");
      const agentEnv = readFileSync(join(s.workspace, "agent-env.txt"), "utf8");
      expect(agentEnv).toContain("SORTIE_ISSUE_IDENTIFIER=CC-1");
      expect(agentEnv).toContain(`HOME=${s.home}\n`);
      expect(agentEnv).not.toContain("must-not-leak");
      // The proxy reached the agent, so "no foreign request" below means none was attempted.
      expect(agentEnv).toContain(`HTTPS_PROXY=${s.fake.url}\n`);
      expect(agentEnv).toContain(`ANTHROPIC_BASE_URL=${s.fake.url}\n`);

      await waitFor(() => query(s.w.dbPath, "SELECT id FROM run_history").length === 2);
      const rows = query<RunRow>(s.w.dbPath, `SELECT ${RUN_COLUMNS} FROM run_history ORDER BY id`);
      expect(rows.map((r) => [r.status, r.attempt, r.turns_completed])).toEqual([
        ["timed_out", 1, 1],
        ["succeeded", 2, 2],
      ]);
      // Each run counts its own requests: the interrupted turn's held request was never answered,
      // and the resumed session's counters start again from 0.
      expect(s.fake.messageCalls.map((c) => c.answer)).toEqual([
        "tool_use",
        "text",
        "text",
        "tool_use",
        "text",
        "text",
      ]);
      expect(rows[0]).toMatchObject(fakeTokens(s.fake, 0, 2));
      expect(rows[1]).toMatchObject(fakeTokens(s.fake, callsBefore));
      // The process totals were restored at the warm start: they cover both runs.
      const [run1, run2] = [fakeTokens(s.fake, 0, 2), fakeTokens(s.fake, callsBefore)];
      const status = await getJson<StatusBody>(port2, "/api/status");
      expect(status.agent_totals).toMatchObject({
        input_tokens: run1.input_tokens + run2.input_tokens,
        output_tokens: run1.output_tokens + run2.output_tokens,
        cache_read_tokens: run1.cache_read_tokens + run2.cache_read_tokens,
      });
      expect(s.fake.requests.filter((r) => r.foreign)).toEqual([]);
      expect(await second.stop()).toBe(0);
    },
  );

  test(
    "with a read-only HOME sortie redirects the agent home to the data directory, and the claude " +
      "session works there and is resumed",
    async () => {
      const s = setup();
      const argvDir = join(s.w.dir, "argv");
      mkdirSync(argvDir);
      s.w.writeWorkflow(
        claudeFrontMatter(s.w, { maxTurns: 2, command: `${ARGV_RECORDER} ${CLAUDE_BIN}` }),
        "{{ if eq .run.turn_number 1 }}WRITE:hello.txt:redirected home" +
          '{{ else }}BASH:cat hello.txt && echo "$HOME" > home.txt{{ end }}',
      );
      const p = run(s, { env: { ARGV_DIR: argvDir }, binary: readOnlyHomeSortie(s) });
      const redirected = await p.waitForLog("agent home redirected");
      const agentHome = join(s.w.dir, "agent-home");
      expect(redirected).toMatchObject({ home: agentHome });
      expect(String(redirected.reason)).toStartWith(`HOME ${s.home} is not writable`);

      await waitFor(() => s.w.issue("1")?.state === "Human Review", {
        timeoutMs: CLI_WAIT_MS,
        what: "hand-off",
      });
      const [turn1, turn2] = recordedInvocations(argvDir);
      const sessionId = flagValue(turn1 ?? [], "--session-id") ?? "";
      expect(sessionId).toMatch(UUID);
      expect(flagValue(turn2 ?? [], "--resume")).toBe(sessionId);
      expect(p.logs("agent session not found, starting a fresh session")).toEqual([]);
      expect(requestHistory(s.fake, 2)).toContain("WRITE:hello.txt:redirected home");

      // The agent ran with the redirected HOME, kept its conversation there, and left HOME alone.
      expect(readFileSync(join(s.workspace, "home.txt"), "utf8")).toBe(`${agentHome}\n`);
      const projects = join(agentHome, ".claude", "projects");
      expect(readdirSync(projects).flatMap((d) => readdirSync(join(projects, d)))).toContain(
        `${sessionId}.jsonl`,
      );
      expect(readdirSync(s.home)).toEqual([]);

      await waitFor(() => query(s.w.dbPath, "SELECT id FROM run_history").length === 1);
      expect(query<RunRow>(s.w.dbPath, `SELECT ${RUN_COLUMNS} FROM run_history`)).toEqual([
        { status: "succeeded", attempt: 1, error: null, turns_completed: 2, ...fakeTokens(s.fake) },
      ]);
      expect(s.fake.requests.filter((r) => r.foreign)).toEqual([]);
      expect(await p.stop()).toBe(0);
    },
  );
});
