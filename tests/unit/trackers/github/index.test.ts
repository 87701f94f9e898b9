import { describe, expect, test } from "bun:test";
import { Secret } from "../../../../src/config/secret.ts";
import type { TrackerConfig } from "../../../../src/config/types.ts";
import { createGitHubTracker, githubTracker } from "../../../../src/trackers/github/index.ts";
import {
  createTracker,
  lookupTrackerKind,
  TRACKER_KINDS,
  type TrackerAdapterConfig,
  type TrackerDeps,
} from "../../../../src/trackers/registry.ts";
import { thrownSortieError } from "../../../helpers/sortie-error.ts";
import { recordingLogger, trackerConfig } from "../support.ts";

function config(overrides: Partial<TrackerConfig> = {}, userAgent = "sortie/1.0.0"): TrackerAdapterConfig {
  return {
    ...trackerConfig({
      kind: "github",
      apiKey: new Secret("ghp_unitTestToken000"),
      project: "acme/widgets",
      activeStates: ["backlog", "in-progress", "review"],
      terminalStates: ["done", "wontfix"],
      ...overrides,
    }),
    userAgent,
    options: {},
  };
}

interface Sent {
  url: string;
  headers: Headers;
}

/** A fetch that records requests and answers from `answer`. */
function stubFetch(answer: (url: string, index: number) => Response): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const stub = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    sent.push({ url, headers: new Headers(init?.headers) });
    return answer(url, sent.length - 1);
  };
  return { fetch: stub as typeof fetch, sent };
}

function deps(fetchImpl: typeof fetch): TrackerDeps {
  return {
    fetch: fetchImpl,
    logger: recordingLogger(),
    now: () => new Date("2026-03-01T10:00:00Z"),
    cwd: "/",
  };
}

describe("github kind registration", () => {
  test("is registered with its requirements, defaults and metrics policy", () => {
    expect(TRACKER_KINDS).toContain("github");
    expect(lookupTrackerKind("github")).toBe(githubTracker);
    expect([githubTracker.requiresApiKey, githubTracker.requiresProject]).toEqual([true, true]);
    expect(githubTracker.defaultActiveStates).toEqual(["backlog", "in-progress", "review"]);
    expect(githubTracker.defaultTerminalStates).toEqual(["done", "wontfix"]);
    expect(githubTracker.metrics).toEqual({ uncountedEmptyInput: ["fetch_by_states"], uncounted: [] });
  });

  test("the registry requires the token and the project", () => {
    const { fetch } = stubFetch(() => new Response("[]"));
    expect(thrownSortieError(() => createTracker(config({ apiKey: new Secret("") }), deps(fetch))).kind).toBe(
      "missing_tracker_api_key",
    );
    expect(thrownSortieError(() => createTracker(config({ project: " " }), deps(fetch))).kind).toBe(
      "missing_tracker_project",
    );
  });

  test.each(["acme", "acme/widgets/extra", "/widgets", "acme/"])("project %p is rejected", (project) => {
    const { fetch } = stubFetch(() => new Response("[]"));
    const error = thrownSortieError(() => createTracker(config({ project }), deps(fetch)));
    expect([error.kind, error.message]).toEqual([
      "tracker_payload_error",
      "project must be in owner/repo format",
    ]);
  });

  test("an endpoint that is not a URL is a payload error naming it", () => {
    const { fetch } = stubFetch(() => new Response("[]"));
    const error = thrownSortieError(() => createTracker(config({ endpoint: "not a url" }), deps(fetch)));
    expect([error.kind, error.message]).toEqual(["tracker_payload_error", "invalid endpoint: not a url"]);
  });
});

describe("requests", () => {
  test("default to api.github.com with the host's user agent, or sortie/dev without one", async () => {
    for (const [userAgent, expected] of [
      ["sortie/1.0.0", "sortie/1.0.0"],
      ["", "sortie/dev"],
    ] as const) {
      const { fetch, sent } = stubFetch(() => new Response("[]"));
      await createTracker(config({}, userAgent), deps(fetch)).fetchCandidateIssues();
      expect(sent[0]?.url).toBe(
        "https://api.github.com/repos/acme/widgets/issues?state=open&sort=created&direction=asc&per_page=50",
      );
      expect(Object.fromEntries(sent[0]?.headers ?? new Headers())).toEqual({
        accept: "application/vnd.github+json",
        authorization: "Bearer ghp_unitTestToken000",
        "user-agent": expected,
        "x-github-api-version": "2026-03-10",
      });
    }
  });

  test("the token is sent to the API's origin only, even when a Link points elsewhere", async () => {
    const { fetch, sent } = stubFetch((_url, index) =>
      index === 0
        ? new Response("[]", { headers: { link: '<https://elsewhere.example/page2>; rel="next"' } })
        : new Response("[]"),
    );
    await createGitHubTracker(
      config({ endpoint: "https://ghe.example/api/v3" }),
      deps(fetch),
    ).fetchCandidateIssues();
    expect(sent.map((s) => [s.url.split("?")[0], s.headers.has("authorization")])).toEqual([
      ["https://ghe.example/api/v3/repos/acme/widgets/issues", true],
      ["https://elsewhere.example/page2", false],
    ]);
  });

  test("the search query carries the repository and the filter", async () => {
    const { fetch, sent } = stubFetch(() =>
      Response.json({ total_count: 0, incomplete_results: false, items: [] }),
    );
    await createGitHubTracker(
      config({ queryFilter: '  label:"good first issue"  ' }),
      deps(fetch),
    ).fetchCandidateIssues();
    const url = new URL(sent[0]?.url ?? "");
    expect(url.pathname).toBe("/search/issues");
    expect(url.searchParams.get("q")).toBe(
      'repo:acme/widgets type:issue state:open label:"good first issue"',
    );
  });
});
