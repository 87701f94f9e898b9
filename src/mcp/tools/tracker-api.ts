// `tracker_api`: lets the agent read and move issues of the configured project through the same
// tracker adapter sortie uses. Every answer is an envelope; only internal failures throw.
import { isAbortError, SortieError } from "../../domain/errors.ts";
import type { TrackerAdapter } from "../../domain/tracker.ts";
import { issueData } from "../../prompt/index.ts";
import type { AgentTool } from "../tool.ts";

export const TRACKER_API_TOOL_NAME = "tracker_api";

export const TRACKER_API_OPERATIONS = [
  "fetch_issue",
  "fetch_comments",
  "search_issues",
  "transition_issue",
] as const;

export type TrackerApiOperation = (typeof TRACKER_API_OPERATIONS)[number];

export const TRACKER_API_DESCRIPTION =
  "Query or modify issues in the configured issue tracker. Supports fetch_issue, fetch_comments, " +
  "search_issues (active states only), and transition_issue operations.";

export const TRACKER_API_INPUT_SCHEMA: Record<string, unknown> = {
  type: "object",
  properties: {
    operation: {
      type: "string",
      enum: [...TRACKER_API_OPERATIONS],
      description: "The tracker operation to perform. search_issues returns active-state issues only.",
    },
    issue_id: {
      type: "string",
      description: "The tracker issue ID (required for fetch_issue, fetch_comments, transition_issue).",
    },
    target_state: {
      type: "string",
      description: "The target state for transition_issue.",
    },
  },
  required: ["operation"],
  additionalProperties: false,
};

export type TrackerApiResult =
  | { success: true; data: unknown }
  | { success: false; error: { kind: string; message: string } };

const INPUT_FIELDS = new Set(["operation", "issue_id", "target_state"]);

function failure(kind: string, message: string): TrackerApiResult {
  return { success: false, error: { kind, message } };
}

function success(data: unknown): TrackerApiResult {
  return { success: true, data };
}

interface TrackerApiInput {
  operation: string;
  issueId: string;
  targetState: string;
}

/**
 * Strict decoding: a JSON object (or its JSON text) with only the known fields, each a string.
 * `null` reads as an empty object and then fails on the missing operation.
 */
function decodeInput(args: unknown): TrackerApiInput | string {
  let value = args;
  if (value === undefined) return "failed to parse input: arguments are missing";
  if (typeof value === "string") {
    // Some clients send the arguments as JSON text; the same strict rules apply to its content.
    try {
      value = JSON.parse(value);
    } catch (err) {
      return `failed to parse input: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  if (value === null) value = {};
  if (typeof value !== "object" || Array.isArray(value)) {
    return `failed to parse input: arguments must be a JSON object, got ${Array.isArray(value) ? "array" : typeof value}`;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!INPUT_FIELDS.has(key)) return `failed to parse input: unknown field ${JSON.stringify(key)}`;
  }
  const field = (key: string): string | { error: string } => {
    const v = record[key];
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") return { error: `failed to parse input: ${key} must be a string` };
    return v;
  };
  const operation = field("operation");
  const issueId = field("issue_id");
  const targetState = field("target_state");
  for (const f of [operation, issueId, targetState]) if (typeof f !== "string") return f.error;
  return { operation: operation as string, issueId: issueId as string, targetState: targetState as string };
}

/**
 * Defence in depth on the identifier the adapter returned: no project means no check, an
 * identifier without `-` (GitHub numbers) passes, otherwise the text before the last `-` must
 * equal the project, ignoring case.
 */
export function isInProject(identifier: string, project: string): boolean {
  if (project === "") return true;
  const dash = identifier.lastIndexOf("-");
  if (dash < 0) return true;
  return identifier.slice(0, dash).toLowerCase() === project.toLowerCase();
}

function trackerFailure(err: unknown, signal: AbortSignal): TrackerApiResult {
  if (isAbortError(err) || (signal.aborted && err === signal.reason)) {
    const timedOut = err instanceof DOMException && err.name === "TimeoutError";
    return failure("tracker_transport_error", timedOut ? "deadline exceeded" : "request canceled");
  }
  if (err instanceof SortieError && err.layer === "tracker") return failure(err.kind, err.message);
  return failure("internal_error", "an unexpected internal error occurred");
}

export interface TrackerApiOptions {
  tracker: TrackerAdapter;
  /** `tracker.project`; issues whose identifier names another project are refused. */
  project: string;
}

/** Runs one call; never throws for tracker or input problems. */
export async function runTrackerApi(
  options: TrackerApiOptions,
  args: unknown,
  signal: AbortSignal,
): Promise<TrackerApiResult> {
  const input = decodeInput(args);
  if (typeof input === "string") return failure("invalid_input", input);
  const { operation, issueId, targetState } = input;
  if (operation === "") return failure("invalid_input", "operation is required");
  if (!(TRACKER_API_OPERATIONS as readonly string[]).includes(operation)) {
    return failure("unsupported_operation", `unknown operation: ${operation}`);
  }
  if (operation !== "search_issues" && issueId === "") {
    return failure("invalid_input", `issue_id is required for ${operation}`);
  }
  if (operation === "transition_issue" && targetState === "") {
    return failure("invalid_input", "target_state is required for transition_issue");
  }

  const { tracker, project } = options;
  try {
    if (operation === "search_issues") {
      const issues = await tracker.fetchCandidateIssues(signal);
      return success(issues.map(issueData));
    }
    // Every other operation names an issue: fetch it first so the scope check sees its identifier.
    const issue = await tracker.fetchIssueById(issueId, signal);
    if (!isInProject(issue.identifier, project)) {
      return failure("project_scope_violation", `issue ${issue.identifier} is not in project ${project}`);
    }
    switch (operation as Exclude<TrackerApiOperation, "search_issues">) {
      case "fetch_issue":
        return success(issueData(issue));
      case "fetch_comments": {
        const comments = await tracker.fetchIssueComments(issueId, signal);
        return success(
          comments.map((c) => ({ id: c.id, author: c.author, body: c.body, created_at: c.createdAt })),
        );
      }
      case "transition_issue":
        await tracker.transitionIssue(issueId, targetState, signal);
        return success({ transitioned: true });
    }
  } catch (err) {
    return trackerFailure(err, signal);
  }
}

export function trackerApiTool(options: TrackerApiOptions): AgentTool {
  return {
    name: TRACKER_API_TOOL_NAME,
    description: TRACKER_API_DESCRIPTION,
    inputSchema: TRACKER_API_INPUT_SCHEMA,
    call: (args, signal) => runTrackerApi(options, args, signal),
  };
}
