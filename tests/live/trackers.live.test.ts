// Read-only checks against real tracker projects. They run only when their variables are set
// (SORTIE_GITHUB_TEST=1 with SORTIE_GITHUB_TOKEN and SORTIE_GITHUB_PROJECT; SORTIE_JIRA_TEST=1 with
// SORTIE_JIRA_ENDPOINT, SORTIE_JIRA_API_KEY and SORTIE_JIRA_PROJECT) and are skipped otherwise.
// Nothing is written to the tracker.
import { describe, expect, test } from "bun:test";
import { getLogger } from "@logtape/logtape";
import { Secret } from "../../src/config/secret.ts";
import type { TrackerConfig } from "../../src/config/types.ts";
import { createTracker, trackerStateDefaults } from "../../src/trackers/registry.ts";

const env = process.env;

function csv(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

function liveTracker(
  kind: "github" | "jira",
  fields: {
    endpoint?: string;
    apiKey: string;
    project: string;
    queryFilter?: string;
    activeStates?: string[];
  },
) {
  const defaults = trackerStateDefaults(kind);
  const config: TrackerConfig = {
    kind,
    endpoint: fields.endpoint ?? "",
    apiKey: new Secret(fields.apiKey),
    project: fields.project,
    activeStates: fields.activeStates ?? [...defaults.active],
    terminalStates: [...defaults.terminal],
    queryFilter: fields.queryFilter ?? "",
    handoffState: null,
    inProgressState: null,
    comments: { onDispatch: false, onCompletion: false, onFailure: false },
  };
  return createTracker(
    { ...config, userAgent: "sortie-live-test", options: {} },
    {
      fetch: globalThis.fetch,
      logger: getLogger(["sortie", "live"]),
      now: () => new Date(),
      cwd: process.cwd(),
    },
  );
}

const github = env.SORTIE_GITHUB_TEST === "1" && env.SORTIE_GITHUB_TOKEN && env.SORTIE_GITHUB_PROJECT;
if (!github)
  console.log(
    "live GitHub tests skipped: set SORTIE_GITHUB_TEST=1, SORTIE_GITHUB_TOKEN and SORTIE_GITHUB_PROJECT",
  );

describe.skipIf(!github)("GitHub Issues, live", () => {
  const tracker = () =>
    liveTracker("github", {
      apiKey: env.SORTIE_GITHUB_TOKEN ?? "",
      project: env.SORTIE_GITHUB_PROJECT ?? "",
    });

  test("candidates are issues (never pull requests) with owner/repo#N display ids", async () => {
    const issues = await tracker().fetchCandidateIssues(AbortSignal.timeout(30_000));
    for (const issue of issues) {
      expect(issue.displayId).toBe(`${env.SORTIE_GITHUB_PROJECT}#${issue.identifier}`);
      expect(issue.comments).toBeNull();
    }
  }, 60_000);

  test("an issue fetched by id comes with comments and blockers", async () => {
    const id = env.SORTIE_GITHUB_ISSUE_ID;
    if (!id) return;
    const issue = await tracker().fetchIssueById(id, AbortSignal.timeout(30_000));
    expect(issue.id).toBe(id);
    expect(Array.isArray(issue.comments)).toBe(true);
    expect(Array.isArray(issue.blockedBy)).toBe(true);
  }, 60_000);
});

const jira =
  env.SORTIE_JIRA_TEST === "1" &&
  env.SORTIE_JIRA_ENDPOINT &&
  env.SORTIE_JIRA_API_KEY &&
  env.SORTIE_JIRA_PROJECT;
if (!jira)
  console.log(
    "live Jira tests skipped: set SORTIE_JIRA_TEST=1, SORTIE_JIRA_ENDPOINT, SORTIE_JIRA_API_KEY and SORTIE_JIRA_PROJECT",
  );

describe.skipIf(!jira)("Jira Cloud, live", () => {
  const tracker = () =>
    liveTracker("jira", {
      endpoint: env.SORTIE_JIRA_ENDPOINT,
      apiKey: env.SORTIE_JIRA_API_KEY ?? "",
      project: env.SORTIE_JIRA_PROJECT ?? "",
      queryFilter: env.SORTIE_JIRA_QUERY_FILTER,
      activeStates: csv(env.SORTIE_JIRA_ACTIVE_STATES),
    });

  test("candidates belong to the project and their states can be looked up again", async () => {
    const t = tracker();
    const issues = await t.fetchCandidateIssues(AbortSignal.timeout(30_000));
    for (const issue of issues) expect(issue.identifier.startsWith(`${env.SORTIE_JIRA_PROJECT}-`)).toBe(true);
    const ids = issues.slice(0, 20).map((i) => i.id);
    const states = await t.fetchIssueStatesByIds(ids, AbortSignal.timeout(30_000));
    for (const id of ids) expect(states.has(id)).toBe(true);
  }, 60_000);
});
