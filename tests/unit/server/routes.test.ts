import { describe, expect, test } from "bun:test";
import { type AppOptions, createApp } from "../../../src/server/app.ts";
import { NO_HISTORY } from "../../../src/server/history.ts";
import { createPrometheusMetrics } from "../../../src/server/metrics.ts";
import { ISSUE_DETAIL_KEYS, STATUS_KEYS } from "../../helpers/api-documents.ts";
import { captureLogger } from "./capture-logger.ts";
import { FakeView, GENERATED_AT, makeRetry, makeRunning, makeSnapshot } from "./fake-view.ts";

const JSON_TYPE = "application/json; charset=utf-8";
const STARTED_AT = new Date("2026-04-26T09:13:07.323Z");
const NOW = new Date("2026-04-26T10:15:30.123Z");

function setup(overrides: Partial<AppOptions> = {}, view = new FakeView()) {
  const { logger, records } = captureLogger();
  const app = createApp({
    view,
    version: "1.0.0",
    startedAt: STARTED_AT,
    dbPing: () => true,
    history: NO_HISTORY,
    logger,
    now: () => NOW,
    ...overrides,
  });
  return { app, view, records };
}

async function json(response: Response): Promise<unknown> {
  const text = await response.text();
  expect(text.endsWith("}\n")).toBe(true);
  return JSON.parse(text);
}

