// The HTTP client configured for Jira Cloud: Basic auth from `email:api-token`, JSON headers, the
// Jira error mapping (auth hints, the CAPTCHA lock-out) and one rate-limit resource for all calls,
// because Jira's 429s come from a site-wide points quota as much as from per-endpoint buckets.
import { createHttpClient, type HttpClient } from "../http/client.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import type { HttpErrorInfo, StatusMapping } from "../http/status.ts";
import type { TrackerLogger } from "../registry.ts";
import { basicAuthorization, type JiraCredentials } from "./settings.ts";

/** The rate-limit resource every Jira call spends. */
export const JIRA_RESOURCE = "jira";

export interface JiraClientOptions {
  endpoint: string;
  credentials: JiraCredentials;
  userAgent: string;
  fetch: typeof fetch;
  logger: TrackerLogger;
  limiter: RateLimiter;
  timeoutMs?: number;
}

export function createJiraClient(options: JiraClientOptions): HttpClient {
  const authorization = basicAuthorization(options.credentials);
  const { email, token } = options.credentials;
  return createHttpClient({
    baseUrl: options.endpoint,
    fetch: options.fetch,
    headers: () => ({
      authorization,
      accept: "application/json",
      "user-agent": options.userAgent,
    }),
    // The header value and its base64 part are redacted by the client; the raw token and the
    // whole api_key are added here because a proxy or server may echo them decoded.
    secrets: [token, `${email}:${token}`],
    timeoutMs: options.timeoutMs,
    mapStatus: mapJiraStatus,
    rateLimits: { limiter: options.limiter, defaultResource: JIRA_RESOURCE },
    logger: options.logger,
  });
}

const UNAUTHORIZED_HINT =
  "unauthorized: check that tracker.api_key (e.g. $SORTIE_JIRA_API_KEY) is <email>:<api-token> " +
  "for an Atlassian account of this site, and that the token has not expired or been revoked";
const FORBIDDEN_HINT =
  "forbidden: the account behind tracker.api_key lacks permission; check that it can browse and " +
  "edit the project's issues and that a scoped token has read:jira-work and write:jira-work";
const CAPTCHA_HINT =
  "; Jira locked the account behind a CAPTCHA after failed logins " +
  "(X-Seraph-LoginReason: AUTHENTICATION_DENIED): log in once in a browser to clear it";

/** 401/403 carry a hint instead of the body; everything else uses the shared mapping. */
export function mapJiraStatus(info: HttpErrorInfo): StatusMapping | undefined {
  if (info.status !== 401 && info.status !== 403) return undefined;
  const base = info.status === 401 ? UNAUTHORIZED_HINT : FORBIDDEN_HINT;
  const captcha = loginReasons(info.headers).includes("AUTHENTICATION_DENIED") ? CAPTCHA_HINT : "";
  return { kind: "tracker_auth_error", detail: `${info.status} ${base}${captcha}` };
}

/** `X-Seraph-LoginReason` may list several comma-separated reasons. */
function loginReasons(headers: Headers): string[] {
  const value = headers.get("x-seraph-loginreason") ?? "";
  return value.split(",").map((reason) => reason.trim().toUpperCase());
}
