import { describe, expect, test } from "bun:test";
import { Secret } from "../../../../src/config/secret.ts";
import type { TrackerConfig } from "../../../../src/config/types.ts";
import type { SortieError } from "../../../../src/domain/errors.ts";
import { mapJiraStatus } from "../../../../src/trackers/jira/client.ts";
import { createJiraTracker, jiraTracker, validateJiraConfig } from "../../../../src/trackers/jira/index.ts";
import {
  basicAuthorization,
  parseCredentials,
  parseEndpoint,
} from "../../../../src/trackers/jira/settings.ts";
import {
  createTracker,
  lookupTrackerKind,
  PENDING_STATE_DEFAULTS,
  TRACKER_KINDS,
  type TrackerAdapterConfig,
  type TrackerDeps,
  trackerStateDefaults,
} from "../../../../src/trackers/registry.ts";
import { thrownSortieError } from "../../../helpers/sortie-error.ts";
import { recordingLogger } from "../support.ts";

const config = (overrides: Partial<TrackerConfig> = {}): TrackerAdapterConfig => ({
  kind: "jira",
  endpoint: "https://example.atlassian.net",
  apiKey: new Secret("me@example.com:token-123"),
  project: "PROJ",
  activeStates: ["To Do"],
  terminalStates: ["Done"],
  queryFilter: "",
  handoffState: null,
  inProgressState: null,
  comments: { onDispatch: false, onCompletion: false, onFailure: false },
  userAgent: "sortie/test",
  options: {},
  ...overrides,
});

const deps: TrackerDeps = {
  fetch: (() => Promise.reject(new Error("no network in unit tests"))) as unknown as typeof fetch,
  logger: recordingLogger(),
  now: () => new Date(),
  cwd: "/tmp",
};

describe("registration", () => {
  test("jira is registered with project and key required and the stock workflow's states", () => {
    expect(TRACKER_KINDS).toContain("jira");
    expect(lookupTrackerKind("jira")).toBe(jiraTracker);
    expect(jiraTracker.requiresApiKey).toBe(true);
    expect(jiraTracker.requiresProject).toBe(true);
    expect(trackerStateDefaults("jira")).toEqual({
      active: ["Backlog", "Selected for Development", "In Progress"],
      terminal: [],
    });
    if (PENDING_STATE_DEFAULTS.jira !== undefined)
      expect(trackerStateDefaults("jira")).toEqual(PENDING_STATE_DEFAULTS.jira);
  });

  test("the registry builds a metrics-wrapped adapter", () => {
    const adapter = createTracker(config(), deps);
    expect(typeof adapter.setMetrics).toBe("function");
    expect(adapter.rateLimitPauses?.()).toEqual([]);
  });

  test.each([
    [{ apiKey: new Secret("  ") }, "missing_tracker_api_key", "missing required config key: api_key"],
    [{ project: "" }, "missing_tracker_project", "missing required config key: project"],
    [{ endpoint: "" }, "tracker_payload_error", "missing required config key: endpoint"],
  ])("construction rejects %j", (overrides, kind, message) => {
    const error = thrownSortieError(() => createJiraTracker(config(overrides), deps));
    expect(error.kind).toBe(kind as SortieError["kind"]);
    expect(error.message).toBe(message);
  });
});

describe("endpoint", () => {
  test("trailing slashes are stripped", () => {
    expect(parseEndpoint("https://example.atlassian.net///")).toBe("https://example.atlassian.net");
    expect(parseEndpoint(" http://127.0.0.1:8080/ ")).toBe("http://127.0.0.1:8080");
  });

  test.each([
    "https://example.atlassian.net/rest/api/3",
    "https://example.atlassian.net/rest/api/3/",
    "https://example.atlassian.net/rest/api/",
  ])("an endpoint inside the REST API (%s) is rejected with the site-root hint", (endpoint) => {
    const error = thrownSortieError(() => parseEndpoint(endpoint));
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toContain("site root");
  });

  test.each(["example.atlassian.net", "ftp://example.com", "not a url"])(
    "%s is not an http(s) URL",
    (endpoint) => {
      expect(thrownSortieError(() => parseEndpoint(endpoint)).kind).toBe("tracker_payload_error");
    },
  );
});

