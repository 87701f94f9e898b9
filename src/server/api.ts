// JSON API handlers: operator summary, full state, per-issue detail and refresh. They read the
// orchestrator's synchronous view and never wait on it.
import type { Logger } from "@logtape/logtape";
import type { OrchestratorView, RuntimeSnapshot } from "../orchestrator/snapshot.ts";
import { checkReadiness, type DbPing } from "./health.ts";
import { rfc3339, toWireAgentTotals, toWireDetail, toWireState, toWireTrackerRateLimits } from "./json.ts";
import { errorResponse, jsonResponse, snapshotUnavailable } from "./respond.ts";
import { estimateActiveCost, type TokenRates } from "./token-rates.ts";

export interface ApiDeps {
  view: OrchestratorView;
  version: string;
  startedAt: Date;
  dbPing: DbPing;
  tokenRates?: TokenRates;
  now: () => Date;
  logger: Logger;
}

/** Identifiers longer than this (UTF-8 bytes) are rejected without a lookup. */
export const MAX_IDENTIFIER_BYTES = 256;
const MESSAGE_IDENTIFIER_CHARS = 64;

type SnapshotResult = { ok: true; snapshot: RuntimeSnapshot } | { ok: false; response: Response };

function takeSnapshot(deps: ApiDeps, method: string, path: string): SnapshotResult {
  try {
    return { ok: true, snapshot: deps.view.snapshot() };
  } catch (error) {
    deps.logger.warn("snapshot request failed", { method, path, error });
    return { ok: false, response: snapshotUnavailable() };
  }
}

export function uptimeSeconds(startedAt: Date, now: Date): number {
  return Math.max((now.getTime() - startedAt.getTime()) / 1000, 0);
}

export async function statusResponse(deps: ApiDeps, method: string, path: string): Promise<Response> {
  const taken = takeSnapshot(deps, method, path);
  if (!taken.ok) return taken.response;
  const { snapshot } = taken;
  const flags = deps.view.health();
  const readiness = await checkReadiness(flags, deps.dbPing);
  const running = snapshot.running.length;
  const body: Record<string, unknown> = {
    status: readiness.status,
    draining: flags.draining,
    version: deps.version || "dev",
    uptime_seconds: uptimeSeconds(deps.startedAt, deps.now()),
    generated_at: rfc3339(snapshot.generatedAt),
    checks: readiness.checks,
    counts: { running, retrying: snapshot.retrying.length },
    slots: {
      max_concurrent_agents: snapshot.maxConcurrentAgents,
      available: Math.max(snapshot.maxConcurrentAgents - running, 0),
    },
    agent_totals: toWireAgentTotals(snapshot.agentTotals),
  };
  const cost = estimateActiveCost(snapshot.running, deps.tokenRates);
  if (cost !== null) body.active_estimated_cost_usd = cost;
  const limits = toWireTrackerRateLimits(snapshot.trackerRateLimits, snapshot.generatedAt);
  if (limits) body.tracker_rate_limits = limits;
  return jsonResponse(body);
}

export function stateResponse(deps: ApiDeps, method: string, path: string): Response {
  const taken = takeSnapshot(deps, method, path);
  if (!taken.ok) return taken.response;
  return jsonResponse(toWireState(taken.snapshot, deps.tokenRates));
}

function cutForMessage(identifier: string, truncated: boolean): string {
  const chars = Array.from(identifier);
  return chars.length > MESSAGE_IDENTIFIER_CHARS || truncated
    ? `${chars.slice(0, MESSAGE_IDENTIFIER_CHARS).join("")}…`
    : identifier;
}

/** The original's message; the identifier is only shortened for segments rejected unread. */
function issueNotFound(shown: string): Response {
  return errorResponse(404, "issue_not_found", `issue identifier "${shown}" not found in current state`);
}

const utf8 = new TextEncoder();

// C0, DEL and C1 controls never occur in tracker identifiers.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Percent-decodes one raw path segment; null when it cannot be a tracker identifier. */
export function decodeIdentifier(rawSegment: string): string | null {
  // Every decoded byte takes at most three raw characters: longer segments are rejected unread.
  if (rawSegment.length > MAX_IDENTIFIER_BYTES * 3) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawSegment);
  } catch {
    return null;
  }
  if (utf8.encode(decoded).byteLength > MAX_IDENTIFIER_BYTES) return null;
  if (CONTROL.test(decoded)) return null;
  return decoded;
}

export function detailResponse(deps: ApiDeps, rawSegment: string, method: string, path: string): Response {
  const identifier = decodeIdentifier(rawSegment);
  if (identifier === null) {
    // A 64-character prefix needs at most 64 × 12 raw characters (four percent-encoded bytes each).
    const limit = MESSAGE_IDENTIFIER_CHARS * 12;
    let shown = rawSegment.slice(0, limit);
    try {
      shown = decodeURIComponent(shown);
    } catch {
      // keep the raw form
    }
    return issueNotFound(cutForMessage(shown, rawSegment.length > limit));
  }
  const taken = takeSnapshot(deps, method, path);
  if (!taken.ok) return taken.response;
  const detail = toWireDetail(taken.snapshot, identifier);
  return detail ? jsonResponse(detail) : issueNotFound(identifier);
}

export function refreshResponse(deps: ApiDeps): Response {
  const requestedAt = rfc3339(deps.now());
  const rejected = () =>
    jsonResponse({ queued: false, coalesced: false, requested_at: requestedAt, operations: [] }, 409);
  if (deps.view.health().draining) return rejected();
  let answer: ReturnType<OrchestratorView["requestRefresh"]>;
  try {
    answer = deps.view.requestRefresh();
  } catch (error) {
    deps.logger.warn("snapshot request failed", { method: "POST", path: "/api/v1/refresh", error });
    return snapshotUnavailable();
  }
  if (!answer.queued) return rejected();
  return jsonResponse(
    {
      queued: true,
      coalesced: answer.coalesced,
      requested_at: requestedAt,
      operations: ["poll", "reconcile"],
    },
    202,
  );
}
