// The JSON documents of the running binary, field by field: /api/status, /api/v1/state and the
// per-issue detail, for sessions in a long mock turn, after a completed turn, and in the retry
// queue after a failing turn; identifiers are percent-decoded, case-sensitive and bounded.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { ISSUE_DETAIL_KEYS, RUNNING_ENTRY_KEYS, STATUS_KEYS } from "../../helpers/api-documents.ts";
import { waitFor } from "../../helpers/wait.ts";
import { type HttpSortie, httpRuns, JSON_TYPE, RFC3339_UTC, rawRequest, ZERO_TIME } from "./harness.ts";

setDefaultTimeout(60_000);

const runs = httpRuns();
afterEach(() => runs.cleanup());

type Json = Record<string, unknown>;

interface State {
  generated_at: string;
  counts: { running: number; retrying: number };
  running: Json[];
  retrying: Json[];
  agent_totals: Json;
  rate_limits: Json;
}

function expectDocumentedOrder(entry: Json): void {
  const keys = Object.keys(entry);
  expect(keys).toEqual(RUNNING_ENTRY_KEYS.filter((k) => keys.includes(k)));
}

async function detail(s: HttpSortie, rawSegment: string): Promise<{ status: number; body: Json }> {
  const res = await s.get(`/api/v1/${rawSegment}`);
  expect(res.headers.get("content-type")).toBe(JSON_TYPE);
  return { status: res.status, body: (await res.json()) as Json };
}

function notFoundBody(shown: string): Json {
  return {
    error: { code: "issue_not_found", message: `issue identifier "${shown}" not found in current state` },
  };
}