describe("credentials", () => {
  test("split at the first colon; the token may contain colons", () => {
    expect(parseCredentials("me@example.com:abc:def")).toEqual({ email: "me@example.com", token: "abc:def" });
  });

  test.each(["no-colon-token", ":token-only", "me@example.com:"])(
    "%j is a tracker_auth_error that does not repeat the value",
    (apiKey) => {
      const error = thrownSortieError(() => parseCredentials(apiKey));
      expect(error.kind).toBe("tracker_auth_error");
      expect(error.message).toBe("api_key must be in email:token format");
      expect(String(error)).not.toContain(apiKey);
    },
  );

  test("an api_key without the email fails construction the same way", () => {
    const error = thrownSortieError(() =>
      createJiraTracker(config({ apiKey: new Secret("just-a-token-9999") }), deps),
    );
    expect(error.kind).toBe("tracker_auth_error");
    expect(String(error)).not.toContain("just-a-token-9999");
  });

  test("Basic authorization is base64 of the UTF-8 email:token", () => {
    expect(basicAuthorization({ email: "me@example.com", token: "tok:en" })).toBe(
      `Basic ${btoa("me@example.com:tok:en")}`,
    );
    expect(basicAuthorization({ email: "jörg@example.com", token: "t" })).toBe(
      `Basic ${Buffer.from("jörg@example.com:t", "utf8").toString("base64")}`,
    );
  });
});

describe("validate warnings", () => {
  test("a valid config has none", () => {
    expect(validateJiraConfig(config(), {})).toEqual([]);
  });

  test("missing endpoint, a REST-path endpoint and a token without email are warnings", () => {
    expect(validateJiraConfig(config({ endpoint: "" }), {}).map((d) => [d.severity, d.check])).toEqual([
      ["warning", "tracker.endpoint.jira_missing"],
    ]);
    expect(
      validateJiraConfig(
        config({ endpoint: "https://x.atlassian.net/rest/api/3", apiKey: new Secret("tok") }),
        {},
      ).map((d) => [d.severity, d.check]),
    ).toEqual([
      ["warning", "tracker.endpoint.jira_rest_path"],
      ["warning", "tracker.api_key.jira_format"],
    ]);
  });

  test("the api_key warning never contains the key", () => {
    const [diagnostic] = validateJiraConfig(config({ apiKey: new Secret("secret-token-value") }), {});
    expect(diagnostic?.message).not.toContain("secret-token-value");
  });
});

describe("status mapping", () => {
  const info = (status: number, headers: Record<string, string> = {}) => ({
    method: "GET",
    path: "/rest/api/3/search/jql",
    status,
    headers: new Headers(headers),
    body: "Client must be authenticated",
  });

  test("401 is an auth error with the email:api-token hint", () => {
    const mapping = mapJiraStatus(info(401, { "x-seraph-loginreason": "AUTHENTICATED_FAILED" }));
    expect(mapping?.kind).toBe("tracker_auth_error");
    expect(mapping?.detail).toStartWith("401 unauthorized: check that tracker.api_key");
    expect(mapping?.detail).toContain("<email>:<api-token>");
    expect(mapping?.detail).not.toContain("CAPTCHA");
  });

  test("403 names the permissions and scopes", () => {
    const mapping = mapJiraStatus(info(403));
    expect(mapping?.kind).toBe("tracker_auth_error");
    expect(mapping?.detail).toStartWith("403 forbidden");
    expect(mapping?.detail).toContain("write:jira-work");
  });

  test("AUTHENTICATION_DENIED adds the CAPTCHA note", () => {
    for (const reason of [
      "AUTHENTICATION_DENIED",
      "authentication_denied",
      "AUTHENTICATED_FAILED, AUTHENTICATION_DENIED",
    ]) {
      expect(mapJiraStatus(info(401, { "x-seraph-loginreason": reason }))?.detail).toContain("CAPTCHA");
    }
  });

  test("other statuses use the shared mapping", () => {
    for (const status of [400, 404, 429, 500]) expect(mapJiraStatus(info(status))).toBeUndefined();
  });
});
