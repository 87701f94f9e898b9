// Registration of the `github` tracker kind: GitHub Issues of one `owner/repo`, with states kept
// as labels. Requires an API token and the project; works against GitHub Enterprise Server when
// `endpoint` names its API root.
import { trackerError } from "../../domain/errors.ts";
import type { TrackerAdapterConfig, TrackerDeps, TrackerKindDefinition } from "../registry.ts";
import { GitHubTracker } from "./adapter.ts";
import { createGitHubClient, DEFAULT_ENDPOINT } from "./client.ts";
import { etagCacheSize } from "./etag-cache.ts";
import { parseProject } from "./project.ts";
import { DEFAULT_ACTIVE_STATES, DEFAULT_TERMINAL_STATES, stateLabels } from "./states.ts";
import { validateGitHubConfig } from "./validate.ts";

export { GitHubTracker } from "./adapter.ts";
export { API_VERSION, createGitHubClient, DEFAULT_ENDPOINT } from "./client.ts";
export { validateGitHubConfig } from "./validate.ts";

/** Test seams the registry does not offer. */
export interface GitHubTrackerOverrides {
  /** Per-request timeout; 30 s. */
  timeoutMs?: number;
}

/**
 * Builds the bare adapter. Throws tracker_payload_error for a project that is not `owner/repo`;
 * the registry has already checked that the token and project are present.
 */
export function createGitHubTracker(
  config: TrackerAdapterConfig,
  deps: TrackerDeps,
  overrides: GitHubTrackerOverrides = {},
): GitHubTracker {
  const repository = parseProject(config.project.trim());
  if (repository === null) {
    throw trackerError("tracker_payload_error", "project must be in owner/repo format");
  }
  const endpoint = config.endpoint.trim() === "" ? DEFAULT_ENDPOINT : config.endpoint.trim();
  let client: ReturnType<typeof createGitHubClient>;
  try {
    client = createGitHubClient({
      endpoint,
      token: config.apiKey.reveal(),
      userAgent: config.userAgent || "sortie/dev",
      repository,
      fetch: deps.fetch,
      logger: deps.logger,
      now: deps.now,
      timeoutMs: overrides.timeoutMs,
    });
  } catch (err) {
    throw trackerError("tracker_payload_error", `invalid endpoint: ${endpoint}`, err);
  }
  return new GitHubTracker({
    client,
    repository,
    states: stateLabels(config),
    queryFilter: config.queryFilter,
    etagCacheSize: etagCacheSize(config.options.etag_cache_size),
    logger: deps.logger,
  });
}

export const githubTracker: TrackerKindDefinition = {
  kind: "github",
  requiresProject: true,
  requiresApiKey: true,
  defaultActiveStates: DEFAULT_ACTIVE_STATES,
  defaultTerminalStates: DEFAULT_TERMINAL_STATES,
  validate: validateGitHubConfig,
  // States-by-ids/identifiers with an empty list are counted (as a success), as in the original.
  metrics: { uncountedEmptyInput: ["fetch_by_states"], uncounted: [] },
  create: (config, deps) => createGitHubTracker(config, deps),
};