describe("GET /livez", () => {
  test("answers pass with an explicit JSON charset and a trailing newline", async () => {
    const { app } = setup();
    const res = await app.request("/livez");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await res.text()).toBe('{"status":"pass"}\n');
  });

  test("answers HEAD through the GET route with no body", async () => {
    const { app } = setup();
    const res = await app.request("/livez", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  test("fails with 503 once draining", async () => {
    const { app, view } = setup();
    view.flags.draining = true;
    const res = await app.request("/livez");
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('{"status":"fail"}\n');
  });

  test("does not depend on the database", async () => {
    const { app } = setup({ dbPing: () => false });
    expect((await app.request("/livez")).status).toBe(200);
  });

  test("ignores unknown query parameters", async () => {
    const { app } = setup();
    expect((await app.request("/livez?verbose=1")).status).toBe(200);
  });

  test("answers other methods 405 with the JSON envelope, Allow: GET, HEAD and a WARN", async () => {
    const { app, records } = setup();
    const res = await app.request("/livez", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await json(res)).toEqual({
      error: { code: "method_not_allowed", message: "method POST is not allowed on this endpoint" },
    });
    expect(records).toContainEqual({
      level: "warn",
      message: "method not allowed",
      properties: { method: "POST", path: "/livez" },
    });
  });
});

describe("GET /readyz", () => {
  test("passes with every check passing", async () => {
    const { app } = setup();
    const res = await app.request("/readyz");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await json(res)).toEqual({
      status: "pass",
      version: "1.0.0",
      uptime_seconds: (NOW.getTime() - STARTED_AT.getTime()) / 1000,
      checks: { database: "pass", preflight: "pass", workflow: "pass" },
    });
  });

  test("fails 503 when the last preflight failed", async () => {
    const { app, view } = setup();
    view.flags.preflightOk = false;
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    const body = (await json(res)) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe("fail");
    expect(body.checks).toEqual({ database: "pass", preflight: "fail", workflow: "pass" });
  });

  test("fails the database check when the ping returns false, throws or rejects", async () => {
    for (const dbPing of [
      () => false,
      () => {
        throw new Error("disk I/O error");
      },
      () => Promise.reject(new Error("closed")),
    ]) {
      const { app } = setup({ dbPing });
      const res = await app.request("/readyz");
      expect(res.status).toBe(503);
      expect(((await json(res)) as { checks: { database: string } }).checks.database).toBe("fail");
    }
  });

  test("fails the database check when the ping never answers", async () => {
    const { app } = setup({ dbPing: () => new Promise<boolean>(() => {}) });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(((await json(res)) as { checks: { database: string } }).checks.database).toBe("fail");
  });

  test("fails every check while draining without pinging the database", async () => {
    let pinged = 0;
    const { app, view } = setup({
      dbPing: () => {
        pinged++;
        return true;
      },
    });
    view.flags.draining = true;
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(((await json(res)) as { checks: unknown }).checks).toEqual({
      database: "fail",
      preflight: "fail",
      workflow: "fail",
    });
    expect(pinged).toBe(0);
  });

  test("reports preflight and startup as failing while start-up is still running", async () => {
    const { app, view } = setup();
    view.flags.started = false;
    view.flags.workflowLoaded = true;
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(((await json(res)) as { checks: unknown }).checks).toEqual({
      database: "pass",
      preflight: "fail",
      workflow: "pass",
      startup: "fail",
    });
  });

  test("fails the workflow check until a workflow has loaded", async () => {
    const { app, view } = setup();
    view.flags.workflowLoaded = false;
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(((await json(res)) as { checks: { workflow: string } }).checks.workflow).toBe("fail");
  });

  test("reports dev as the version of unversioned builds", async () => {
    const { app } = setup({ version: "" });
    expect(((await json(await app.request("/readyz"))) as { version: string }).version).toBe("dev");
  });
});

describe("GET /api/status", () => {
  test("merges readiness and headline state", async () => {
    const view = new FakeView(
      makeSnapshot({
        running: [makeRunning(), makeRunning({ issueId: "2", identifier: "PROJ-2" })],
        retrying: [makeRetry()],
        maxConcurrentAgents: 2,
        trackerRateLimits: [
          { resource: "core", until: new Date("2026-04-26T10:30:00Z"), reason: "rate limited (primary)" },
        ],
      }),
    );
    const { app } = setup({}, view);
    const res = await app.request("/api/status");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    const text = await res.text();
    expect(Object.keys(JSON.parse(text))).toEqual(STATUS_KEYS);
    expect(JSON.parse(text)).toEqual({
      status: "pass",
      draining: false,
      version: "1.0.0",
      uptime_seconds: (NOW.getTime() - STARTED_AT.getTime()) / 1000,
      generated_at: "2026-04-26T10:15:30.123Z",
      checks: { database: "pass", preflight: "pass", workflow: "pass" },
      counts: { running: 2, retrying: 1 },
      slots: { max_concurrent_agents: 2, available: 0 },
      agent_totals: {
        input_tokens: 5000,
        output_tokens: 2400,
        total_tokens: 7400,
        cache_read_tokens: 1500,
        seconds_running: 1834.2,
      },
      tracker_rate_limits: {
        core: { limit: null, remaining: null, reset_at: "2026-04-26T10:30:00.000Z", paused: true },
      },
    });
  });

  test("stays 200 with status fail and draining true during drain", async () => {
    const { app, view } = setup();
    view.flags.draining = true;
    const res = await app.request("/api/status");
    expect(res.status).toBe(200);
    const body = (await json(res)) as { status: string; draining: boolean; checks: unknown };
    expect(body.status).toBe("fail");
    expect(body.draining).toBe(true);
    expect(body.checks).toEqual({ database: "fail", preflight: "fail", workflow: "fail" });
  });

  test("never reports negative available slots", async () => {
    const view = new FakeView(
      makeSnapshot({ running: [makeRunning(), makeRunning(), makeRunning()], maxConcurrentAgents: 1 }),
    );
    const { app } = setup({}, view);
    const body = (await json(await app.request("/api/status"))) as { slots: unknown };
    expect(body.slots).toEqual({ max_concurrent_agents: 1, available: 0 });
  });

  test("adds the active cost estimate only when rates match a running session", async () => {
    const view = new FakeView(
      makeSnapshot({
        running: [makeRunning({ agentKind: "claude-code", inputTokens: 1_000_000, outputTokens: 100_000 })],
      }),
    );
    const withRates = setup({ tokenRates: { "claude-code": { inputPerMtok: 3, outputPerMtok: 15 } } }, view);
    const body = (await json(await withRates.app.request("/api/status"))) as Record<string, unknown>;
    expect(body.active_estimated_cost_usd).toBeCloseTo(4.5, 10);

    const otherKind = setup({ tokenRates: { codex: { inputPerMtok: 1 } } }, view);
    expect(await json(await otherKind.app.request("/api/status"))).not.toHaveProperty(
      "active_estimated_cost_usd",
    );
    const none = setup({}, view);
    expect(await json(await none.app.request("/api/status"))).not.toHaveProperty("active_estimated_cost_usd");
  });

  test("answers 503 snapshot_unavailable when no snapshot can be produced", async () => {
    const { app, records } = setup({}, new FakeView(null));
    const res = await app.request("/api/status");
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({
      error: { code: "snapshot_unavailable", message: "orchestrator state snapshot unavailable" },
    });
    expect(records.some((r) => r.level === "warn" && r.message === "snapshot request failed")).toBe(true);
  });

  test("answers other methods 405 with Allow: GET", async () => {
    const { app } = setup();
    const res = await app.request("/api/status", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
  });
});

describe("GET /api/v1/state", () => {
  test("serialises the documented example field by field", async () => {
    const startedAt = new Date("2026-04-26T10:01:00.000Z");
    const elapsed = GENERATED_AT.getTime() - startedAt.getTime();
    const view = new FakeView(
      makeSnapshot({
        running: [
          makeRunning({
            costUsd: 0.42,
            modelName: "example-model",
            requestsByModel: { "example-model": 3 },
            toolTimeMs: elapsed / 8,
            selfReviewActive: true,
            selfReviewIteration: 1,
            displayId: "PROJ-42",
          }),
        ],
        retrying: [makeRetry()],
      }),
    );
    const { app } = setup({}, view);
    const res = await app.request("/api/v1/state");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await json(res)).toEqual({
      generated_at: "2026-04-26T10:15:30.123Z",
      counts: { running: 1, retrying: 1 },
      running: [
        {
          issue_id: "10042",
          issue_identifier: "PROJ-42",
          display_identifier: "PROJ-42",
          state: "In Progress",
          session_id: "sess-01",
          turn_count: 3,
          last_event: "tool_result",
          last_message: "",
          started_at: "2026-04-26T10:01:00.000Z",
          last_event_at: "2026-04-26T10:15:10.000Z",
          workspace_path: "/home/sortie/data/workspaces/PROJ-42",
          tokens: {
            input_tokens: 1200,
            output_tokens: 800,
            total_tokens: 2000,
            cache_read_tokens: 400,
            cache_write_tokens: 50,
          },
          cost_usd: 0.42,
          model_name: "example-model",
          api_request_count: 3,
          requests_by_model: { "example-model": 3 },
          tool_time_percent: 12.5,
          api_time_percent: null,
          self_review_active: true,
          self_review_iteration: 1,
          agent_kind: "claude-code",
        },
      ],
      retrying: [
        {
          issue_id: "10043",
          issue_identifier: "PROJ-43",
          attempt: 2,
          due_at: "2026-04-26T10:16:00.000Z",
          error: "agent exited with code 1",
        },
      ],
      agent_totals: {
        input_tokens: 5000,
        output_tokens: 2400,
        total_tokens: 7400,
        cache_read_tokens: 1500,
        seconds_running: 1834.2,
      },
      rate_limits: {},
    });
  });

  test("keeps unknown token counters null and omits empty optional fields", async () => {
    const view = new FakeView(
      makeSnapshot({
        running: [
          makeRunning({
            inputTokens: null,
            outputTokens: null,
            totalTokens: null,
            cacheReadTokens: null,
            cacheWriteTokens: null,
            agentKind: "",
            lastEventAt: null,
            lastEvent: "",
          }),
        ],
      }),
    );
    const { app } = setup({}, view);
    const body = (await json(await app.request("/api/v1/state"))) as {
      running: Array<Record<string, unknown>>;
    };
    const entry = body.running[0]!;
    expect(entry.tokens).toEqual({
      input_tokens: null,
      output_tokens: null,
      total_tokens: null,
      cache_read_tokens: null,
      cache_write_tokens: null,
    });
    for (const key of [
      "display_identifier",
      "cost_usd",
      "premium_requests",
      "model_name",
      "requests_by_model",
      "self_review_active",
      "self_review_iteration",
      "agent_kind",
    ]) {
      expect(entry).not.toHaveProperty(key);
    }
    expect(entry.last_event_at).toBe("0001-01-01T00:00:00Z");
    expect(entry.last_event).toBe("");
    expect(entry.tool_time_percent).toBeNull();
  });

  test("serialises empty queues as arrays, never null", async () => {
    const { app } = setup();
    const text = await (await app.request("/api/v1/state")).text();
    expect(text).toContain('"running":[]');
    expect(text).toContain('"retrying":[]');
    expect(text).toContain('"rate_limits":{}');
    expect(text).not.toContain("active_estimated_cost_usd");
  });

  test("answers 503 and logs WARN when the orchestrator cannot produce a snapshot", async () => {
    const { app, records } = setup({}, new FakeView(null));
    const res = await app.request("/api/v1/state");
    expect(res.status).toBe(503);
    expect(((await json(res)) as { error: { code: string } }).error.code).toBe("snapshot_unavailable");
    const warn = records.find((r) => r.message === "snapshot request failed");
    expect(warn?.level).toBe("warn");
    expect(warn?.properties).toMatchObject({ method: "GET", path: "/api/v1/state" });
  });

  test("logs DEBUG request served with status and duration", async () => {
    const { app, records } = setup();
    await app.request("/api/v1/state");
    const served = records.find((r) => r.message === "request served");
    expect(served?.level).toBe("debug");
    expect(served?.properties).toMatchObject({ method: "GET", path: "/api/v1/state", status: 200 });
    expect(typeof served?.properties.duration_ms).toBe("number");
  });

  test("answers 500 internal_error when the document cannot be encoded", async () => {
    const view = new FakeView(makeSnapshot({ rateLimits: { remaining: 10n } }));
    const { app } = setup({}, view);
    const res = await app.request("/api/v1/state");
    expect(res.status).toBe(500);
    expect(await json(res)).toEqual({
      error: { code: "internal_error", message: "failed to encode response" },
    });
  });

  test("answers POST 405 with Allow: GET", async () => {
    const { app } = setup();
    const res = await app.request("/api/v1/state", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(((await json(res)) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});

describe("GET /api/v1/{identifier}", () => {
  const detailView = () =>
    new FakeView(
      makeSnapshot({
        running: [
          makeRunning({ identifier: "owner/repo#42", displayId: "repo#42", issueId: "I_1" }),
          makeRunning({ identifier: "BOTH-1", issueId: "b1" }),
        ],
        retrying: [
          makeRetry({ identifier: "PROJ-43", attempt: 3 }),
          makeRetry({ identifier: "BOTH-1", issueId: "b1", attempt: 2, error: "boom" }),
          makeRetry({ identifier: "PROJ-44", attempt: 1, error: "" }),
        ],
      }),
    );

  test("percent-decodes the segment and finds the running entry", async () => {
    const { app } = setup({}, detailView());
    const res = await app.request("/api/v1/owner%2Frepo%2342");
    expect(res.status).toBe(200);
    const body = (await json(res)) as Record<string, unknown>;
    expect(body.issue_identifier).toBe("owner/repo#42");
    expect(body.issue_id).toBe("I_1");
    expect(body.status).toBe("running");
    expect(body.workspace).toEqual({ path: "/home/sortie/data/workspaces/PROJ-42" });
    expect(body.attempts).toEqual({ restart_count: 0, current_retry_attempt: 0 });
    expect((body.running as Record<string, unknown>).issue_identifier).toBe("owner/repo#42");
    expect(body.retry).toBeNull();
    expect(body.recent_events).toEqual([]);
    expect(body.last_error).toBeNull();
    expect(body.tracked).toEqual({});
  });

  test("reports retry entries with restart count and last error", async () => {
    const { app } = setup({}, detailView());
    const body = (await json(await app.request("/api/v1/PROJ-43"))) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(ISSUE_DETAIL_KEYS);
    expect(body.status).toBe("retrying");
    expect(body.workspace).toBeNull();
    expect(body.running).toBeNull();
    expect(body.attempts).toEqual({ restart_count: 2, current_retry_attempt: 3 });
    expect(body.last_error).toBe("agent exited with code 1");

    const first = (await json(await app.request("/api/v1/PROJ-44"))) as Record<string, unknown>;
    expect(first.attempts).toEqual({ restart_count: 0, current_retry_attempt: 1 });
    expect(first.last_error).toBeNull();
  });

  test("prefers the running entry when an issue is in both queues", async () => {
    const { app } = setup({}, detailView());
    const body = (await json(await app.request("/api/v1/BOTH-1"))) as Record<string, unknown>;
    expect(body.status).toBe("running");
    expect(body.attempts).toEqual({ restart_count: 1, current_retry_attempt: 2 });
    expect(body.last_error).toBe("boom");
    expect(body.retry).not.toBeNull();
  });

  test("matches the tracker identifier case-sensitively, never the display identifier", async () => {
    const { app } = setup({}, detailView());
    for (const path of ["/api/v1/proj-43", "/api/v1/repo%2342", "/api/v1/I_1"]) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
    }
  });

  test("answers unknown identifiers 404 issue_not_found", async () => {
    const { app } = setup({}, detailView());
    const res = await app.request("/api/v1/NOPE-1");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await json(res)).toEqual({
      error: { code: "issue_not_found", message: 'issue identifier "NOPE-1" not found in current state' },
    });
  });

  test("rejects identifiers over 256 bytes without a lookup, cutting the message to 64 characters", async () => {
    const { app, view } = setup({}, detailView());
    const long = "A".repeat(257);
    const before = view.snapshotCalls;
    const res = await app.request(`/api/v1/${long}`);
    expect(res.status).toBe(404);
    const body = (await json(res)) as { error: { message: string } };
    expect(body.error.message).toBe(`issue identifier "${"A".repeat(64)}…" not found in current state`);
    expect(view.snapshotCalls).toBe(before);

    // 86 three-byte characters = 258 bytes, though only 86 characters.
    const wide = encodeURIComponent("€".repeat(86));
    expect((await app.request(`/api/v1/${wide}`)).status).toBe(404);
    expect(view.snapshotCalls).toBe(before);

    // A very large segment is answered the same way.
    const huge = await app.request(`/api/v1/${"%41".repeat(100_000)}`);
    expect(huge.status).toBe(404);
    expect(((await json(huge)) as { error: { message: string } }).error.message).toContain(
      `"${"A".repeat(64)}…"`,
    );
  });

  test("accepts an identifier of exactly 256 bytes", async () => {
    const id = "B".repeat(256);
    const view = new FakeView(makeSnapshot({ retrying: [makeRetry({ identifier: id })] }));
    const { app } = setup({}, view);
    expect((await app.request(`/api/v1/${id}`)).status).toBe(200);
  });

  test("rejects control characters and undecodable segments without a lookup", async () => {
    const { app, view } = setup({}, detailView());
    const before = view.snapshotCalls;
    for (const segment of ["PROJ-43%0A", "%00", "bad%ZZ", "%E2%82", "x%7F"]) {
      const res = await app.request(`/api/v1/${segment}`);
      expect(res.status).toBe(404);
      expect(((await json(res)) as { error: { code: string } }).error.code).toBe("issue_not_found");
    }
    expect(view.snapshotCalls).toBe(before);
  });

  test("routes the fixed names state and refresh before the identifier", async () => {
    const view = new FakeView(makeSnapshot({ running: [makeRunning({ identifier: "state" })] }));
    const { app } = setup({}, view);
    const state = (await json(await app.request("/api/v1/state"))) as Record<string, unknown>;
    expect(state).toHaveProperty("generated_at");
    expect((await app.request("/api/v1/refresh")).status).toBe(405);
  });

  test("answers 503 when no snapshot can be produced", async () => {
    const { app } = setup({}, new FakeView(null));
    expect((await app.request("/api/v1/PROJ-1")).status).toBe(503);
  });

  test("answers other methods 405 with Allow: GET", async () => {
    const { app } = setup({}, detailView());
    const res = await app.request("/api/v1/PROJ-43", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(((await json(res)) as { error: { message: string } }).error.message).toBe(
      "method DELETE is not allowed on this endpoint",
    );
  });
});

describe("POST /api/v1/refresh", () => {
  test("queues a refresh", async () => {
    const { app, view } = setup();
    const res = await app.request("/api/v1/refresh", { method: "POST" });
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await json(res)).toEqual({
      queued: true,
      coalesced: false,
      requested_at: "2026-04-26T10:15:30.123Z",
      operations: ["poll", "reconcile"],
    });
    expect(view.refreshCalls).toBe(1);
  });

  test("reports a merged refresh as coalesced", async () => {
    const { app, view } = setup();
    view.refreshAnswer = { queued: true, coalesced: true };
    const res = await app.request("/api/v1/refresh", { method: "POST", body: "{}" });
    expect(res.status).toBe(202);
    expect(((await json(res)) as { coalesced: boolean }).coalesced).toBe(true);
  });

  test("ignores the request body", async () => {
    const { app } = setup();
    const res = await app.request("/api/v1/refresh", { method: "POST", body: "not json at all" });
    expect(res.status).toBe(202);
  });

  test("answers 409 without asking the orchestrator while draining", async () => {
    const { app, view } = setup();
    view.flags.draining = true;
    const res = await app.request("/api/v1/refresh", { method: "POST" });
    expect(res.status).toBe(409);
    expect(await json(res)).toEqual({
      queued: false,
      coalesced: false,
      requested_at: "2026-04-26T10:15:30.123Z",
      operations: [],
    });
    expect(view.refreshCalls).toBe(0);
  });

  test("answers 409 when the orchestrator rejects the refresh", async () => {
    const { app, view } = setup();
    view.refreshAnswer = { queued: false, reason: "draining" };
    const res = await app.request("/api/v1/refresh", { method: "POST" });
    expect(res.status).toBe(409);
    expect(((await json(res)) as { operations: unknown[] }).operations).toEqual([]);
  });

  test("answers GET 405 with Allow: POST", async () => {
    const { app } = setup();
    const res = await app.request("/api/v1/refresh");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(((await json(res)) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});

describe("unknown paths", () => {
  test("answer 404 with the original plain-text body, without trailing-slash normalisation", async () => {
    const { app } = setup();
    for (const path of [
      "/x",
      "/api/v1/",
      "/api/v1/state/",
      "/livez/",
      "/api",
      "/api/v1/a/b",
      "/index.html",
    ]) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text()).toBe("404 page not found\n");
    }
  });

  test("do not expose the metrics route when metrics are disabled", async () => {
    const { app } = setup();
    expect((await app.request("/metrics")).status).toBe(404);
  });
});

describe("non-JSON routes", () => {
  test("answer wrong methods 405 in plain text with Allow: GET, HEAD", async () => {
    const { registry } = createPrometheusMetrics({ version: "1.0.0", defaultMetrics: false });
    const { app, records } = setup({ metrics: { registry } });
    for (const path of ["/", "/metrics", "/favicon.ico"]) {
      const res = await app.request(path, { method: "POST" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text()).toBe("Method Not Allowed\n");
    }
    expect(records.filter((r) => r.message === "method not allowed")).toHaveLength(3);
  });

  test("/api/events answers non-GET methods 405 JSON with Allow: GET", async () => {
    const { app } = setup();
    const res = await app.request("/api/events", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
  });

  test("/metrics serves the exposition format", async () => {
    const { registry } = createPrometheusMetrics({ version: "1.0.0", defaultMetrics: false });
    const { app } = setup({ metrics: { registry } });
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await res.text()).toContain("# TYPE sortie_build_info gauge");
    expect((await app.request("/metrics", { method: "HEAD" })).status).toBe(200);
  });

  test("/metrics keeps answering during drain and after the orchestrator stopped", async () => {
    const { registry } = createPrometheusMetrics({ version: "1.0.0", defaultMetrics: false });
    const { app, view } = setup({ metrics: { registry } }, new FakeView(null));
    view.flags.draining = true;
    expect((await app.request("/metrics")).status).toBe(200);
  });

  test("/favicon.ico serves an embedded multi-size icon with a day of caching", async () => {
    const { app } = setup();
    const res = await app.request("/favicon.ico");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/x-icon");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]);
    const count = bytes[4]! | (bytes[5]! << 8);
    const sizes = Array.from({ length: count }, (_, i) => bytes[6 + i * 16]);
    expect(sizes).toEqual([16, 32, 48]);
  });

  test("/ serves the dashboard as uncached HTML", async () => {
    const { app } = setup();
    const res = await app.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain("<title>Sortie Dashboard</title>");
  });

  test("/ answers 503 with a self-refreshing page and no error text when no snapshot exists", async () => {
    const { app, records } = setup({}, new FakeView(null));
    const res = await app.request("/");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).toContain("temporarily unavailable");
    expect(html).not.toContain("orchestrator not running");
    expect(records.some((r) => r.level === "error" && r.message === "dashboard snapshot failed")).toBe(true);
  });
});

describe("during shutdown", () => {
  test("draining still serves snapshots but refuses refreshes and fails probes", async () => {
    const view = new FakeView(makeSnapshot({ running: [makeRunning()] }));
    const { app } = setup({}, view);
    view.flags.draining = true;
    expect((await app.request("/livez")).status).toBe(503);
    expect((await app.request("/readyz")).status).toBe(503);
    expect((await app.request("/api/status")).status).toBe(200);
    expect((await app.request("/api/v1/state")).status).toBe(200);
    expect((await app.request("/api/v1/PROJ-42")).status).toBe(200);
    expect((await app.request("/")).status).toBe(200);
    expect((await app.request("/api/v1/refresh", { method: "POST" })).status).toBe(409);
  });

  test("after the drain, snapshot routes answer 503 and refresh 409", async () => {
    const view = new FakeView(null);
    view.flags.draining = true;
    const { app } = setup({}, view);
    expect((await app.request("/api/v1/state")).status).toBe(503);
    expect((await app.request("/api/v1/PROJ-42")).status).toBe(503);
    expect((await app.request("/api/status")).status).toBe(503);
    expect((await app.request("/")).status).toBe(503);
    expect((await app.request("/api/v1/refresh", { method: "POST" })).status).toBe(409);
  });
});
