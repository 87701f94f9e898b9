import { afterEach, describe, expect, test } from "bun:test";
import { Secret } from "../../../../src/config/secret.ts";
import { SortieError } from "../../../../src/domain/errors.ts";
import type { TrackerOperation } from "../../../../src/domain/tracker.ts";
import { createTracker } from "../../../../src/trackers/registry.ts";
import { type FakeJira, jiraIssue, startFakeJira } from "../../../fakes/jira/server.ts";
import { fakeClock, recordingLogger, rejectionOf } from "../../../unit/trackers/support.ts";
import { adapterFor } from "./support.ts";

const EMAIL = "bot@example.com";
const TOKEN = "ATATT3xFfGF0-secret-token:with-colon";

let fake: FakeJira | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

function start(): FakeJira {
  fake = startFakeJira({
    email: EMAIL,
    token: TOKEN,
    statuses: ["To Do", "In Progress", "Done"],
    issues: [
      jiraIssue({ id: "1", key: "PROJ-1", summary: "one", status: "To Do" }),
      jiraIssue({ id: "2", key: "PROJ-2", summary: "two", status: "In Progress" }),
    ],
  });
  return fake;
}

async function sortieError(promise: Promise<unknown>): Promise<SortieError> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(SortieError);
  return err as SortieError;
}

const secretsOf = (jira: FakeJira) => [
  jira.token,
  jira.apiKey,
  btoa(jira.apiKey),
  `Basic ${btoa(jira.apiKey)}`,
];

