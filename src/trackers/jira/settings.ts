// The Jira adapter's view of the tracker config, checked once at construction: the site root and
// the `email:api-token` credential pair.
import { trackerError } from "../../domain/errors.ts";

export interface JiraCredentials {
  email: string;
  token: string;
}

const CREDENTIALS_FORMAT = "api_key must be in email:token format";
const REST_PATH_HINT =
  "endpoint must be the Jira site root (e.g. https://your-org.atlassian.net), without /rest/api/";

/** The site root without trailing slashes; missing, non-HTTP or REST-path endpoints are rejected. */
export function parseEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, "");
  if (trimmed === "") throw trackerError("tracker_payload_error", "missing required config key: endpoint");
  if (trimmed.includes("/rest/api/") || trimmed.endsWith("/rest/api")) {
    throw trackerError("tracker_payload_error", REST_PATH_HINT);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw trackerError("tracker_payload_error", "endpoint must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw trackerError("tracker_payload_error", "endpoint must be an absolute http(s) URL");
  }
  return trimmed;
}

/**
 * Splits `email:token` at the first colon (API tokens may contain colons). No colon, or nothing
 * before or after it, is an auth error; the message never repeats the value.
 */
export function parseCredentials(apiKey: string): JiraCredentials {
  const colon = apiKey.indexOf(":");
  if (colon <= 0 || colon === apiKey.length - 1) throw trackerError("tracker_auth_error", CREDENTIALS_FORMAT);
  return { email: apiKey.slice(0, colon), token: apiKey.slice(colon + 1) };
}

/** True when `apiKey` has the `email:token` shape parseCredentials accepts. */
export function isCredentialPair(apiKey: string): boolean {
  const colon = apiKey.indexOf(":");
  return colon > 0 && colon < apiKey.length - 1;
}

/** `Basic base64(email:token)`, the UTF-8 bytes encoded. */
export function basicAuthorization(credentials: JiraCredentials): string {
  return `Basic ${Buffer.from(`${credentials.email}:${credentials.token}`, "utf8").toString("base64")}`;
}
