import { describe, expect, test } from "bun:test";
import { trackerError } from "../../../src/domain/errors.ts";
import { emptyIssue, type Issue } from "../../../src/domain/issue.ts";
import type { TrackerAdapter } from "../../../src/domain/tracker.ts";
import { isInProject, runTrackerApi, trackerApiTool } from "../../../src/mcp/index.ts";

interface Call {
  op: string;
  args: unknown[];
}

/** An in-memory tracker that records its calls; `fail` makes every call reject with that value. */
function stubTracker(issues: Issue[], fail?: unknown): { tracker: TrackerAdapter; calls: Call[] } {
  const calls: Call[] = [];
  const find = (id: string) => {
    const issue = issues.find((i) => i.id === id);
    if (!issue) throw trackerError("tracker_not_found", `issue not found: ${id}`);
    return issue;
  };
  const record = async <T>(op: string, args: unknown[], fn: () => T): Promise<T> => {
    calls.push({ op, args });
    if (fail !== undefined) throw fail;
    return fn();
  };
  const tracker: TrackerAdapter = {
    fetchCandidateIssues: () =>
      record("fetchCandidateIssues", [], () => issues.map((i) => ({ ...i, comments: null }))),
    fetchIssueById: (id) => record("fetchIssueById", [id], () => find(id)),
    fetchIssuesByStates: async () => [],
    fetchIssueStatesByIds: async () => new Map(),
    fetchIssueStatesByIdentifiers: async () => new Map(),
    fetchIssueComments: (id) => record("fetchIssueComments", [id], () => find(id).comments ?? []),
    transitionIssue: (id, state) =>
      record("transitionIssue", [id, state], () => {
        find(id).state = state;
      }),
    commentIssue: async () => {},
    addLabel: async () => {},
  };
  return { tracker, calls };
}

const ISSUES = (): Issue[] => [
  emptyIssue({
    id: "10",
    identifier: "PROJ-10",
    title: "Fix it",
    description: "details",
    priority: 2,
    state: "To Do",
    labels: ["bug"],
    parent: { id: "9", identifier: "PROJ-9" },
    comments: [{ id: "c1", author: "ann", body: "hello", createdAt: "2025-01-01T00:00:00Z" }],
    blockedBy: [{ id: "8", identifier: "PROJ-8", state: "Done" }],
    createdAt: "2025-01-01T00:00:00Z",
  }),
  emptyIssue({ id: "20", identifier: "OTHER-20", title: "Not ours", state: "To Do" }),
  emptyIssue({ id: "30", identifier: "42", title: "A GitHub-style number", state: "To Do" }),
];

const signal = new AbortController().signal;

async function run(args: unknown, project = "PROJ", issues = ISSUES(), fail?: unknown) {
  const stub = stubTracker(issues, fail);
  const result = await runTrackerApi({ tracker: stub.tracker, project }, args, signal);
  return { result, calls: stub.calls, issues };
}

