// The documented key order of the HTTP API's JSON documents, pinned both by the unit tests of the
// wire mapping and routes and by the end-to-end tests of the running binary.

/** A running entry's keys, optional ones included, in the order the API documents them. */
export const RUNNING_ENTRY_KEYS = [
  "issue_id",
  "issue_identifier",
  "display_identifier",
  "state",
  "session_id",
  "turn_count",
  "last_event",
  "last_message",
  "started_at",
  "last_event_at",
  "workspace_path",
  "tokens",
  "cost_usd",
  "premium_requests",
  "model_name",
  "api_request_count",
  "requests_by_model",
  "tool_time_percent",
  "api_time_percent",
  "self_review_active",
  "self_review_iteration",
  "agent_kind",
];

/** The keys of the per-issue detail document (`/api/v1/<identifier>`), in order. */
export const ISSUE_DETAIL_KEYS = [
  "issue_identifier",
  "issue_id",
  "status",
  "workspace",
  "attempts",
  "running",
  "retry",
  "recent_events",
  "last_error",
  "tracked",
];

/** `/api/status`'s keys in order; `tracker_rate_limits` comes last, and only once a tracker reported limits. */
export const STATUS_KEYS = [
  "status",
  "draining",
  "version",
  "uptime_seconds",
  "generated_at",
  "checks",
  "counts",
  "slots",
  "agent_totals",
  "tracker_rate_limits",
];
