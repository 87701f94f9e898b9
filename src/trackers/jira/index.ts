// Registration of the `jira` tracker kind (Jira Cloud): project key and `email:api-token` required,
// default active states of Jira's stock Scrum workflow, no terminal default.
import type { Diagnostic, TrackerConfig } from "../../config/types.ts";
import { trackerError } from "../../domain/errors.ts";
import type { TrackerAdapter } from "../../domain/tracker.ts";
import { DEFAULT_METRICS_POLICY } from "../instrumented.ts";
import type { TrackerAdapterConfig, TrackerDeps, TrackerEnv, TrackerKindDefinition } from "../registry.ts";
import { JiraTracker } from "./adapter.ts";
import { isCredentialPair, parseCredentials, parseEndpoint } from "./settings.ts";

export { JiraTracker, type JiraTrackerOptions } from "./adapter.ts";
export { adfToText } from "./adf-to-text.ts";
export { textToAdf } from "./text-to-adf.ts";

const DEFAULT_USER_AGENT = "sortie/dev";

/**
 * Builds the adapter, checking the configuration first: missing key or project, an endpoint that
 * is missing or points into `/rest/api/`, an api_key that is not `email:token`.
 */
export function createJiraTracker(config: TrackerAdapterConfig, deps: TrackerDeps): TrackerAdapter {
  if (config.apiKey.isEmpty)
    throw trackerError("missing_tracker_api_key", "missing required config key: api_key");
  if (config.project.trim() === "") {
    throw trackerError("missing_tracker_project", "missing required config key: project");
  }
  const endpoint = parseEndpoint(config.endpoint);
  const credentials = parseCredentials(config.apiKey.reveal());
  return new JiraTracker({
    endpoint,
    credentials,
    project: config.project,
    activeStates: config.activeStates,
    queryFilter: config.queryFilter,
    userAgent: config.userAgent.trim() === "" ? DEFAULT_USER_AGENT : config.userAgent,
    fetch: deps.fetch,
    logger: deps.logger,
    now: deps.now,
  });
}

/**
 * Network-free warnings for `sortie validate`: what would stop the adapter from being built at
 * start-up. Warnings, not errors, so validate's exit code keeps meaning what it always meant.
 */
export function validateJiraConfig(config: TrackerConfig, _env: TrackerEnv): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (config.endpoint.trim() === "") {
    diagnostics.push({
      severity: "warning",
      check: "tracker.endpoint.jira_missing",
      message: 'tracker.endpoint is required for tracker kind "jira" (e.g. https://your-org.atlassian.net)',
    });
  } else if (config.endpoint.includes("/rest/api")) {
    diagnostics.push({
      severity: "warning",
      check: "tracker.endpoint.jira_rest_path",
      message:
        "tracker.endpoint must be the Jira site root (e.g. https://your-org.atlassian.net), without /rest/api/",
    });
  }
  if (!config.apiKey.isEmpty && !isCredentialPair(config.apiKey.reveal())) {
    diagnostics.push({
      severity: "warning",
      check: "tracker.api_key.jira_format",
      message:
        "tracker.api_key must be in email:token format (Atlassian account email, a colon, the API token)",
    });
  }
  return diagnostics;
}

export const jiraTracker: TrackerKindDefinition = {
  kind: "jira",
  requiresProject: true,
  requiresApiKey: true,
  defaultActiveStates: ["Backlog", "Selected for Development", "In Progress"],
  defaultTerminalStates: [],
  validate: validateJiraConfig,
  metrics: DEFAULT_METRICS_POLICY,
  create: createJiraTracker,
};