describe("sessions in a long mock turn", () => {
  test("/api/v1/state lists each running session with tokens unknown until the agent reports them", async () => {
    const s = await runs.start({
      issues: [
        { id: "1", identifier: "E2E-1", title: "First", state: "To Do", priority: 1 },
        { id: "42", identifier: "owner/repo#42", title: "Slashed", state: "To Do", priority: 2 },
        { id: "3", identifier: "E2E-3", title: "Parked", state: "Backlog" },
      ],
      frontMatter: { mock: "  turn_delay_ms: 600000" },
    });
    const state = await waitFor(
      async () => {
        const st = await s.json<State>("/api/v1/state");
        const settled = st.running.every((r) => r.session_id !== "" && r.state === "In Progress");
        return st.counts.running === 2 && settled && st;
      },
      { what: "two running sessions" },
    );

    expect(Object.keys(state)).toEqual([
      "generated_at",
      "counts",
      "running",
      "retrying",
      "agent_totals",
      "rate_limits",
    ]);
    expect(state.generated_at).toMatch(RFC3339_UTC);
    expect(state.counts).toEqual({ running: 2, retrying: 0 });
    expect(state.retrying).toEqual([]);
    expect(state.rate_limits).toEqual({});
    expect(state.agent_totals).toMatchObject({
      input_tokens: 0,
      output_tokens: 0,
      total_tokens: 0,
      cache_read_tokens: 0,
    });
    expect(Object.keys(state.agent_totals)).toEqual([
      "input_tokens",
      "output_tokens",
      "total_tokens",
      "cache_read_tokens",
      "seconds_running",
    ]);
    expect(state.agent_totals.seconds_running).toBeGreaterThan(0);

    const byId = new Map(state.running.map((r) => [r.issue_identifier, r]));
    expect([...byId.keys()].sort()).toEqual(["E2E-1", "owner/repo#42"]);
    for (const [identifier, id, key] of [
      ["E2E-1", "1", "E2E-1"],
      ["owner/repo#42", "42", "owner_repo_42"],
    ] as const) {
      const entry = byId.get(identifier) as Json;
      expect(entry).toEqual({
        issue_id: id,
        issue_identifier: identifier,
        state: "In Progress",
        session_id: "mock-session-001",
        turn_count: 0,
        last_event: "",
        last_message: "",
        started_at: expect.stringMatching(RFC3339_UTC),
        last_event_at: ZERO_TIME,
        workspace_path: join(s.w.workspaces, key),
        tokens: {
          input_tokens: null,
          output_tokens: null,
          total_tokens: null,
          cache_read_tokens: null,
          cache_write_tokens: null,
        },
        api_request_count: 0,
        tool_time_percent: null,
        api_time_percent: null,
        agent_kind: "mock",
      });
      expectDocumentedOrder(entry);
      expect(Date.parse(entry.started_at as string)).toBeLessThanOrEqual(Date.parse(state.generated_at));
      expect(statSync(entry.workspace_path as string).isDirectory()).toBe(true);
    }
  });

  test("/api/status summarises readiness, counts and slots", async () => {
    const s = await runs.start({
      issues: [{ id: "1", identifier: "E2E-1", title: "First", state: "To Do" }],
      frontMatter: { mock: "  turn_delay_ms: 600000", maxAgents: 3 },
    });
    const status = await waitFor(
      async () => {
        const st = await s.json("/api/status");
        return (st.counts as { running: number }).running === 1 && st;
      },
      { what: "one running session" },
    );
    expect(Object.keys(status)).toEqual(STATUS_KEYS.filter((k) => k !== "tracker_rate_limits"));
    expect(status).toMatchObject({
      status: "pass",
      draining: false,
      checks: { database: "pass", preflight: "pass", workflow: "pass" },
      counts: { running: 1, retrying: 0 },
      slots: { max_concurrent_agents: 3, available: 2 },
      agent_totals: { input_tokens: 0, output_tokens: 0, total_tokens: 0, cache_read_tokens: 0 },
    });
    expect(status.version).toEqual(expect.any(String));
    expect(status.version).not.toBe("");
    expect(status.uptime_seconds).toBeGreaterThan(0);
    expect(status.generated_at).toMatch(RFC3339_UTC);
    // The same version everywhere it shows.
    const readyz = await s.json("/readyz");
    expect(readyz.version).toBe(status.version);
    expect(await (await s.get("/metrics")).text()).toContain(`sortie_build_info{version="${status.version}"`);
  });

  test("the detail route finds running issues by percent-decoded, case-sensitive tracker identifier", async () => {
    const s = await runs.start({
      issues: [
        { id: "1", identifier: "E2E-1", title: "First", state: "To Do", priority: 1 },
        { id: "42", identifier: "owner/repo#42", title: "Slashed", state: "To Do", priority: 2 },
      ],
      frontMatter: { mock: "  turn_delay_ms: 600000" },
    });
    const state = await waitFor(
      async () => {
        const st = await s.json<State>("/api/v1/state");
        return st.counts.running === 2 && st.running.every((r) => r.state === "In Progress") && st;
      },
      { what: "two running sessions" },
    );
    const entry = (identifier: string) => state.running.find((r) => r.issue_identifier === identifier);

    const plain = await detail(s, "E2E-1");
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({
      issue_identifier: "E2E-1",
      issue_id: "1",
      status: "running",
      workspace: { path: join(s.w.workspaces, "E2E-1") },
      attempts: { restart_count: 0, current_retry_attempt: 0 },
      running: entry("E2E-1"),
      retry: null,
      recent_events: [],
      last_error: null,
      tracked: {},
    });
    expect(Object.keys(plain.body)).toEqual(ISSUE_DETAIL_KEYS);

    for (const encoded of ["owner%2Frepo%2342", "owner%2frepo%2342", encodeURIComponent("owner/repo#42")]) {
      const slashed = await detail(s, encoded);
      expect(slashed.status).toBe(200);
      expect(slashed.body).toMatchObject({
        issue_identifier: "owner/repo#42",
        issue_id: "42",
        status: "running",
        workspace: { path: join(s.w.workspaces, "owner_repo_42") },
        running: entry("owner/repo#42"),
      });
    }
    // An unencoded slash makes two segments: no route.
    const twoSegments = await rawRequest(s.port, "GET", "/api/v1/owner/repo%2342");
    expect(twoSegments.status).toBe(404);
    expect(twoSegments.body).toBe("404 page not found\n");

    expect(await detail(s, "e2e-1")).toEqual({ status: 404, body: notFoundBody("e2e-1") });
    expect(await detail(s, "NOPE-9")).toEqual({ status: 404, body: notFoundBody("NOPE-9") });
    // Identifiers literally named like the fixed routes are shadowed by them.
    expect((await s.get("/api/v1/state")).status).toBe(200);
  });

  test("identifiers over 256 bytes, with control characters or broken escapes are 404 without a lookup, cut in the message", async () => {
    const s = await runs.start({
      issues: [{ id: "1", identifier: "E2E-1", title: "First", state: "To Do" }],
      frontMatter: { mock: "  turn_delay_ms: 600000" },
    });
    const cut = (text: string) => `${Array.from(text).slice(0, 64).join("")}…`;

    const long = "A".repeat(257);
    expect(await detail(s, long)).toEqual({ status: 404, body: notFoundBody(cut(long)) });
    // Up to 256 bytes an identifier is looked up, and an unknown one is echoed whole, as the original does.
    const exactly256 = "B".repeat(256);
    expect(await detail(s, exactly256)).toEqual({ status: 404, body: notFoundBody(exactly256) });
    const hundred = `X-${"9".repeat(98)}`;
    expect(await detail(s, hundred)).toEqual({ status: 404, body: notFoundBody(hundred) });
    // 129 two-byte characters: 258 bytes.
    const wide = "é".repeat(129);
    expect(await detail(s, encodeURIComponent(wide))).toEqual({ status: 404, body: notFoundBody(cut(wide)) });
    const huge = "Z".repeat(8000);
    expect(await detail(s, huge)).toEqual({ status: 404, body: notFoundBody(cut(huge)) });
    // A short identifier is echoed whole.
    expect(await detail(s, "x%20y")).toEqual({ status: 404, body: notFoundBody("x y") });

    for (const raw of ["E2E-1%00", "E2E-1%0A", "E2E-1%7F", "%C2%85E2E-1"]) {
      const res = await detail(s, raw);
      expect(res.status).toBe(404);
      expect((res.body.error as Json).code).toBe("issue_not_found");
    }
    const broken = await detail(s, "%E0%A4%A");
    expect(broken).toEqual({ status: 404, body: notFoundBody("%E0%A4%A") });
    // The real issue is still found.
    expect((await detail(s, "E2E-1")).status).toBe(200);
  });
});

