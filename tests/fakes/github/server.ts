// A fake GitHub REST API for tests: the issue endpoints sortie uses, served from an in-memory
// repository seeded with recorded payloads, with GitHub's real behaviour where sortie depends on
// it — `Link` pagination with absolute URLs, ETags and 304s, label semantics, rate-limit budgets
// and headers, bearer-token auth — plus injectable faults (rate limits, 5xx, slow answers).
// Every request is recorded for assertions. Works under a path prefix like GitHub Enterprise
// Server's `/api/v3`.
import type { Server } from "bun";
import { Budgets } from "./limits.ts";
import { createRouter } from "./routes.ts";
import { RepoStore } from "./store.ts";

export interface FakeGitHubOptions {
  /** The token requests must carry as `Authorization: Bearer <token>`. */
  token?: string;
  owner?: string;
  repo?: string;
  /** API root below the origin, e.g. `/api/v3` for GitHub Enterprise Server; default none. */
  prefix?: string;
  issues?: readonly Record<string, unknown>[];
  comments?: Readonly<Record<number, readonly Record<string, unknown>[]>>;
  blockedBy?: Readonly<Record<number, readonly number[]>>;
  parents?: Readonly<Record<number, number>>;
  /** Repository labels besides those the seeded issues carry. */
  labels?: readonly string[];
  /** Adding a label the repository does not define answers 422 (else the label is created). */
  strictLabels?: boolean;
  /** Repositories without issue dependencies answer 404 on `dependencies/blocked_by`. */
  dependencies?: boolean;
  /** Serve weak ETags (`W/"…"`). */
  weakEtags?: boolean;
  /** Requests per window: `core` 5000, `search` 30. */
  limits?: Record<string, number>;
  /** Clock for rate-limit resets and timestamps; the tests' fake clock. */
  now?: () => Date;
  /** Error bodies include the request's Authorization header (to prove it is redacted). */
  echoAuthorization?: boolean;
  /** Author login of comments created through the API. */
  login?: string;
}

export interface FakeRequest {
  method: string;
  /** Below the API root, each segment percent-decoded: `/repos/o/r/issues/1/labels/needs review`. */
  path: string;
  /** The raw pathname as sent, prefix included. */
  rawPath: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
  /** The status the fake answered with, once answered. */
  status?: number;
}

/** A canned answer (or a delay) for matching requests, used `times` times (default 1). */
export interface Fault {
  method?: string;
  /** Matched against FakeRequest.path: equality for a string. */
  path?: string | RegExp;
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long first; without a status the request is then served normally. */
  delayMs?: number;
}

export interface FakeGitHub {
  /** API root: origin plus prefix. */
  url: string;
  origin: string;
  token: string;
  requests: FakeRequest[];
  repo: RepoStore;
  budgets: Budgets;
  /** Adds a fault; faults are checked in the order added. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Marks search answers as `incomplete_results: true`. */
  setIncompleteResults(incomplete: boolean): void;
  /** Requests below the API root, optionally only those with this method. */
  requestsTo(pathPattern: string | RegExp, method?: string): FakeRequest[];
  stop(): Promise<void>;
}

export const DEFAULT_FAKE_TOKEN = "ghp_fakeT0kenForTests0000000000000000";
const DOCS = "https://docs.github.com/rest";

