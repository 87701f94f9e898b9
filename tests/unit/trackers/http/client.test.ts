import { afterEach, describe, expect, test } from "bun:test";
import { SortieError } from "../../../../src/domain/errors.ts";
import { createHttpClient, type HttpClientOptions } from "../../../../src/trackers/http/client.ts";
import { apiPath } from "../../../../src/trackers/http/path.ts";
import { RateLimiter } from "../../../../src/trackers/http/rate-limit.ts";
import { type FakeClock, fakeClock, type RecordingLogger, recordingLogger, rejectionOf } from "../support.ts";
import { type FakeServer, json, startFakeServer } from "./fake-server.ts";

const TOKEN = "ghp_s3cretT0kenValue1234";
const servers: FakeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

function fake(...args: Parameters<typeof startFakeServer>): FakeServer {
  const server = startFakeServer(...args);
  servers.push(server);
  return server;
}

function client(server: FakeServer, options: Partial<HttpClientOptions> = {}) {
  const logger = options.logger ?? recordingLogger();
  return createHttpClient({
    baseUrl: `${server.url}/api/`,
    fetch,
    headers: () => ({ authorization: `Bearer ${TOKEN}`, "user-agent": "sortie/test" }),
    secrets: [TOKEN],
    logger,
    ...options,
  });
}

async function sortieError(promise: Promise<unknown>): Promise<SortieError> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(SortieError);
  return err as SortieError;
}

describe("requests", () => {
  test("joins the base URL without its trailing slash, encodes segments and query", async () => {
    const server = fake(() => json({ ok: true }));
    const response = await client(server).request({
      path: apiPath`/repos/${"o"}/${"r"}/labels/${"needs review/ui"}`,
      query: { q: "repo:o/r state:open", per_page: 50, label: ["a", "b"], skip: undefined },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true });
    const [request] = server.requests;
    expect(request?.path).toBe("/api/repos/o/r/labels/needs review/ui");
    expect(response.url).toContain("/api/repos/o/r/labels/needs%20review%2Fui?");
    expect(request?.query.get("q")).toBe("repo:o/r state:open");
    expect(request?.query.getAll("label")).toEqual(["a", "b"]);
    expect(request?.query.has("skip")).toBe(false);
    expect(request?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers.get("user-agent")).toBe("sortie/test");
  });

  test("sends JSON bodies with a content type and per-request headers", async () => {
    const server = fake(() => json({ id: 1 }, { status: 201 }));
    const response = await client(server).request({
      method: "POST",
      path: "/issues/1/comments",
      json: { body: "hi" },
      headers: { "x-extra": "1" },
    });
    expect(response.status).toBe(201);
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.headers.get("x-extra")).toBe("1");
    expect(JSON.parse(request?.body ?? "")).toEqual({ body: "hi" });
  });

  test("exposes response headers such as ETag and rate-limit counters", async () => {
    const server = fake(() => json([], { headers: { etag: 'W/"abc"', "x-ratelimit-remaining": "42" } }));
    const response = await client(server).request({ path: "/issues/1" });
    expect(response.headers.get("etag")).toBe('W/"abc"');
    expect(response.headers.get("x-ratelimit-remaining")).toBe("42");
  });

  test("returns text bodies on request", async () => {
    const server = fake(() => new Response("line one\nline two"));
    const response = await client(server).request({ path: "/log", responseType: "text" });
    expect(response.body).toBe("line one\nline two");
  });

  test("an unparseable JSON body is a payload error with the caller's message", async () => {
    const server = fake(() => new Response("{not json"));
    const error = await sortieError(
      client(server).request({ path: "/issues", parseErrorMessage: "failed to parse issues response" }),
    );
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toBe("failed to parse issues response");
  });
});

