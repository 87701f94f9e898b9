import { afterEach, describe, expect, test } from "bun:test";
import { type AppOptions, createApp } from "../../../src/server/app.ts";
import { NO_HISTORY } from "../../../src/server/history.ts";
import { type HttpServerHandle, startHttpServer } from "../../../src/server/listener.ts";
import { createPrometheusMetrics } from "../../../src/server/metrics.ts";
import { captureLogger } from "../../unit/server/capture-logger.ts";
import { FakeView, makeRetry, makeRunning, makeSnapshot } from "../../unit/server/fake-view.ts";
import { SseReader, waitFor } from "../../unit/server/sse-reader.ts";

const servers: HttpServerHandle[] = [];
const readers: SseReader[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.cancel();
  await Promise.all(servers.splice(0).map((s) => s.stop(200)));
});

function serve(overrides: Partial<AppOptions> = {}, view = new FakeView()) {
  const { logger, records } = captureLogger();
  const app = createApp({
    view,
    version: "1.0.0",
    startedAt: new Date(),
    dbPing: () => true,
    history: NO_HISTORY,
    logger,
    events: { throttleMs: 0 },
    ...overrides,
  });
  const server = startHttpServer({ app, host: "127.0.0.1", port: 0, explicitPort: true, logger })!;
  servers.push(server);
  return { server, view, records, base: `http://${server.addr}` };
}

/** Sends one raw HTTP/1.1 request, for paths a fetch client would normalise. */
async function rawRequest(port: number, requestLine: string): Promise<{ status: number; body: string }> {
  const { promise, resolve, reject } = Promise.withResolvers<string>();
  let received = "";
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, chunk) {
        received += new TextDecoder().decode(chunk);
      },
      close() {
        resolve(received);
      },
      error(_s, error) {
        reject(error);
      },
    },
  });
  socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  const text = await promise;
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

describe("HTTP server on a real port", () => {
  test("serves probes, API, metrics, dashboard and icon", async () => {
    const metrics = createPrometheusMetrics({ version: "1.0.0" });
    const view = new FakeView(makeSnapshot({ running: [makeRunning()], retrying: [makeRetry()] }));
    const { base } = serve({ metrics }, view);
    const livez = await fetch(`${base}/livez`);
    expect(livez.status).toBe(200);
    expect(livez.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await livez.text()).toBe('{"status":"pass"}\n');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const state = await (await fetch(`${base}/api/v1/state`)).json();
    expect(state.counts).toEqual({ running: 1, retrying: 1 });
    const scrape = await fetch(`${base}/metrics`);
    expect(scrape.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await scrape.text()).toContain('sortie_dispatches_total{outcome="error"} 0');
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Running Sessions");
    const icon = await fetch(`${base}/favicon.ico`);
    expect(icon.headers.get("content-type")).toBe("image/x-icon");
    expect((await icon.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  test("answers HEAD with headers only and wrong methods with 405 and Allow", async () => {
    const { base } = serve();
    const head = await fetch(`${base}/readyz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await head.text()).toBe("");
    const wrong = await fetch(`${base}/api/v1/refresh`, { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    const refresh = await fetch(`${base}/api/v1/refresh`, { method: "POST", body: "{}" });
    expect(refresh.status).toBe(202);
  });

  test("decodes encoded identifiers and rejects malformed ones as sent on the wire", async () => {
    const view = new FakeView(makeSnapshot({ running: [makeRunning({ identifier: "owner/repo#42" })] }));
    const { server } = serve({}, view);
    const found = await rawRequest(server.port, "GET /api/v1/owner%2Frepo%2342 HTTP/1.1");
    expect(found.status).toBe(200);
    expect(JSON.parse(found.body).issue_identifier).toBe("owner/repo#42");
    for (const path of ["/api/v1/%ZZ", "/api/v1/a%00b", `/api/v1/${"x".repeat(300)}`]) {
      const res = await rawRequest(server.port, `GET ${path} HTTP/1.1`);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body).error.code).toBe("issue_not_found");
    }
    const slash = await rawRequest(server.port, "GET /api/v1/state/ HTTP/1.1");
    expect(slash).toEqual({ status: 404, body: "404 page not found\n" });
  });

  test("streams a live update over Server-Sent Events after the orchestrator reports a change", async () => {
    const { base, view } = serve();
    const res = await fetch(`${base}/api/events`);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = new SseReader(res.body!);
    readers.push(reader);
    await reader.nextOf("dashboard");
    view.change(makeSnapshot({ retrying: [makeRetry({ identifier: "LIVE-1" })] }));
    let seen = "";
    while (seen !== "LIVE-1") {
      seen = JSON.parse((await reader.nextOf("state")).data).retrying[0]?.issue_identifier ?? "";
    }
    expect(seen).toBe("LIVE-1");
  });

  test("keeps answering /livez while the event loop is busy with other async work", async () => {
    const { base } = serve();
    let busy = true;
    let slices = 0;
    // A long async task that keeps the loop occupied in short synchronous slices.
    const worker = (async () => {
      while (busy) {
        const until = performance.now() + 2;
        while (performance.now() < until) Math.sqrt(Math.random());
        slices++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const total = 600;
    const statuses: number[] = [];
    for (let batch = 0; batch < total / 100; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => fetch(`${base}/livez`).then((r) => r.status)),
      );
      statuses.push(...answers);
    }
    busy = false;
    await worker;
    expect(statuses).toHaveLength(total);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(slices).toBeGreaterThan(0);
  });

  test("stop lets in-flight requests finish, then refuses new connections", async () => {
    const { promise: pinged, resolve: startPing } = Promise.withResolvers<void>();
    const { promise: release, resolve: releasePing } = Promise.withResolvers<boolean>();
    const { server, base } = serve({
      dbPing: () => {
        startPing();
        return release;
      },
    });
    const inFlight = fetch(`${base}/readyz`);
    await pinged;
    const stopped = server.stop(2000);
    releasePing(true);
    const res = await inFlight;
    expect(res.status).toBe(200);
    await stopped;
    await expect(fetch(`${base}/livez`)).rejects.toThrow();
  });

  test("stop cuts requests that outlive the grace period and ends event streams", async () => {
    const hanging = {
      recentRuns: () => new Promise<never>(() => {}),
      tokenUsageSeries: () => new Promise<never>(() => {}),
    };
    const { server, base } = serve({ history: hanging, historyBudgetMs: 60_000 });
    const events = await fetch(`${base}/api/events`);
    const reader = new SseReader(events.body!);
    readers.push(reader);
    await reader.nextOf("state");
    const page = fetch(`${base}/`).then(
      (r) => r.status,
      () => "cut",
    );
    await server.stop(100);
    expect(await page).toBe("cut");
    await waitFor(async () => {
      try {
        return (await reader.next(100)) === null;
      } catch (error) {
        return !(error as Error).message.startsWith("no event within");
      }
    });
  });
});