describe("sessions after a completed turn", () => {
  test("a running entry carries cumulative tokens, model, request and time shares and an estimated cost; unreported counters stay null", async () => {
    const s = await runs.start({
      issues: [{ id: "5", identifier: "TOK-5", title: "Tokens", state: "To Do" }],
      edit: (fm) => fm.replace("max_turns: 1", "max_turns: 2"),
      frontMatter: {
        mock: [
          "  turn_delay_ms: 3000",
          "  cache_read_tokens_per_turn: 40",
          "  model_name: mock-model",
          "  api_duration_ms: 400",
          "  tool_calls:",
          "    - tool_name: Bash",
          "      duration_ms: 250",
        ].join("\n"),
        // USD per million tokens; the invalid entry is skipped with a warning.
        extra: [
          "token_rates:",
          "  mock: { input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3 }",
          "  claude-code: { input_per_mtok: -1 }",
        ].join("\n"),
      },
    });
    const state = await waitFor(
      async () => {
        const st = await s.json<State & { active_estimated_cost_usd?: number }>("/api/v1/state");
        return st.running[0]?.turn_count === 1 && st;
      },
      { what: "first turn completed, second running" },
    );
    const entry = state.running[0] as Json;
    expect(entry).toMatchObject({
      issue_id: "5",
      issue_identifier: "TOK-5",
      state: "In Progress",
      session_id: "mock-session-001",
      turn_count: 1,
      last_event: "turn_completed",
      last_message: "mock turn completed",
      tokens: {
        input_tokens: 100,
        output_tokens: 50,
        total_tokens: 150,
        cache_read_tokens: 40,
        cache_write_tokens: null,
      },
      model_name: "mock-model",
      api_request_count: 1,
      requests_by_model: { "mock-model": 1 },
      agent_kind: "mock",
    });
    expect(entry.last_event_at).toMatch(RFC3339_UTC);
    expect(entry.last_event_at).not.toBe(ZERO_TIME);
    expect(entry).not.toHaveProperty("cost_usd");
    expect(entry).not.toHaveProperty("display_identifier");
    expect(entry.tool_time_percent).toEqual(expect.any(Number));
    expect(entry.api_time_percent).toEqual(expect.any(Number));
    expect(entry.tool_time_percent as number).toBeGreaterThan(0);
    expect(entry.api_time_percent as number).toBeGreaterThan(0);
    expectDocumentedOrder(entry);

    // (100 × 3 + 50 × 15 + 40 × 0.3) / 1,000,000 USD.
    expect(state.active_estimated_cost_usd).toBeCloseTo(0.001062, 9);
    const status = await s.json("/api/status");
    expect(status.agent_totals).toMatchObject({
      input_tokens: 100,
      output_tokens: 50,
      total_tokens: 150,
      cache_read_tokens: 40,
    });
    expect(status.active_estimated_cost_usd).toBeCloseTo(0.001062, 9);
    expect(s.p.logs("skipped invalid token rate entry")).toEqual([
      expect.objectContaining({
        level: "WARN",
        detail: "token_rates.claude-code.input_per_mtok: negative rate -1",
      }),
    ]);
  });
});