describe("success codes", () => {
  const cases = [
    ["GET 200 succeeds", "GET", 200, undefined, {}, true],
    ["GET 201 fails", "GET", 201, undefined, {}, false],
    ["an unconditional GET 304 fails", "GET", 304, undefined, {}, false],
    ["a conditional GET 304 succeeds", "GET", 304, undefined, { "if-none-match": 'W/"x"' }, true],
    ["POST with a JSON body 201 succeeds", "POST", 201, { a: 1 }, {}, true],
    ["PATCH with a JSON body 299 succeeds", "PATCH", 299, { a: 1 }, {}, true],
    ["PUT with a JSON body 204 succeeds", "PUT", 204, { a: 1 }, {}, true],
    ["DELETE 200 succeeds", "DELETE", 200, undefined, {}, true],
    ["DELETE 204 succeeds", "DELETE", 204, undefined, {}, true],
    ["DELETE 202 fails", "DELETE", 202, undefined, {}, false],
  ] as const;
  test.each(cases)("%s", async (_name, method, status, body, headers, ok) => {
    const server = fake(() => new Response(status === 204 || status === 304 ? null : "{}", { status }));
    const call = client(server).request({ method, path: "/x", json: body, headers });
    if (ok) {
      expect((await call).status).toBe(status);
    } else {
      const error = await sortieError(call);
      expect(error.kind).toBe("tracker_api_error");
      expect(error.message).toStartWith(`${method} /x: unexpected status ${status}`);
    }
  });

  test("a 304 on a conditional GET has no body", async () => {
    const server = fake(() => new Response(null, { status: 304, headers: { etag: '"v1"' } }));
    const response = await client(server).request({ path: "/x", headers: { "if-none-match": '"v1"' } });
    expect(response.body).toBeUndefined();
    expect(response.headers.get("etag")).toBe('"v1"');
  });

  test("accept overrides the default success codes", async () => {
    const server = fake(() => new Response("{}", { status: 202 }));
    expect((await client(server).request({ method: "DELETE", path: "/x", accept: [202] })).status).toBe(202);
  });
});

describe("errors", () => {
  test("5xx is a transport error with the status and body", async () => {
    const server = fake(() => new Response("upstream down", { status: 503 }));
    const error = await sortieError(client(server).request({ path: "/issues" }));
    expect(error.kind).toBe("tracker_transport_error");
    expect(error.message).toBe("GET /issues: server error 503: upstream down");
  });

  test("the error detail holds at most 512 bytes of the body", async () => {
    const body = `${"a".repeat(500)}${"b".repeat(12)}${"c".repeat(5000)}`;
    const server = fake(() => new Response(body, { status: 418 }));
    const error = await sortieError(client(server).request({ path: "/teapot" }));
    expect(error.message).toBe(`GET /teapot: unexpected status 418: ${"a".repeat(500)}${"b".repeat(12)}`);
  });

  test.each([
    [400, "tracker_payload_error", "bad request: nope"],
    [401, "tracker_auth_error", "401"],
    [403, "tracker_auth_error", "403"],
    [404, "tracker_not_found", "not found"],
    [410, "tracker_api_error", "gone (410): nope"],
    [422, "tracker_payload_error", "validation failed: nope"],
  ])("status %d maps to %s by default", async (status, kind, detail) => {
    const server = fake(() => new Response("nope", { status }));
    const error = await sortieError(client(server).request({ method: "DELETE", path: "/x" }));
    expect(error.kind).toBe(kind as SortieError["kind"]);
    expect(error.message).toBe(`DELETE /x: ${detail}`);
  });

  test("the adapter's status mapper decides first and falls back to the default", async () => {
    const server = fake(
      (request) => new Response("rate limit exceeded", { status: request.path.endsWith("a") ? 403 : 404 }),
    );
    const http = client(server, {
      mapStatus: (info) =>
        info.status === 403 && info.body.includes("rate limit")
          ? { kind: "tracker_api_error", detail: "rate limited (secondary)" }
          : undefined,
    });
    const limited = await sortieError(http.request({ path: "/a" }));
    expect([limited.kind, limited.message]).toEqual([
      "tracker_api_error",
      "GET /a: rate limited (secondary)",
    ]);
    const missing = await sortieError(http.request({ path: "/b" }));
    expect([missing.kind, missing.message]).toEqual(["tracker_not_found", "GET /b: not found"]);
  });

  test("a refused connection is a transport error with a cause", async () => {
    const server = fake();
    const http = client(server);
    await server.stop();
    const error = await sortieError(http.request({ path: "/issues" }));
    expect(error.kind).toBe("tracker_transport_error");
    expect(error.message).toBe("GET /issues: transport error");
    expect(error.cause).toBeDefined();
  });

  test("no response within the timeout is a transport error", async () => {
    const server = fake(() => new Promise<Response>(() => {}));
    const error = await sortieError(client(server, { timeoutMs: 50 }).request({ path: "/slow" }));
    expect(error.kind).toBe("tracker_transport_error");
    expect(error.message).toBe("GET /slow: transport error");
  });

  test("a body that stalls past the timeout is a transport error", async () => {
    const server = fake(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('[{"id": 1},'));
            },
          }),
        ),
    );
    const error = await sortieError(client(server, { timeoutMs: 100 }).request({ path: "/stall" }));
    expect(error.kind).toBe("tracker_transport_error");
    expect(error.message).toBe("GET /stall: transport error");
  });

  test("a caller abort is re-thrown as-is, before and during the request", async () => {
    const server = fake(() => new Promise<Response>(() => {}));
    const http = client(server);
    const before = new AbortController();
    const early = new Error("stopped before");
    before.abort(early);
    expect(await rejectionOf(http.request({ path: "/x", signal: before.signal }))).toBe(early);
    expect(server.requests.length).toBe(0);

    const during = new AbortController();
    const late = new Error("stopped during");
    const pending = http.request({ path: "/x", signal: during.signal });
    while (server.requests.length === 0) await Bun.sleep(5);
    during.abort(late);
    expect(await rejectionOf(pending)).toBe(late);
  });
});

