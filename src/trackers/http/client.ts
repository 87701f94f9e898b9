// The HTTP client remote tracker adapters share, on an injected `fetch`: base URL handling, a
// per-request timeout combined with the caller's signal, an auth/header hook applied to every
// request (pagination follow-ups included), success-code rules, error classification through an
// adapter hook, secret redaction, and rate-limit pacing.
import { errorMessage, trackerError } from "../../domain/errors.ts";
import type { TrackerLogger } from "../registry.ts";
import { parseLinkNext } from "./link.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { defaultStatusMapping, type HttpErrorInfo, type StatusMapper } from "./status.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Query values; arrays repeat the key, null/undefined drop it. Encoded with URLSearchParams. */
export type QueryParams = Readonly<
  Record<string, string | number | boolean | readonly (string | number)[] | null | undefined>
>;

/** A response exhausted its resource: why, and optionally until when (default: limiter.pauseUntil). */
export interface Exhaustion {
  reason: string;
  until?: Date;
}

/**
 * Decides whether a response (success or error) exhausted a rate-limit budget: undefined when
 * not, else the pause reason (a string) or an Exhaustion naming the end too. For success
 * responses `body` is "".
 */
export type ExhaustionCheck = (info: HttpErrorInfo) => string | Exhaustion | undefined;

export interface RateLimitHooks {
  limiter: RateLimiter;
  /** Resource of requests that do not name one (GitHub `core`, Jira `jira`). */
  defaultResource: string;
  /** Default: a 429 exhausts the resource. */
  isExhausted?: ExhaustionCheck;
}

export interface HttpClientOptions {
  /** API root; a trailing `/` is stripped, request paths are appended verbatim. */
  baseUrl: string;
  fetch: typeof fetch;
  /**
   * Headers for every request — auth, Accept, User-Agent — including `Link` follow-ups, which
   * is why it receives the URL being requested.
   */
  headers?: (url: URL) => HeadersInit;
  /**
   * Secret values (tokens) that must never appear in error text. The value of the request's
   * Authorization header, and its credential part, are always redacted as well.
   */
  secrets?: readonly string[];
  /** Per request, including reading the body. 30 s. */
  timeoutMs?: number;
  /** Adapter hook for status → error kind; undefined results fall back to defaultStatusMapping. */
  mapStatus?: StatusMapper;
  rateLimits?: RateLimitHooks;
  /** For pagination warnings. */
  logger: TrackerLogger;
}

export interface HttpRequest {
  method?: HttpMethod;
  /** Path below the base URL, e.g. apiPath`/repos/${owner}/${repo}/issues`. Without query. */
  path?: string;
  /** Absolute URL used verbatim instead of base + path + query (pagination follow-ups). */
  url?: string;
  query?: QueryParams;
  /** Serialised as the body with `Content-Type: application/json`. */
  json?: unknown;
  /** Per-request headers (e.g. `If-None-Match`), applied over the client's headers. */
  headers?: HeadersInit;
  signal?: AbortSignal | undefined;
  /** Rate-limit resource this request spends (GitHub `search`); default the client's. */
  resource?: string;
  /** Statuses that count as success, replacing the method-based default. */
  accept?: readonly number[];
  /** "json" (default): body parsed when non-empty, else undefined. "text": the body as a string. */
  responseType?: "json" | "text";
  /** Message of the tracker_payload_error thrown when a JSON body does not parse. */
  parseErrorMessage?: string;
  /**
   * fetch's redirect mode; default "follow". Bun drops Authorization on cross-origin redirects,
   * so a log download redirected to blob storage does not carry the token.
   */
  redirect?: RequestRedirect;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The URL that was requested. */
  url: string;
  /** Parsed JSON (undefined for an empty body, e.g. 204/304), or the text for responseType "text". */
  body: unknown;
  /** Target of the `Link` entry with rel="next", or null. */
  nextLink: string | null;
}

export interface HttpClient {
  readonly baseUrl: string;
  readonly logger: TrackerLogger;
  /**
   * Sends one request. Resolves for success statuses; rejects with a tracker SortieError
   * (`<METHOD> <path>: <detail>`) otherwise, or with the caller's abort reason as-is.
   */
  request(request: HttpRequest): Promise<HttpResponse>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const ERROR_BODY_LIMIT = 512;
const REDACTED = "[redacted]";

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const mapStatus = options.mapStatus ?? (() => undefined);
  const isExhausted = options.rateLimits?.isExhausted ?? defaultExhaustionCheck;

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method ?? "GET";
    const url = req.url ?? baseUrl + (req.path ?? "") + queryString(req.query);
    const displayPath = req.url ?? req.path ?? "";
    const callerSignal = req.signal ?? undefined;
    callerSignal?.throwIfAborted();

    const limits = options.rateLimits;
    const resource = req.resource ?? limits?.defaultResource ?? "";
    limits?.limiter.assertOpen(resource, method, displayPath);

    let redact = redactor(options.secrets ?? []);
    const transportError = (cause: unknown): unknown => {
      if (callerSignal?.aborted) return callerSignal.reason;
      return trackerError(
        "tracker_transport_error",
        `${method} ${displayPath}: transport error`,
        redactCause(cause, redact),
      );
    };

