// Registration of the `file` tracker kind: a local JSON file, no API key or project, no state
// defaults (an empty active list makes every issue a candidate).
import { resolve } from "node:path";
import { trackerError } from "../../domain/errors.ts";
import type { TrackerAdapter } from "../../domain/tracker.ts";
import { DEFAULT_METRICS_POLICY } from "../instrumented.ts";
import type { TrackerAdapterConfig, TrackerDeps, TrackerKindDefinition } from "../registry.ts";
import { FileTracker } from "./adapter.ts";

/** Builds the adapter from `file.path` (relative paths resolve against deps.cwd). */
export function createFileTracker(config: TrackerAdapterConfig, deps: TrackerDeps): TrackerAdapter {
  const path = config.options.path;
  if (typeof path !== "string" || path === "") {
    throw trackerError("tracker_payload_error", "missing required config key: path");
  }
  return new FileTracker({
    path: resolve(deps.cwd, path),
    activeStates: config.activeStates,
    now: deps.now,
    logger: deps.logger,
  });
}

export const fileTracker: TrackerKindDefinition = {
  kind: "file",
  requiresProject: false,
  requiresApiKey: false,
  defaultActiveStates: [],
  defaultTerminalStates: [],
  metrics: { ...DEFAULT_METRICS_POLICY, uncounted: ["add_label"] },
  create: createFileTracker,
};