describe("secrets", () => {
  test("the token never appears in error messages, even when the server echoes it", async () => {
    const server = fake(
      (request) =>
        new Response(`bad credentials for ${request.headers.get("authorization")} (token ${TOKEN})`, {
          status: 401,
        }),
    );
    const logger = recordingLogger();
    const error = await sortieError(client(server, { logger }).request({ path: "/user" }));
    expect(error.message).not.toContain(TOKEN);
    expect(String(error)).not.toContain(TOKEN);
    expect(error.message).toBe("GET /user: 401");
    const detailed = await sortieError(
      client(server, {
        mapStatus: (info) => ({ kind: "tracker_auth_error", detail: `denied: ${info.body}` }),
      }).request({
        path: "/user",
      }),
    );
    expect(detailed.message).toBe("GET /user: denied: bad credentials for [redacted] (token [redacted])");
    expect(JSON.stringify(logger.records)).not.toContain(TOKEN);
  });

  test("a Basic credential header value is redacted too", async () => {
    const basic = Buffer.from(`me@example.com:${TOKEN}`).toString("base64");
    const server = fake(
      (request) => new Response(`echo ${request.headers.get("authorization")}`, { status: 400 }),
    );
    const http = client(server, { headers: () => ({ authorization: `Basic ${basic}` }), secrets: [] });
    const error = await sortieError(http.request({ path: "/x" }));
    expect(error.message).toBe("GET /x: bad request: echo [redacted]");
  });

  test("transport errors do not carry the token", async () => {
    const server = fake();
    const http = client(server);
    await server.stop();
    const error = await sortieError(http.request({ path: "/x" }));
    expect(String(error)).not.toContain(TOKEN);
  });
});