export function startFakeGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  const token = options.token ?? DEFAULT_FAKE_TOKEN;
  const prefix = (options.prefix ?? "").replace(/\/+$/, "");
  const now = options.now ?? (() => new Date());
  const repo = new RepoStore({
    owner: options.owner ?? "owner",
    repo: options.repo ?? "repo",
    issues: options.issues ?? [],
    comments: options.comments ?? {},
    blockedBy: options.blockedBy ?? {},
    parents: options.parents ?? {},
    labels: options.labels ?? [],
    now,
  });
  const budgets = new Budgets({ core: 5000, search: 30, ...options.limits }, now);
  const requests: FakeRequest[] = [];
  let faults: (Fault & { remaining: number })[] = [];
  let incompleteResults = false;

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const { recorded, segments } = await record(request);
      const response = await reply(request, recorded, segments);
      recorded.status = response.status;
      return response;
    },
  });

  async function record(request: Request): Promise<{ recorded: FakeRequest; segments: string[] }> {
    const url = new URL(request.url);
    const rawPath = url.pathname;
    const relative = rawPath.startsWith(prefix) ? rawPath.slice(prefix.length) : rawPath;
    const segments = relative.split("/").slice(1).map(safeDecode);
    const recorded: FakeRequest = {
      method: request.method,
      path: `/${segments.join("/")}`,
      rawPath,
      query: url.searchParams,
      headers: request.headers,
      body: await request.text(),
    };
    requests.push(recorded);
    return { recorded, segments };
  }

  /** Auth, faults, the rate-limit budget, then the route. */
  async function reply(request: Request, recorded: FakeRequest, segments: string[]): Promise<Response> {
    const url = new URL(request.url);
    const rawPath = url.pathname;
    const ctx: Context = { url, recorded, segments, echo: echoOf(recorded) };

    if (prefix !== "" && !rawPath.startsWith(`${prefix}/`)) return error(ctx, 404, "Not Found");
    const auth = request.headers.get("authorization") ?? "";
    if (auth !== `Bearer ${token}` && auth !== `token ${token}`) {
      return error(ctx, 401, "Bad credentials");
    }
    const resource = segments[0] === "search" ? "search" : "core";

    const fault = takeFault(recorded);
    if (fault?.delayMs !== undefined) await Bun.sleep(fault.delayMs);
    if (fault?.status !== undefined) {
      if (fault.status !== 304) budgets.spend(resource);
      const body = fault.body === undefined ? { message: "fault" } : fault.body;
      return respond(fault.status, withEcho(ctx, fault.status, body), {
        ...budgets.headers(resource),
        ...fault.headers,
      });
    }

    if (budgets.get(resource).remaining === 0) {
      return respond(
        403,
        withEcho(ctx, 403, {
          message: "API rate limit exceeded for user ID 1.",
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
        }),
        budgets.headers(resource),
      );
    }

    const answer = route(ctx);
    if (answer.status !== 304) budgets.spend(resource);
    return respond(answer.status, withEcho(ctx, answer.status, answer.body), {
      ...budgets.headers(resource),
      ...answer.headers,
    });
  }

  const origin = `http://127.0.0.1:${server.port}`;
  const route = createRouter({
    repo,
    origin: () => origin,
    incompleteResults: () => incompleteResults,
    strictLabels: options.strictLabels,
    dependencies: options.dependencies,
    weakEtags: options.weakEtags,
    login: options.login,
  });

  function takeFault(request: FakeRequest): Fault | undefined {
    const fault = faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === request.method) &&
        (f.path === undefined ||
          (typeof f.path === "string" ? f.path === request.path : f.path.test(request.path))),
    );
    if (fault !== undefined) fault.remaining--;
    return fault;
  }

  interface Context {
    url: URL;
    recorded: FakeRequest;
    segments: string[];
    echo: string | null;
  }

  function echoOf(recorded: FakeRequest): string | null {
    return options.echoAuthorization ? (recorded.headers.get("authorization") ?? "") : null;
  }

  function withEcho(ctx: Context, status: number, body: unknown): unknown {
    if (ctx.echo === null || status < 400) return body;
    if (body !== null && typeof body === "object" && !Array.isArray(body)) {
      return { ...body, received_authorization: ctx.echo };
    }
    return `${typeof body === "string" ? body : JSON.stringify(body)} (received ${ctx.echo})`;
  }

  function error(ctx: Context, status: number, message: string): Response {
    return respond(status, withEcho(ctx, status, { message, documentation_url: DOCS }), {});
  }

  return {
    url: `${origin}${prefix}`,
    origin,
    token,
    requests,
    repo,
    budgets,
    inject: (fault) => {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults = [];
    },
    setIncompleteResults: (incomplete) => {
      incompleteResults = incomplete;
    },
    requestsTo: (pattern, method) =>
      requests.filter(
        (r) =>
          (method === undefined || r.method === method) &&
          (typeof pattern === "string" ? r.path === pattern : pattern.test(r.path)),
      ),
    stop: () => server.stop(true),
  };
}

/** The 403 GitHub sends for a secondary rate limit, with `Retry-After` when given. */
export function secondaryRateLimit(retryAfterSeconds?: number, extra: Partial<Fault> = {}): Fault {
  return {
    status: 403,
    headers: retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) },
    body: {
      message:
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
      documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
    },
    ...extra,
  };
}

/** A 403 for a token without the needed permission. */
export function permissionDenied(extra: Partial<Fault> = {}): Fault {
  return { status: 403, body: { message: "Resource not accessible by personal access token" }, ...extra };
}

function respond(status: number, body: unknown, headers: Record<string, string>): Response {
  if (status === 304 || status === 204 || body === undefined) return new Response(null, { status, headers });
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Response(text, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