describe("operations", () => {
  test("fetch_issue returns the issue map with every template key", async () => {
    const { result } = await run({ operation: "fetch_issue", issue_id: "10" });
    expect(result).toEqual({
      success: true,
      data: {
        id: "10",
        identifier: "PROJ-10",
        title: "Fix it",
        description: "details",
        priority: 2,
        state: "To Do",
        branch_name: "",
        url: "",
        labels: ["bug"],
        assignee: "",
        issue_type: "",
        parent: { id: "9", identifier: "PROJ-9" },
        comments: [{ id: "c1", author: "ann", body: "hello", created_at: "2025-01-01T00:00:00Z" }],
        blocked_by: [{ id: "8", identifier: "PROJ-8", state: "Done" }],
        created_at: "2025-01-01T00:00:00Z",
        updated_at: "",
      },
    });
  });

  test("fetch_comments fetches the issue for the scope check, then its comments", async () => {
    const { result, calls } = await run({ operation: "fetch_comments", issue_id: "10" });
    expect(result).toEqual({
      success: true,
      data: [{ id: "c1", author: "ann", body: "hello", created_at: "2025-01-01T00:00:00Z" }],
    });
    expect(calls.map((c) => c.op)).toEqual(["fetchIssueById", "fetchIssueComments"]);
  });

  test("search_issues returns the candidates as issue maps without a scope check", async () => {
    const { result, calls } = await run({ operation: "search_issues" });
    expect(result.success).toBe(true);
    const data = (result as { data: Record<string, unknown>[] }).data;
    expect(data.map((i) => i.identifier)).toEqual(["PROJ-10", "OTHER-20", "42"]);
    expect(data.every((i) => i.comments === null)).toBe(true);
    expect(calls.map((c) => c.op)).toEqual(["fetchCandidateIssues"]);
  });

  test("transition_issue checks the scope first and answers transitioned", async () => {
    const { result, calls, issues } = await run({
      operation: "transition_issue",
      issue_id: "10",
      target_state: "In Review",
    });
    expect(result).toEqual({ success: true, data: { transitioned: true } });
    expect(calls).toEqual([
      { op: "fetchIssueById", args: ["10"] },
      { op: "transitionIssue", args: ["10", "In Review"] },
    ]);
    expect(issues[0]?.state).toBe("In Review");
  });

  test("an issue of another project is refused before anything is changed", async () => {
    for (const operation of ["fetch_issue", "fetch_comments", "transition_issue"]) {
      const { result, calls } = await run({ operation, issue_id: "20", target_state: "Done" });
      expect(result).toEqual({
        success: false,
        error: { kind: "project_scope_violation", message: "issue OTHER-20 is not in project PROJ" },
      });
      expect(calls.map((c) => c.op)).toEqual(["fetchIssueById"]);
    }
  });

  test("identifiers without a dash and an empty project are not scope-checked", async () => {
    expect((await run({ operation: "fetch_issue", issue_id: "30" })).result.success).toBe(true);
    expect((await run({ operation: "fetch_issue", issue_id: "20" }, "")).result.success).toBe(true);
  });
});

describe("scope check", () => {
  test.each([
    ["PROJ-1", "PROJ", true],
    ["proj-1", "PROJ", true],
    ["PROJ-1", "proj", true],
    ["MY-PROJ-7", "MY-PROJ", true],
    ["MY-PROJ-7", "PROJ", false],
    ["PROJX-1", "PROJ", false],
    ["123", "PROJ", true],
    ["OTHER-1", "", true],
    ["-1", "PROJ", false],
  ])("%s in project %s: %p", (identifier, project, expected) => {
    expect(isInProject(identifier, project)).toBe(expected);
  });
});

describe("input decoding", () => {
  test.each([
    ["missing arguments", undefined, "failed to parse input: arguments are missing"],
    [
      "an unknown field",
      { operation: "fetch_issue", issue_id: "10", extra: 1 },
      'failed to parse input: unknown field "extra"',
    ],
    ["an array", ["fetch_issue"], "failed to parse input: arguments must be a JSON object, got array"],
    ["a number", 7, "failed to parse input: arguments must be a JSON object, got number"],
    ["a non-string operation", { operation: 1 }, "failed to parse input: operation must be a string"],
    [
      "a non-string issue_id",
      { operation: "fetch_issue", issue_id: 10 },
      "failed to parse input: issue_id must be a string",
    ],
    ["null (an empty object)", null, "operation is required"],
    ["no operation", {}, "operation is required"],
    ["an empty operation", { operation: "" }, "operation is required"],
    ["fetch_issue without issue_id", { operation: "fetch_issue" }, "issue_id is required for fetch_issue"],
    [
      "fetch_comments without issue_id",
      { operation: "fetch_comments" },
      "issue_id is required for fetch_comments",
    ],
    [
      "transition_issue without issue_id",
      { operation: "transition_issue", target_state: "Done" },
      "issue_id is required for transition_issue",
    ],
    [
      "transition_issue without target_state",
      { operation: "transition_issue", issue_id: "10" },
      "target_state is required for transition_issue",
    ],
    ["trailing content in JSON text", '{"operation":"search_issues"} {}', "failed to parse input: "],
  ])("%s is invalid_input", async (_label, args, message) => {
    const { result, calls } = await run(args);
    expect(result.success).toBe(false);
    const error = (result as { error: { kind: string; message: string } }).error;
    expect(error.kind).toBe("invalid_input");
    expect(error.message).toStartWith(message);
    expect(calls).toEqual([]);
  });

  test("arguments given as JSON text are decoded with the same rules", async () => {
    expect((await run('{"operation":"fetch_issue","issue_id":"10"}')).result.success).toBe(true);
    const { result } = await run('{"operation":"fetch_issue","bogus":true}');
    expect(result).toEqual({
      success: false,
      error: { kind: "invalid_input", message: 'failed to parse input: unknown field "bogus"' },
    });
  });

  test("an unknown operation is unsupported_operation", async () => {
    const { result } = await run({ operation: "comment_issue", issue_id: "10" });
    expect(result).toEqual({
      success: false,
      error: { kind: "unsupported_operation", message: "unknown operation: comment_issue" },
    });
  });
});

