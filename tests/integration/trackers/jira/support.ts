// Shared setup of the Jira integration tests: fixtures from tests/fixtures/tracker-jira, and an
// adapter pointed at a fake Jira with a recording logger and a clock the test moves.
import { JiraTracker, type JiraTrackerOptions } from "../../../../src/trackers/jira/adapter.ts";
import { parseCredentials } from "../../../../src/trackers/jira/settings.ts";
import type {
  FakeJira,
  JiraCommentJson,
  JiraIssueJson,
  JiraTransitionJson,
} from "../../../fakes/jira/server.ts";
import {
  type FakeClock,
  fakeClock,
  type RecordingLogger,
  recordingLogger,
} from "../../../unit/trackers/support.ts";

const FIXTURES = new URL("../../../fixtures/tracker-jira/", import.meta.url);

export function fixture<T = unknown>(name: string): Promise<T> {
  return Bun.file(new URL(name, FIXTURES)).json() as Promise<T>;
}

export async function fixtureIssues(name: string): Promise<JiraIssueJson[]> {
  return (await fixture<{ issues: JiraIssueJson[] }>(name)).issues;
}

export async function fixtureComments(...names: string[]): Promise<JiraCommentJson[]> {
  const pages = await Promise.all(names.map((name) => fixture<{ comments: JiraCommentJson[] }>(name)));
  return pages.flatMap((page) => page.comments);
}

export async function fixtureTransitions(name: string): Promise<JiraTransitionJson[]> {
  return (await fixture<{ transitions: JiraTransitionJson[] }>(name)).transitions;
}

export interface AdapterUnderTest {
  tracker: JiraTracker;
  logger: RecordingLogger;
  clock: FakeClock;
}

export function adapterFor(
  fake: Pick<FakeJira, "url" | "apiKey">,
  overrides: Partial<JiraTrackerOptions> = {},
): AdapterUnderTest {
  const logger = recordingLogger();
  const clock = fakeClock("2026-03-01T10:00:00.000Z");
  const tracker = new JiraTracker({
    endpoint: fake.url,
    credentials: parseCredentials(fake.apiKey),
    project: "PROJ",
    activeStates: ["To Do", "In Progress"],
    queryFilter: "",
    userAgent: "sortie/test",
    fetch,
    logger,
    now: clock.now,
    ...overrides,
  });
  return { tracker, logger, clock };
}

/** The query string's parameters in order, for exact request assertions. */
export function params(query: URLSearchParams): [string, string][] {
  return [...query.entries()];
}
