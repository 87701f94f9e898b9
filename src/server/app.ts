// The HTTP surface as one Hono app: dashboard, JSON API, live events, metrics and probes. Routes
// are plain Hono on Web-standard Request/Response, so the app runs under any fetch-style server.
import { getLogger, type Logger } from "@logtape/logtape";
import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { OrchestratorView } from "../orchestrator/snapshot.ts";
import { detailResponse, refreshResponse, stateResponse, statusResponse, uptimeSeconds } from "./api.ts";
import faviconPath from "./dashboard/favicon.ico" with { type: "file" };
import { createDashboard } from "./dashboard/index.ts";
import { checkReadiness, type DbPing, liveness } from "./health.ts";
import type { RunHistoryReader } from "./history.ts";
import { toWireState } from "./json.ts";
import {
  jsonMethodNotAllowed,
  jsonResponse,
  notFound,
  snapshotUnavailable,
  textError,
  textMethodNotAllowed,
} from "./respond.ts";
import { type SseEvent, SseHub, type SseHubOptions } from "./sse.ts";
import type { TokenRates } from "./token-rates.ts";

export interface AppOptions {
  view: OrchestratorView;
  /** Build version; "dev" for unversioned builds. */
  version: string;
  /** Process start, for uptime. */
  startedAt: Date;
  /** Trivial read on the open database; bounded to 250 ms by /readyz. */
  dbPing: DbPing;
  history: RunHistoryReader;
  /** Omit to serve no /metrics route. */
  metrics?: { registry: Registry };
  tokenRates?: TokenRates;
  logger?: Logger;
  /** Clock for uptime and refresh timestamps (tests). */
  now?: () => Date;
  /** How long the dashboard waits for run history before rendering without it (default 2 s). */
  historyBudgetMs?: number;
  /** Stream limits and timings (tests). */
  events?: Partial<Pick<SseHubOptions, "maxStreams" | "throttleMs" | "heartbeatMs" | "maxQueuedBytes">>;
}

export interface HttpApp {
  /** Fetch handler for Bun.serve / Deno.serve. */
  fetch: (request: Request) => Response | Promise<Response>;
  /** Hono's test helper: `app.request("/livez")`. */
  request: Hono["request"];
  /** Ends every live event stream (`draining` announces it first); `stop` also refuses new ones. */
  closeStreams(reason: "draining" | "stop"): void;
  readonly hono: Hono;
}

const ALLOW_GET = "GET";
const ALLOW_GET_HEAD = "GET, HEAD";
const ALLOW_POST = "POST";

/** The request path exactly as sent (still percent-encoded, no query). */
function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  let end = url.length;
  for (const mark of ["?", "#"]) {
    const at = url.indexOf(mark, start);
    if (at !== -1 && at < end) end = at;
  }
  return url.slice(start, end);
}

let faviconBytes: Promise<ArrayBuffer> | null = null;

