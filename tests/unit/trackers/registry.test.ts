import { describe, expect, test } from "bun:test";
import type { ServiceConfig } from "../../../src/config/types.ts";
import {
  createTracker,
  lookupTrackerKind,
  PENDING_STATE_DEFAULTS,
  TRACKER_KINDS,
  type TrackerDeps,
  trackerAdapterConfig,
  trackerStateDefaults,
  unknownTrackerKindMessage,
} from "../../../src/trackers/registry.ts";
import { thrownSortieError } from "../../helpers/sortie-error.ts";
import { recordingLogger, trackerConfig } from "./support.ts";

const tracker = trackerConfig;

const deps: TrackerDeps = { fetch, logger: recordingLogger(), now: () => new Date(), cwd: "/tmp" };

describe("tracker registry", () => {
  test("lists registered kinds sorted and looks them up", () => {
    expect(TRACKER_KINDS).toEqual([...TRACKER_KINDS].sort());
    expect(TRACKER_KINDS).toContain("file");
    const file = lookupTrackerKind("file");
    expect(file?.requiresApiKey).toBe(false);
    expect(file?.requiresProject).toBe(false);
    expect(lookupTrackerKind("linear")).toBeUndefined();
  });

  test("state defaults per kind", () => {
    expect(trackerStateDefaults("github")).toEqual({
      active: ["backlog", "in-progress", "review"],
      terminal: ["done", "wontfix"],
    });
    expect(trackerStateDefaults("jira")).toEqual({
      active: ["Backlog", "Selected for Development", "In Progress"],
      terminal: [],
    });
    expect(trackerStateDefaults("file")).toEqual({ active: [], terminal: [] });
    expect(trackerStateDefaults("nope")).toEqual({ active: [], terminal: [] });
  });

  test("defaults come from the registered definition and agree with any pending entry for the kind", () => {
    for (const kind of new Set([...TRACKER_KINDS, ...Object.keys(PENDING_STATE_DEFAULTS)])) {
      const definition = lookupTrackerKind(kind);
      if (definition === undefined) {
        expect(trackerStateDefaults(kind)).toEqual(PENDING_STATE_DEFAULTS[kind]!);
        continue;
      }
      const own = { active: definition.defaultActiveStates, terminal: definition.defaultTerminalStates };
      expect(trackerStateDefaults(kind)).toEqual(own);
      if (PENDING_STATE_DEFAULTS[kind] !== undefined) expect(own).toEqual(PENDING_STATE_DEFAULTS[kind]);
    }
  });

  test("the unknown-kind message lists the registered kinds", () => {
    expect(unknownTrackerKindMessage("linear")).toBe(
      `unknown tracker adapter kind "linear"; registered: [${TRACKER_KINDS.join(", ")}]`,
    );
  });

  test("creating an unknown kind is unsupported_tracker_kind with the registry message", () => {
    const error = thrownSortieError(() =>
      createTracker({ ...tracker({ kind: "linear" }), userAgent: "sortie/test", options: {} }, deps),
    );
    expect(error.kind).toBe("unsupported_tracker_kind");
    expect(error.message).toBe(unknownTrackerKindMessage("linear"));
  });

  test("the created adapter is wrapped for metrics", () => {
    const adapter = createTracker(
      { ...tracker(), userAgent: "sortie/test", options: { path: "issues.json" } },
      deps,
    );
    expect(typeof adapter.setMetrics).toBe("function");
    expect(adapter.rateLimitPauses?.()).toEqual([]);
  });
});

describe("trackerAdapterConfig", () => {
  test("takes the block named after the kind without keys that name typed fields", () => {
    const service = {
      tracker: tracker({ endpoint: "" }),
      extensions: {
        file: { path: "./issues.json", endpoint: "http://evil", api_key: "x", kind: "jira", extra: 1 },
        github: { etag_cache_size: 5 },
      },
    } as unknown as ServiceConfig;
    const config = trackerAdapterConfig(service, "sortie/1.2.3");
    expect(config.options).toEqual({ path: "./issues.json", extra: 1 });
    expect(config.endpoint).toBe("");
    expect(config.kind).toBe("file");
    expect(config.userAgent).toBe("sortie/1.2.3");
  });

  test("a missing or non-map block gives empty options", () => {
    for (const block of [undefined, null, "path", ["a"]]) {
      const service = { tracker: tracker(), extensions: { file: block } } as unknown as ServiceConfig;
      expect(trackerAdapterConfig(service, "sortie/dev").options).toEqual({});
    }
  });
});