describe("HTTP errors", () => {
  test("bad JQL from the query filter is a 400 payload error carrying Jira's message", async () => {
    const jira = start();
    const { tracker } = adapterFor(jira, { queryFilter: "labels = " });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toStartWith("GET /rest/api/3/search/jql: bad request: ");
    expect(error.message).toContain("Error in the JQL Query");
  });

  test("a configured state the workflow does not have is a 400 payload error", async () => {
    const jira = start();
    const { tracker } = adapterFor(jira, { activeStates: ["Selected for Development"] });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_payload_error");
    expect(error.message).toContain(
      "The value 'Selected for Development' does not exist for the field 'status'.",
    );
  });

  test("wrong credentials: 401 auth error with the email:api-token hint and no secret", async () => {
    const jira = start();
    const { tracker } = adapterFor({ url: jira.url, apiKey: `${EMAIL}:wrong-token-value` });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_auth_error");
    expect(error.message).toStartWith(
      "GET /rest/api/3/search/jql: 401 unauthorized: check that tracker.api_key",
    );
    expect(error.message).toContain("<email>:<api-token>");
    expect(error.message).not.toContain("CAPTCHA");
    expect(String(error)).not.toContain("wrong-token-value");
    expect(jira.requests[0]!.status).toBe(401);
  });

  test("a CAPTCHA lock-out (X-Seraph-LoginReason: AUTHENTICATION_DENIED) says so", async () => {
    const jira = start();
    jira.lockOut();
    const error = await sortieError(adapterFor(jira).tracker.fetchIssueStatesByIds(["1"]));
    expect(error.kind).toBe("tracker_auth_error");
    expect(error.message).toContain("CAPTCHA");
    expect(error.message).toContain("browser");
  });

  test("403 is an auth error naming permissions and scopes", async () => {
    const jira = start();
    jira.inject({ status: 403, method: "POST", body: { errorMessages: ["You do not have permission."] } });
    const { tracker } = adapterFor(jira);
    const error = await sortieError(tracker.transitionIssue("1", "Done"));
    expect(error.kind).toBe("tracker_auth_error");
    expect(error.message).toStartWith("POST /rest/api/3/issue/1/transitions: 403 forbidden");
    expect(error.message).toContain("write:jira-work");
    expect(jira.statusOf("1")).toBe("To Do");
  });

  test("5xx is a transport error with the status and body", async () => {
    const jira = start();
    jira.inject({ status: 503, body: { errorMessages: ["Service unavailable"] } });
    const error = await sortieError(adapterFor(jira).tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_transport_error");
    expect(error.message).toContain("server error 503:");
    expect(error.message).toContain("Service unavailable");
  });

  test("an unexpected status is an API error", async () => {
    const jira = start();
    jira.inject({ status: 409, body: { errorMessages: ["conflict"] } });
    const error = await sortieError(adapterFor(jira).tracker.addLabel("1", "x"));
    expect(error.kind).toBe("tracker_api_error");
    expect(error.message).toContain("unexpected status 409");
  });

  test("a 200 whose body is not a search page is a payload error", async () => {
    const jira = start();
    jira.inject({ status: 200, body: { issues: "not a list" } });
    jira.inject({ status: 200, body: "<html>maintenance</html>" });
    const { tracker } = adapterFor(jira);
    for (let i = 0; i < 2; i++) {
      const error = await sortieError(tracker.fetchCandidateIssues());
      expect(error.kind).toBe("tracker_payload_error");
      expect(error.message).toBe("failed to parse search response");
    }
  });

  test("an unreachable site is a transport error", async () => {
    const jira = start();
    const url = jira.url;
    await jira.stop();
    fake = undefined;
    const error = await sortieError(
      adapterFor({ url, apiKey: `${EMAIL}:${TOKEN}` }).tracker.fetchCandidateIssues(),
    );
    expect(error.kind).toBe("tracker_transport_error");
    expect(error.message).toBe("GET /rest/api/3/search/jql: transport error");
  });

  test("a slow response past the timeout is a transport error; a caller abort passes through as-is", async () => {
    const jira = start();
    jira.inject({ status: 0, delayMs: 2_000 });
    const { tracker } = adapterFor(jira, { timeoutMs: 50 });
    const error = await sortieError(tracker.fetchCandidateIssues());
    expect(error.kind).toBe("tracker_transport_error");

    jira.inject({ status: 0, delayMs: 2_000 });
    const controller = new AbortController();
    const pending = adapterFor(jira).tracker.fetchIssueById("1", controller.signal);
    const reason = new Error("stop now");
    setTimeout(() => controller.abort(reason), 20);
    expect(await rejectionOf(pending)).toBe(reason);
  });
});

describe("secrets", () => {
  test("a server echoing the credentials back never gets them into error text", async () => {
    const jira = start();
    const echoed = `auth=${`Basic ${btoa(jira.apiKey)}`} token=${jira.token} key=${jira.apiKey}`;
    for (const status of [400, 401, 403, 500]) jira.inject({ status, body: { errorMessages: [echoed] } });
    const { tracker, logger } = adapterFor(jira);
    for (let i = 0; i < 4; i++) {
      const error = await sortieError(tracker.fetchCandidateIssues());
      const text = `${String(error)} ${error.stack ?? ""}`;
      for (const secret of secretsOf(jira)) expect(text).not.toContain(secret);
      if (error.kind !== "tracker_auth_error") expect(error.message).toContain("[redacted]");
    }
    expect(JSON.stringify(logger.records)).not.toContain(jira.token);
  });

  test("the failed lookup warning carries no secret either", async () => {
    const jira = start();
    jira.inject({ status: 400, body: { errorMessages: [`bad key for ${jira.apiKey}`] } });
    const { tracker, logger } = adapterFor(jira);
    await sortieError(tracker.fetchIssueStatesByIdentifiers(["PROJ-1"]));
    const logged = JSON.stringify(logger.records);
    expect(logged).toContain("tracker state lookup failed");
    for (const secret of secretsOf(jira)) expect(logged).not.toContain(secret);
  });
});

describe("rate limits", () => {
  test("a 429 pauses every call until Retry-After has passed, then calls resume", async () => {
    const jira = start();
    jira.rateLimit(30);
    const { tracker, logger, clock } = adapterFor(jira);

    const first = await sortieError(tracker.fetchCandidateIssues());
    expect(first.kind).toBe("tracker_api_error");
    expect(first.message).toBe("GET /rest/api/3/search/jql: rate limited (retry after 30 seconds)");
    expect(tracker.rateLimitPauses()).toEqual([
      { resource: "jira", until: new Date("2026-03-01T10:00:30.000Z"), reason: "rate limited" },
    ]);

    // While paused: every operation fails fast without a request.
    const requestsBefore = jira.requests.length;
    const paused = await sortieError(tracker.fetchIssueStatesByIds(["1"]));
    expect(paused.kind).toBe("tracker_api_error");
    expect(paused.message).toBe(
      "GET /rest/api/3/search/jql: rate limited (paused until 2026-03-01T10:00:30Z)",
    );
    expect((await sortieError(tracker.transitionIssue("1", "Done"))).message).toContain("paused until");
    expect((await sortieError(tracker.commentIssue("1", "hi"))).message).toContain("paused until");
    expect(jira.requests.length).toBe(requestsBefore);
    expect(logger.messages("warn")).toEqual(["tracker rate limit reached, pausing"]);
    expect(logger.records.find((r) => r.level === "warn")?.properties).toEqual({
      resource: "jira",
      until: "2026-03-01T10:00:30Z",
      reason: "rate limited",
    });

    clock.advance(29_000);
    await sortieError(tracker.fetchCandidateIssues());
    expect(jira.requests.length).toBe(requestsBefore);

    clock.advance(1_000);
    const issues = await tracker.fetchCandidateIssues();
    expect(issues.map((issue) => issue.identifier)).toEqual(["PROJ-1", "PROJ-2"]);
    expect(tracker.rateLimitPauses()).toEqual([]);
    expect(logger.messages("info")).toEqual(["tracker rate limit pause ended"]);
  });

  test("without Retry-After the ISO-8601 X-RateLimit-Reset decides, else 60 s", async () => {
    const jira = start();
    jira.inject({ status: 429, headers: { "x-ratelimit-reset": "2026-03-01T10:05:00Z" } });
    const { tracker, clock } = adapterFor(jira);
    await sortieError(tracker.fetchCandidateIssues());
    expect(tracker.rateLimitPauses()[0]?.until).toEqual(new Date("2026-03-01T10:05:00Z"));

    clock.advance(5 * 60_000);
    jira.inject({ status: 429 });
    await sortieError(tracker.fetchCandidateIssues());
    expect(tracker.rateLimitPauses()[0]?.until).toEqual(new Date("2026-03-01T10:06:00Z"));
  });

  test("snapshots record the rate-limit headers Jira sends", async () => {
    const jira = start();
    jira.rateLimit(10);
    const { tracker } = adapterFor(jira);
    await sortieError(tracker.fetchCandidateIssues());
    expect(tracker.rateLimitSnapshots()).toEqual([
      { resource: "jira", limit: null, remaining: 0, resetAt: null, paused: true },
    ]);
  });
});

describe("metrics through the registry", () => {
  test("one count per logical call; empty-input lookups are not counted", async () => {
    const jira = start();
    const adapter = createTracker(
      {
        kind: "jira",
        endpoint: `${jira.url}/`,
        apiKey: new Secret(jira.apiKey),
        project: "PROJ",
        activeStates: ["To Do", "In Progress"],
        terminalStates: ["Done"],
        queryFilter: "",
        handoffState: null,
        inProgressState: null,
        comments: { onDispatch: false, onCompletion: false, onFailure: false },
        userAgent: "sortie/9.9.9",
        options: {},
      },
      { fetch, logger: recordingLogger(), now: fakeClock().now, cwd: "/tmp" },
    );
    const counted: [TrackerOperation, string][] = [];
    adapter.setMetrics?.({ trackerRequest: (operation, result) => counted.push([operation, result]) });

    await adapter.fetchCandidateIssues();
    await adapter.fetchIssueById("1");
    await adapter.fetchIssueStatesByIds([]);
    await adapter.fetchIssueStatesByIdentifiers([]);
    await adapter.fetchIssuesByStates([]);
    await adapter.fetchIssueStatesByIds(["1", "2"]);
    await rejectionOf(adapter.transitionIssue("1", "Nowhere"));

    expect(counted).toEqual([
      ["fetch_candidates", "success"],
      ["fetch_issue", "success"],
      ["fetch_states_by_ids", "success"],
      ["transition", "error"],
    ]);
    expect(jira.requests[0]!.headers.get("user-agent")).toBe("sortie/9.9.9");
    expect(jira.requests[0]!.path).toBe("/rest/api/3/search/jql");
  });
});