describe("the retry queue", () => {
  test("a failing turn leaves a retry entry in the state and the detail route until it is due", async () => {
    const s = await runs.start({
      issues: [{ id: "9", identifier: "RETRY-9", title: "Fails once", state: "To Do" }],
      frontMatter: {
        mock: "  turn_outcomes: [failed]",
      },
      // The first failure waits min(10 s, cap): long enough to look at it.
      edit: (fm) => fm.replace("max_retry_backoff_ms: 500", "max_retry_backoff_ms: 600000"),
    });
    const state = await waitFor(
      async () => {
        const st = await s.json<State>("/api/v1/state");
        return st.counts.retrying === 1 && st;
      },
      { what: "one retry entry" },
    );
    expect(state.counts).toEqual({ running: 0, retrying: 1 });
    expect(state.running).toEqual([]);
    const retry = state.retrying[0] as Json;
    expect(Object.keys(retry)).toEqual(["issue_id", "issue_identifier", "attempt", "due_at", "error"]);
    expect(retry).toEqual({
      issue_id: "9",
      issue_identifier: "RETRY-9",
      attempt: 1,
      due_at: expect.stringMatching(RFC3339_UTC),
      error: expect.stringContaining("mock turn failed"),
    });
    const wait = Date.parse(retry.due_at as string) - Date.parse(state.generated_at);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(10_000);
    // The failed turn's tokens are in the totals.
    expect(state.agent_totals).toMatchObject({ input_tokens: 100, output_tokens: 50, total_tokens: 150 });

    const d = await detail(s, "RETRY-9");
    expect(d).toEqual({
      status: 200,
      body: {
        issue_identifier: "RETRY-9",
        issue_id: "9",
        status: "retrying",
        workspace: null,
        attempts: { restart_count: 0, current_retry_attempt: 1 },
        running: null,
        retry,
        recent_events: [],
        last_error: retry.error,
        tracked: {},
      },
    });

    const status = await s.json("/api/status");
    expect(status).toMatchObject({
      counts: { running: 0, retrying: 1 },
      slots: { max_concurrent_agents: 2, available: 2 },
    });

    // A finished issue is not in memory any more: 404. The retry succeeds after its backoff.
    await waitFor(() => s.w.issue("9")?.state === "Human Review", {
      what: "the retry hands the issue off",
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await s.get("/api/v1/RETRY-9")).status === 404, { what: "detail gone" });
  });
});
