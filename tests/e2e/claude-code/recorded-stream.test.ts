// The compiled sortie binary fed the real claude CLI's bytes without the CLI: a stand-in replays
// tests/fixtures/real-cli/claude-sortie-e2e.jsonl, recorded from sortie driving claude 2.1.332
// against the fake Anthropic server (a Write turn, a turn cut off by SIGTERM, then two turns
// resumed after a restart). Runs everywhere; sortie-claude.test.ts proves the same with the CLI.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { query } from "../../helpers/sortie-db.ts";
import { freePort } from "../../helpers/sortie-process.ts";
import { useSortieRuns } from "../../helpers/sortie-runs.ts";
import { waitFor } from "../../helpers/wait.ts";
import { ARGV_RECORDER, claudeFrontMatter, flagValue, recordedInvocations } from "./harness.ts";

setDefaultTimeout(60_000);

const TRANSCRIPT = resolve(import.meta.dir, "../../fixtures/real-cli/claude-sortie-e2e.jsonl");
const REPLAY = resolve(import.meta.dir, "replay-claude.sh");

interface RecordedResult {
  session_id: string;
  total_cost_usd: number;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  };
}

/** The recording's `result` lines, in order. */
function recordedResults(): RecordedResult[] {
  return readFileSync(TRANSCRIPT, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { type: string } & RecordedResult)
    .filter((o) => o.type === "result");
}

function tokens(results: RecordedResult[]) {
  const sum = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };
  for (const r of results) {
    sum.input_tokens += r.usage.input_tokens;
    sum.output_tokens += r.usage.output_tokens;
    sum.cache_read_tokens += r.usage.cache_read_input_tokens;
    sum.cache_write_tokens += r.usage.cache_creation_input_tokens;
  }
  return sum;
}

const runs = useSortieRuns(15_000);

describe("sortie with claude 2.1.332's recorded stream", () => {
  test(
    "adopts the CLI's session id, resumes it after a SIGTERM restart, and records each run's tokens " +
      "from the result lines",
    async () => {
      const w = runs.dir("sortie-e2e-claude-replay-");
      const replayDir = join(w.dir, "replay");
      const argvDir = join(w.dir, "argv");
      mkdirSync(replayDir);
      mkdirSync(argvDir);
      w.writeIssues([{ id: "1", identifier: "CC-1", title: "Write a greeting", state: "To Do" }]);
      w.writeWorkflow(claudeFrontMatter(w, { maxTurns: 2, command: `${ARGV_RECORDER} ${REPLAY}` }));
      const env = {
        HOME: w.dir,
        ARGV_DIR: argvDir,
        REPLAY_DIR: replayDir,
        REPLAY_TRANSCRIPT: TRANSCRIPT,
      };
      const results = recordedResults();
      expect(results).toHaveLength(3);
      const recordedSession = results[0]?.session_id ?? "";

      const port = freePort();
      const first = runs.start(["--port", String(port), w.workflow], { cwd: w.dir, env });
      // Invocation 2 was killed while the model was answering: its replay hangs the same way.
      const running = await waitFor(async () => {
        const state = (await (await fetch(`http://127.0.0.1:${port}/api/v1/state`)).json()) as {
          running: { turn_count: number; session_id: string; tokens: object; cost_usd?: number }[];
        };
        const entry = state.running[0];
        return entry?.turn_count === 1 && recordedInvocations(argvDir).length === 2 ? entry : undefined;
      });
      const run1 = tokens(results.slice(0, 1));
      expect(running.session_id).toBe(recordedSession);
      expect(running.tokens).toEqual({ ...run1, total_tokens: run1.input_tokens + run1.output_tokens });
      expect(running.cost_usd).toBe(results[0]?.total_cost_usd ?? -1);

      expect(await first.stop()).toBe(0);
      expect(query(w.dbPath, "SELECT session_id FROM retry_entries")).toEqual([
        { session_id: recordedSession },
      ]);

      const second = runs.start(["--port", "0", w.workflow], { cwd: w.dir, env });
      await waitFor(() => w.issue("1")?.state === "Human Review", { what: "hand-off after the restart" });
      await waitFor(() => query(w.dbPath, "SELECT id FROM run_history").length === 2);

      // sortie chose the first id; every later call resumes the id the CLI reported.
      const calls = recordedInvocations(argvDir);
      expect(
        calls.map((argv) => (argv.includes("--session-id") ? "new" : flagValue(argv, "--resume"))),
      ).toEqual(["new", recordedSession, recordedSession, recordedSession]);
      const rows = query(
        w.dbPath,
        "SELECT status, attempt, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens " +
          "FROM run_history ORDER BY id",
      );
      // Each run counts its own requests: the resumed session's counters start again from 0.
      expect(rows).toEqual([
        { status: "timed_out", attempt: 1, ...run1 },
        { status: "succeeded", attempt: 2, ...tokens(results.slice(1)) },
      ]);
      expect(await second.stop()).toBe(0);
    },
  );
});
