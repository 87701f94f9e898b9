// Turning a non-success HTTP response into an error kind and a detail text. Adapters own the
// mapping (GitHub tells rate-limit 403s from permission 403s, Jira adds a CAPTCHA hint); this
// module holds the shape of the hook and the mapping both trackers share.
import type { TrackerErrorKind } from "../../domain/errors.ts";

/** What a status mapper sees of a failed response. */
export interface HttpErrorInfo {
  method: string;
  /** Request path without base URL and query; the full URL for `Link` follow-ups. */
  path: string;
  status: number;
  headers: Headers;
  /** At most the first 512 bytes of the body, decoded as UTF-8, secrets redacted. */
  body: string;
}

/** The kind and the detail text; the client renders the message as `<METHOD> <path>: <detail>`. */
export interface StatusMapping {
  kind: TrackerErrorKind;
  detail: string;
}

/** Adapter hook: return a mapping to take over, or undefined to use `defaultStatusMapping`. */
export type StatusMapper = (info: HttpErrorInfo) => StatusMapping | undefined;

/** ` (retry after N seconds)` when the response carries `Retry-After`, else "". */
export function retryAfterSuffix(headers: Headers): string {
  const retryAfter = headers.get("retry-after")?.trim();
  return retryAfter ? ` (retry after ${retryAfter} seconds)` : "";
}

/** The mapping GitHub and Jira share; adapters override the statuses they treat differently. */
export function defaultStatusMapping(info: HttpErrorInfo): StatusMapping {
  const { status, body } = info;
  if (status === 400) return { kind: "tracker_payload_error", detail: `bad request: ${body}` };
  if (status === 401 || status === 403) return { kind: "tracker_auth_error", detail: `${status}` };
  if (status === 404) return { kind: "tracker_not_found", detail: "not found" };
  if (status === 410) return { kind: "tracker_api_error", detail: `gone (410): ${body}` };
  if (status === 422) return { kind: "tracker_payload_error", detail: `validation failed: ${body}` };
  if (status === 429) {
    return { kind: "tracker_api_error", detail: `rate limited${retryAfterSuffix(info.headers)}` };
  }
  if (status >= 500) return { kind: "tracker_transport_error", detail: `server error ${status}: ${body}` };
  return { kind: "tracker_api_error", detail: `unexpected status ${status}: ${body}` };
}
