// A GitHub tracker adapter wired to a fake GitHub on a local port, sharing one fake clock, so
// rate-limit resets and pauses line up on both sides.
import { Secret } from "../../../../src/config/secret.ts";
import type { TrackerConfig } from "../../../../src/config/types.ts";
import { SortieError } from "../../../../src/domain/errors.ts";
import type { TrackerMetrics, TrackerOperation } from "../../../../src/domain/tracker.ts";
import {
  createGitHubTracker,
  type GitHubTracker,
  githubTracker,
} from "../../../../src/trackers/github/index.ts";
import { instrumentTracker } from "../../../../src/trackers/instrumented.ts";
import type { TrackerAdapterConfig, TrackerDeps } from "../../../../src/trackers/registry.ts";
import { type FakeGitHub, type FakeGitHubOptions, startFakeGitHub } from "../../../fakes/github/server.ts";
import {
  type FakeClock,
  fakeClock,
  type RecordingLogger,
  recordingLogger,
  rejectionOf,
  trackerConfig,
} from "../../../unit/trackers/support.ts";

export interface GitHubSetup {
  fake: FakeGitHub;
  tracker: GitHubTracker;
  logger: RecordingLogger;
  clock: FakeClock;
  config: TrackerAdapterConfig;
}

export interface SetupOptions {
  fake?: FakeGitHubOptions;
  tracker?: Partial<TrackerConfig>;
  /** The `github:` block. */
  options?: Record<string, unknown>;
  timeoutMs?: number;
  /** Replaces the token the adapter sends (the fake keeps its own). */
  apiKey?: string;
}

const running: FakeGitHub[] = [];

export function githubConfig(endpoint: string, overrides: Partial<TrackerConfig> = {}): TrackerConfig {
  return trackerConfig({
    kind: "github",
    endpoint,
    project: "owner/repo",
    activeStates: ["backlog", "in-progress", "review"],
    terminalStates: ["done", "wontfix"],
    ...overrides,
  });
}

export function setupGitHub(setup: SetupOptions = {}): GitHubSetup {
  const clock = fakeClock("2026-03-01T10:00:00.000Z");
  const fake = startFakeGitHub({ now: clock.now, ...setup.fake });
  running.push(fake);
  const logger = recordingLogger();
  const config: TrackerAdapterConfig = {
    ...githubConfig(fake.url, { apiKey: new Secret(setup.apiKey ?? fake.token), ...setup.tracker }),
    userAgent: "sortie/test",
    options: setup.options ?? {},
  };
  const deps: TrackerDeps = { fetch, logger, now: clock.now, cwd: "/tmp" };
  const tracker = createGitHubTracker(config, deps, { timeoutMs: setup.timeoutMs });
  return { fake, tracker, logger, clock, config };
}

export async function stopFakes(): Promise<void> {
  await Promise.all(running.splice(0).map((fake) => fake.stop()));
}

export async function sortieError(promise: Promise<unknown>): Promise<SortieError> {
  const err = await rejectionOf(promise);
  if (!(err instanceof SortieError)) throw new Error(`expected a SortieError, got ${String(err)}`);
  return err;
}

/** Counts the wrapper's metric calls. */
export function metricsRecorder(): TrackerMetrics & { calls: [TrackerOperation, string][] } {
  const calls: [TrackerOperation, string][] = [];
  return { calls, trackerRequest: (operation, result) => calls.push([operation, result]) };
}

/** The adapter wrapped with the github kind's metrics policy, as the registry builds it. */
export function instrumented(tracker: GitHubTracker) {
  return instrumentTracker(tracker, githubTracker.metrics);
}