describe("rate-limit pacing", () => {
  function pacedClient(server: FakeServer, clock: FakeClock, logger: RecordingLogger) {
    const limiter = new RateLimiter({ now: clock.now, logger });
    return { limiter, http: client(server, { logger, rateLimits: { limiter, defaultResource: "core" } }) };
  }

  test("a 429 pauses the resource: no request reaches the server until Retry-After has passed", async () => {
    let limited = true;
    const server = fake(() =>
      limited
        ? new Response("slow down", { status: 429, headers: { "retry-after": "30" } })
        : json({ ok: 1 }),
    );
    const clock = fakeClock("2026-03-01T10:00:00.000Z");
    const logger = recordingLogger();
    const { http, limiter } = pacedClient(server, clock, logger);

    const first = await sortieError(http.request({ path: "/issues" }));
    expect([first.kind, first.message]).toEqual([
      "tracker_api_error",
      "GET /issues: rate limited (retry after 30 seconds)",
    ]);
    limited = false;

    for (let call = 0; call < 3; call++) {
      const paused = await sortieError(http.request({ path: "/issues" }));
      expect([paused.kind, paused.message]).toEqual([
        "tracker_api_error",
        "GET /issues: rate limited (paused until 2026-03-01T10:00:30Z)",
      ]);
    }
    expect(server.requests.length).toBe(1);
    expect(limiter.pauses()).toEqual([
      { resource: "core", until: new Date("2026-03-01T10:00:30Z"), reason: "rate limited" },
    ]);
    // Another resource is not paused.
    expect((await http.request({ path: "/search", resource: "search" })).status).toBe(200);
    expect(server.requests.length).toBe(2);

    clock.advance(29_000);
    await sortieError(http.request({ path: "/issues" }));
    expect(server.requests.length).toBe(2);

    clock.advance(1_000);
    expect((await http.request({ path: "/issues" })).body).toEqual({ ok: 1 });
    expect(server.requests.length).toBe(3);
    expect(limiter.pauses()).toEqual([]);

    expect(
      logger.records.filter((r) => r.level !== "debug").map((r) => [r.level, r.message, r.properties]),
    ).toEqual([
      [
        "warn",
        "tracker rate limit reached, pausing",
        { resource: "core", until: "2026-03-01T10:00:30Z", reason: "rate limited" },
      ],
      ["info", "tracker rate limit pause ended", { resource: "core" }],
    ]);
  });

  test("an adapter's exhaustion check can name the end of the pause", async () => {
    const server = fake(
      () =>
        new Response("You have exceeded a secondary rate limit", {
          status: 403,
          headers: {
            "x-ratelimit-remaining": "4000",
            "x-ratelimit-reset": `${Date.parse("2026-03-01T11:00:00Z") / 1000}`,
          },
        }),
    );
    const clock = fakeClock("2026-03-01T10:00:00.000Z");
    const logger = recordingLogger();
    const limiter = new RateLimiter({ now: clock.now, logger });
    const http = client(server, {
      logger,
      rateLimits: {
        limiter,
        defaultResource: "core",
        isExhausted: (info) =>
          info.status === 403 && info.body.toLowerCase().includes("rate limit")
            ? { reason: "secondary rate limit", until: limiter.pauseUntil(info.headers, { useReset: false }) }
            : undefined,
      },
    });
    await sortieError(http.request({ path: "/issues" }));
    expect(limiter.pauses()).toEqual([
      { resource: "core", until: new Date("2026-03-01T10:01:00Z"), reason: "secondary rate limit" },
    ]);
  });

  test("an adapter's exhaustion check pauses on a success with no budget left until the reset", async () => {
    const reset = Date.parse("2026-03-01T11:00:00Z") / 1000;
    const server = fake(() =>
      json([], {
        headers: {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-limit": "5000",
          "x-ratelimit-reset": `${reset}`,
        },
      }),
    );
    const clock = fakeClock("2026-03-01T10:00:00.000Z");
    const logger = recordingLogger();
    const limiter = new RateLimiter({ now: clock.now, logger });
    const http = client(server, {
      logger,
      rateLimits: {
        limiter,
        defaultResource: "core",
        isExhausted: (info) =>
          info.status === 429 || info.headers.get("x-ratelimit-remaining") === "0"
            ? "budget exhausted"
            : undefined,
      },
    });
    expect((await http.request({ path: "/issues" })).status).toBe(200);
    const paused = await sortieError(http.request({ path: "/issues" }));
    expect(paused.message).toBe("GET /issues: rate limited (paused until 2026-03-01T11:00:00Z)");
    expect(server.requests.length).toBe(1);
    expect(limiter.snapshots()).toEqual([
      {
        resource: "core",
        limit: 5000,
        remaining: 0,
        resetAt: new Date("2026-03-01T11:00:00Z"),
        paused: true,
      },
    ]);
  });
});