export function createApp(options: AppOptions): HttpApp {
  const logger = options.logger ?? getLogger(["sortie", "server"]);
  const now = options.now ?? (() => new Date());
  const { view } = options;
  const apiDeps = {
    view,
    version: options.version || "dev",
    startedAt: options.startedAt,
    dbPing: options.dbPing,
    tokenRates: options.tokenRates,
    now,
    logger,
  };
  const dashboard = createDashboard({
    view,
    history: options.history,
    version: apiDeps.version,
    startedAt: options.startedAt,
    tokenRates: options.tokenRates,
    logger,
    historyBudgetMs: options.historyBudgetMs,
  });
  const hub = new SseHub({
    view,
    logger,
    ...options.events,
    buildEvents: () => {
      const snapshot = view.snapshot();
      const state: SseEvent = {
        event: "state",
        data: JSON.stringify(toWireState(snapshot, options.tokenRates)),
      };
      const fragments = dashboard
        .fragments(snapshot)
        .then((html) => (html ? { event: "dashboard", data: JSON.stringify(html) } : null));
      return [state, fragments];
    },
  });

  const app = new Hono();

  const methodNotAllowed = (method: string, path: string, response: Response): Response => {
    logger.warn("method not allowed", { method, path });
    return response;
  };
  const jsonOnly = (allow: string) => (c: { req: { method: string; path: string } }) =>
    methodNotAllowed(c.req.method, c.req.path, jsonMethodNotAllowed(c.req.method, allow));
  const textOnly = (c: { req: { method: string; path: string } }) =>
    methodNotAllowed(c.req.method, c.req.path, textMethodNotAllowed());

  app.use("/api/*", async (c, next) => {
    const started = performance.now();
    await next();
    logger.debug("request served", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: performance.now() - started,
    });
  });

  app.get("/", () => dashboard.page());
  app.all("/", textOnly);

  app.get("/favicon.ico", async () => {
    faviconBytes ??= Bun.file(faviconPath).arrayBuffer();
    return new Response(await faviconBytes, {
      headers: { "Content-Type": "image/x-icon", "Cache-Control": "public, max-age=86400" },
    });
  });
  app.all("/favicon.ico", textOnly);

  app.get("/livez", () => {
    const body = liveness(view.health());
    return jsonResponse(body, body.status === "pass" ? 200 : 503);
  });
  app.all("/livez", jsonOnly(ALLOW_GET_HEAD));

  app.get("/readyz", async () => {
    const readiness = await checkReadiness(view.health(), options.dbPing);
    const body = {
      status: readiness.status,
      version: apiDeps.version,
      uptime_seconds: uptimeSeconds(options.startedAt, now()),
      checks: readiness.checks,
    };
    return jsonResponse(body, readiness.status === "pass" ? 200 : 503);
  });
  app.all("/readyz", jsonOnly(ALLOW_GET_HEAD));

  const metrics = options.metrics;
  if (metrics) {
    app.get("/metrics", async () => {
      const text = await metrics.registry.metrics();
      return new Response(text, { headers: { "Content-Type": metrics.registry.contentType } });
    });
    app.all("/metrics", textOnly);
  }

  app.get("/api/status", (c) => statusResponse(apiDeps, c.req.method, c.req.path));
  app.all("/api/status", jsonOnly(ALLOW_GET));

  app.get("/api/events", (c) => {
    // Hono serves HEAD through GET routes; a stream nobody reads must never be opened.
    if (c.req.raw.method !== "GET") return jsonOnly(ALLOW_GET)(c);
    try {
      view.snapshot();
    } catch (error) {
      logger.warn("snapshot request failed", { method: c.req.method, path: c.req.path, error });
      return snapshotUnavailable();
    }
    const stream = hub.open(c.req.raw.signal);
    if (!stream) return snapshotUnavailable();
    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
      },
    });
  });
  app.all("/api/events", jsonOnly(ALLOW_GET));

  // Fixed names first: issues literally called "state" or "refresh" are not reachable by detail.
  app.get("/api/v1/state", (c) => stateResponse(apiDeps, c.req.method, c.req.path));
  app.all("/api/v1/state", jsonOnly(ALLOW_GET));
  app.post("/api/v1/refresh", () => refreshResponse(apiDeps));
  app.all("/api/v1/refresh", jsonOnly(ALLOW_POST));
  app.get("/api/v1/:identifier", (c) => {
    const path = rawPath(c.req.url);
    const prefix = "/api/v1/";
    const segment = path.startsWith(prefix) ? path.slice(prefix.length) : "";
    if (segment === "" || segment.includes("/")) return notFound();
    return detailResponse(apiDeps, segment, c.req.method, c.req.path);
  });
  app.all("/api/v1/:identifier", jsonOnly(ALLOW_GET));

  app.notFound(() => notFound());
  app.onError((error, c) => {
    logger.error("http handler failed", { method: c.req.method, path: c.req.path, error });
    if (c.req.path === "/" || c.req.path === "/metrics" || c.req.path === "/favicon.ico") {
      return textError(500, "Internal Server Error");
    }
    return jsonResponse({ error: { code: "internal_error", message: "failed to encode response" } }, 500);
  });

  return {
    fetch: (request) => app.fetch(request),
    request: app.request,
    closeStreams: (reason) => hub.closeAll(reason),
    hono: app,
  };
}