    let headers: Headers;
    const init: RequestInit = { method, redirect: req.redirect ?? "follow" };
    try {
      headers = new Headers(options.headers?.(new URL(url)));
      for (const [name, value] of new Headers(req.headers)) headers.set(name, value);
      if (req.json !== undefined) {
        headers.set("content-type", "application/json");
        init.body = JSON.stringify(req.json);
      }
      redact = redactor([...(options.secrets ?? []), ...authorizationSecrets(headers)]);
    } catch (err) {
      throw transportError(err);
    }
    init.headers = headers;
    const timeout = AbortSignal.timeout(timeoutMs);
    init.signal = callerSignal === undefined ? timeout : AbortSignal.any([callerSignal, timeout]);

    let response: Response;
    try {
      response = await options.fetch(url, init);
    } catch (err) {
      throw transportError(err);
    }

    limits?.limiter.observe(resource, response.headers, response.status);
    const conditional = headers.has("if-none-match") || headers.has("if-modified-since");
    const success = isSuccess(method, response.status, req.json !== undefined, conditional, req.accept);

    if (!success) {
      const body = redact(await readSnippet(response, ERROR_BODY_LIMIT));
      if (callerSignal?.aborted) throw callerSignal.reason;
      const info: HttpErrorInfo = {
        method,
        path: displayPath,
        status: response.status,
        headers: response.headers,
        body,
      };
      const mapping = mapStatus(info) ?? defaultStatusMapping(info);
      if (limits !== undefined) pauseIfExhausted(limits, resource, info, isExhausted);
      throw trackerError(mapping.kind, redact(`${method} ${displayPath}: ${mapping.detail}`));
    }

    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw transportError(err);
    }

    if (limits !== undefined) {
      const info = {
        method,
        path: displayPath,
        status: response.status,
        headers: response.headers,
        body: "",
      };
      pauseIfExhausted(limits, resource, info, isExhausted);
    }

    return {
      status: response.status,
      headers: response.headers,
      url,
      body: req.responseType === "text" ? text : parseJson(text, req, method, displayPath),
      nextLink: parseLinkNext(response.headers.get("link")),
    };
  }

  return { baseUrl, logger: options.logger, request };
}

function pauseIfExhausted(
  limits: RateLimitHooks,
  resource: string,
  info: HttpErrorInfo,
  isExhausted: ExhaustionCheck,
): void {
  const exhausted = isExhausted(info);
  if (exhausted === undefined) return;
  const { reason, until } =
    typeof exhausted === "string" ? { reason: exhausted, until: undefined } : exhausted;
  limits.limiter.pause(resource, until ?? limits.limiter.pauseUntil(info.headers), reason);
}

/** A 429 exhausts the resource; adapters add their own signals (GitHub 403s, `remaining: 0`). */
export function defaultExhaustionCheck(info: HttpErrorInfo): string | undefined {
  return info.status === 429 ? "rate limited" : undefined;
}

/**
 * GET: exactly 200 (304 too for conditional requests); with a JSON body: any 2xx; body-less
 * sends (DELETE): 200 or 204.
 */
function isSuccess(
  method: HttpMethod,
  status: number,
  hasJsonBody: boolean,
  conditional: boolean,
  accept: readonly number[] | undefined,
): boolean {
  if (accept !== undefined) return accept.includes(status);
  if (method === "GET") return status === 200 || (conditional && status === 304);
  if (hasJsonBody) return status >= 200 && status <= 299;
  return status === 200 || status === 204;
}

function queryString(query: QueryParams | undefined): string {
  if (query === undefined) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(key, String(item));
    } else {
      params.append(key, String(value));
    }
  }
  const encoded = params.toString();
  return encoded === "" ? "" : `?${encoded}`;
}

function parseJson(text: string, req: HttpRequest, method: string, path: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw trackerError(
      "tracker_payload_error",
      req.parseErrorMessage ?? `${method} ${path}: invalid JSON response body`,
      err,
    );
  }
}

/** Reads at most `limit` bytes of the body and discards the rest. Best-effort: failures give "". */
async function readSnippet(response: Response, limit: number): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The detail is diagnostic only; a broken body still yields the status-based error.
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, limit));
}

/** The Authorization value and its credential part (`Bearer <token>` → `<token>`). */
function authorizationSecrets(headers: Headers): string[] {
  const value = headers.get("authorization");
  if (value === null || value.trim() === "") return [];
  const space = value.indexOf(" ");
  return space === -1 ? [value] : [value, value.slice(space + 1).trim()];
}

function redactor(secrets: readonly string[]): (text: string) => string {
  // Longest first, so a token inside its own `Bearer <token>` form is replaced as a whole.
  const values = [...new Set(secrets.filter((secret) => secret.trim().length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => values.reduce((result, secret) => result.split(secret).join(REDACTED), text);
}

/** The cause itself, unless its text carries a secret: then a plain Error with the text redacted. */
function redactCause(cause: unknown, redact: (text: string) => string): unknown {
  const text = errorMessage(cause);
  const redacted = redact(text);
  return redacted === text ? cause : new Error(redacted);
}