describe("tracker errors", () => {
  test("a tracker error keeps its kind and message (without its cause)", async () => {
    const { result } = await run({ operation: "fetch_issue", issue_id: "nope" });
    expect(result).toEqual({
      success: false,
      error: { kind: "tracker_not_found", message: "issue not found: nope" },
    });
    const auth = trackerError("tracker_auth_error", "GET /rest: 401", new Error("secret detail"));
    expect((await run({ operation: "search_issues" }, "PROJ", ISSUES(), auth)).result).toEqual({
      success: false,
      error: { kind: "tracker_auth_error", message: "GET /rest: 401" },
    });
  });

  test("a cancelled call is a transport error saying so; a timed-out one says deadline exceeded", async () => {
    const aborted = new DOMException("The operation was aborted.", "AbortError");
    expect((await run({ operation: "search_issues" }, "PROJ", ISSUES(), aborted)).result).toEqual({
      success: false,
      error: { kind: "tracker_transport_error", message: "request canceled" },
    });
    const timedOut = new DOMException("The operation timed out.", "TimeoutError");
    expect((await run({ operation: "search_issues" }, "PROJ", ISSUES(), timedOut)).result).toEqual({
      success: false,
      error: { kind: "tracker_transport_error", message: "deadline exceeded" },
    });
  });

  test("the caller's abort reason, whatever it is, counts as cancelled", async () => {
    const controller = new AbortController();
    const reason = new Error("shutting down");
    controller.abort(reason);
    const stub = stubTracker(ISSUES(), reason);
    expect(
      await runTrackerApi(
        { tracker: stub.tracker, project: "PROJ" },
        { operation: "search_issues" },
        controller.signal,
      ),
    ).toEqual({
      success: false,
      error: { kind: "tracker_transport_error", message: "request canceled" },
    });
  });

  test("any other failure is internal_error with a generic message", async () => {
    const { result } = await run(
      { operation: "search_issues" },
      "PROJ",
      ISSUES(),
      new TypeError("x is undefined"),
    );
    expect(result).toEqual({
      success: false,
      error: { kind: "internal_error", message: "an unexpected internal error occurred" },
    });
  });
});

describe("the tool", () => {
  test("is named tracker_api, lists the four operations and rejects extra properties", () => {
    const tool = trackerApiTool({ tracker: stubTracker([]).tracker, project: "PROJ" });
    expect(tool.name).toBe("tracker_api");
    expect(tool.inputSchema).toMatchObject({
      type: "object",
      properties: {
        operation: {
          type: "string",
          enum: ["fetch_issue", "fetch_comments", "search_issues", "transition_issue"],
        },
        issue_id: { type: "string" },
        target_state: { type: "string" },
      },
      required: ["operation"],
      additionalProperties: false,
    });
    for (const op of ["fetch_issue", "fetch_comments", "search_issues", "transition_issue"]) {
      expect(tool.description).toContain(op);
    }
  });
});
