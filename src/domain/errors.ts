// One error type for the whole program: a kind that callers decide on, a message for humans,
// and an optional cause. Layers declare their own kind unions below.

export type TrackerErrorKind =
  | "unsupported_tracker_kind"
  | "missing_tracker_api_key"
  | "missing_tracker_project"
  | "tracker_transport_error"
  | "tracker_auth_error"
  | "tracker_api_error"
  | "tracker_not_found"
  | "tracker_payload_error"
  | "tracker_missing_end_cursor";

export type AgentErrorKind =
  | "agent_not_found"
  | "invalid_workspace_cwd"
  | "response_timeout"
  | "turn_timeout"
  | "port_exit"
  | "response_error"
  | "turn_failed"
  | "turn_cancelled"
  | "turn_input_required";

export type WorkspaceErrorKind = "workspace_path_error" | "workspace_hook_error";

export type PersistenceErrorKind =
  | "database_open_error"
  | "database_migration_error"
  | "database_newer_schema";

export type ConfigErrorKind =
  | "missing_workflow_file"
  | "workflow_parse_error"
  | "workflow_front_matter_not_a_map"
  | "config_error"
  | "template_parse_error"
  | "template_render_error";

export type ErrorKind =
  | TrackerErrorKind
  | AgentErrorKind
  | WorkspaceErrorKind
  | PersistenceErrorKind
  | ConfigErrorKind;

/** Which layer an error belongs to; it prefixes the rendered text (`tracker: <kind>: <message>`). */
export type ErrorLayer = "tracker" | "agent" | "workspace" | "persistence" | "config";

export class SortieError extends Error {
  readonly kind: ErrorKind;
  readonly layer: ErrorLayer;

  constructor(layer: ErrorLayer, kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SortieError";
    this.layer = layer;
    this.kind = kind;
  }

  /** Go-compatible text: `<layer>: <kind>: <message>[: <cause>]`. */
  override toString(): string {
    const base = `${this.layer}: ${this.kind}: ${this.message}`;
    return this.cause === undefined ? base : `${base}: ${errorMessage(this.cause)}`;
  }
}

export function trackerError(kind: TrackerErrorKind, message: string, cause?: unknown): SortieError {
  return new SortieError("tracker", kind, message, cause === undefined ? undefined : { cause });
}

export function agentError(kind: AgentErrorKind, message: string, cause?: unknown): SortieError {
  return new SortieError("agent", kind, message, cause === undefined ? undefined : { cause });
}

/** Renders any thrown value as one line of text; SortieErrors include their kind and cause. */
export function errorMessage(err: unknown): string {
  if (err instanceof SortieError) return err.toString();
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Walks the cause chain and returns the first SortieError of the given layer, if any. */
export function findSortieError(err: unknown, layer?: ErrorLayer): SortieError | undefined {
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 32; depth++) {
    if (current instanceof SortieError && (layer === undefined || current.layer === layer)) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return findSortieError(err, "tracker")?.kind === "tracker_not_found";
}

/** True when the value is the reason of an aborted AbortSignal (AbortError or TimeoutError DOMException). */
export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException && (err.name === "AbortError" || err.name === "TimeoutError");
}
