// Which worker errors are worth retrying with backoff. Unclassified errors (workspace, hooks,
// prompt rendering, "turn ended: <reason>") are retryable.
import { findSortieError } from "../domain/errors.ts";

const NON_RETRYABLE = new Set([
  "agent_not_found",
  "invalid_workspace_cwd",
  "turn_cancelled",
  "turn_input_required",
  "unsupported_tracker_kind",
  "missing_tracker_api_key",
  "missing_tracker_project",
  "tracker_auth_error",
  "tracker_not_found",
  "tracker_payload_error",
]);

export function isRetryable(err: unknown): boolean {
  const agentOrTracker = findSortieError(err, "agent") ?? findSortieError(err, "tracker");
  if (!agentOrTracker) return true;
  return !NON_RETRYABLE.has(agentOrTracker.kind);
}
