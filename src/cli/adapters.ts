// Builds adapters from the resolved config through the registries, and describes the registries
// to the preflight checks.

import { getLogger } from "@logtape/logtape";
import { AGENT_KINDS, lookupAgentKind } from "../agents/registry.ts";
import type { AgentAdapterConfig } from "../agents/types.ts";
import { passThroughBlock, type ServiceConfig } from "../config/index.ts";
import type { TrackerAdapter } from "../domain/tracker.ts";
import type { AdapterCatalog } from "../orchestrator/preflight.ts";
import {
  createTracker,
  lookupTrackerKind,
  TRACKER_KINDS,
  type TrackerEnv,
  trackerAdapterConfig,
} from "../trackers/registry.ts";

export function adapterCatalog(env: TrackerEnv): AdapterCatalog {
  return {
    trackerKinds: TRACKER_KINDS,
    tracker: (kind) => {
      const def = lookupTrackerKind(kind);
      if (!def) return undefined;
      const validate = def.validate;
      return {
        requiresApiKey: def.requiresApiKey,
        requiresProject: def.requiresProject,
        validate: validate ? (config) => validate(config, env) : undefined,
      };
    },
    agentKinds: AGENT_KINDS,
    agent: (kind) => lookupAgentKind(kind),
  };
}

const AGENT_TYPED_KEYS = ["kind", "command", "turn_timeout_ms", "read_timeout_ms", "stall_timeout_ms"];

export function buildAgentConfig(config: ServiceConfig): AgentAdapterConfig {
  const a = config.agent;
  return {
    kind: a.kind,
    command: a.command,
    turnTimeoutMs: a.turnTimeoutMs,
    readTimeoutMs: a.readTimeoutMs,
    stallTimeoutMs: a.stallTimeoutMs,
    options: passThroughBlock(config.extensions, a.kind, AGENT_TYPED_KEYS),
  };
}

export function buildTrackerAdapter(
  config: ServiceConfig,
  userAgent: string,
  opts: { cwd: string },
): TrackerAdapter {
  return createTracker(trackerAdapterConfig(config, userAgent), {
    fetch: globalThis.fetch,
    logger: getLogger(["sortie", "tracker"]),
    now: () => new Date(),
    cwd: opts.cwd,
  });
}
