import { describe, expect, test } from "bun:test";
import { emptyIssue } from "../../../src/domain/issue.ts";
import type { TrackerAdapter, TrackerOperation } from "../../../src/domain/tracker.ts";
import { DEFAULT_METRICS_POLICY, instrumentTracker } from "../../../src/trackers/instrumented.ts";
import { rejectionOf } from "./support.ts";

const failure = new Error("boom");

/** An adapter whose every call succeeds, except for ids named "fail". */
function fakeAdapter(calls: string[]): TrackerAdapter {
  const answer = <T>(name: string, id: string | undefined, value: T): T => {
    calls.push(name);
    if (id === "fail") throw failure;
    return value;
  };
  return {
    fetchCandidateIssues: async () => answer("candidates", undefined, []),
    fetchIssueById: async (id) => answer("byId", id, emptyIssue({ id, identifier: id })),
    fetchIssuesByStates: async (states) => answer("byStates", states[0], []),
    fetchIssueStatesByIds: async (ids) => answer("statesByIds", ids[0], new Map()),
    fetchIssueStatesByIdentifiers: async (ids) => answer("statesByIdentifiers", ids[0], new Map()),
    fetchIssueComments: async (id) => answer("comments", id, []),
    transitionIssue: async (id) => answer("transition", id, undefined),
    commentIssue: async (id) => answer("comment", id, undefined),
    addLabel: async (id) => answer("addLabel", id, undefined),
    rateLimitPauses: () => [{ resource: "core", until: new Date(0), reason: "r" }],
  };
}

function recorder() {
  const counted: [TrackerOperation, string][] = [];
  return {
    counted,
    metrics: { trackerRequest: (op: TrackerOperation, result: string) => counted.push([op, result]) },
  };
}

describe("instrumentTracker", () => {
  test("counts one success or error per logical call and returns errors unchanged", async () => {
    const calls: string[] = [];
    const tracker = instrumentTracker(fakeAdapter(calls));
    const { counted, metrics } = recorder();
    tracker.setMetrics?.(metrics);
    await tracker.fetchCandidateIssues();
    await tracker.fetchIssueById("1");
    expect(await rejectionOf(tracker.fetchIssueById("fail"))).toBe(failure);
    await tracker.fetchIssuesByStates(["a"]);
    await tracker.fetchIssueStatesByIds(["1"]);
    await tracker.fetchIssueStatesByIdentifiers(["A-1"]);
    await tracker.fetchIssueComments("1");
    await tracker.transitionIssue("1", "done");
    expect(await rejectionOf(tracker.commentIssue("fail", "x"))).toBe(failure);
    await tracker.addLabel("1", "x");
    expect(counted).toEqual([
      ["fetch_candidates", "success"],
      ["fetch_issue", "success"],
      ["fetch_issue", "error"],
      ["fetch_by_states", "success"],
      ["fetch_states_by_ids", "success"],
      ["fetch_states_by_identifiers", "success"],
      ["fetch_comments", "success"],
      ["transition", "success"],
      ["comment", "error"],
      ["add_label", "success"],
    ]);
    expect(calls.length).toBe(10);
  });

  test("empty-input calls are passed through but not counted under the default policy", async () => {
    const calls: string[] = [];
    const tracker = instrumentTracker(fakeAdapter(calls), DEFAULT_METRICS_POLICY);
    const { counted, metrics } = recorder();
    tracker.setMetrics?.(metrics);
    await tracker.fetchIssuesByStates([]);
    await tracker.fetchIssueStatesByIds([]);
    await tracker.fetchIssueStatesByIdentifiers([]);
    expect(counted).toEqual([]);
    expect(calls).toEqual(["byStates", "statesByIds", "statesByIdentifiers"]);
  });

  test("a policy can count empty inputs and skip no-op operations", async () => {
    const tracker = instrumentTracker(fakeAdapter([]), {
      uncountedEmptyInput: ["fetch_by_states"],
      uncounted: ["add_label"],
    });
    const { counted, metrics } = recorder();
    tracker.setMetrics?.(metrics);
    await tracker.fetchIssuesByStates([]);
    await tracker.fetchIssueStatesByIds([]);
    await tracker.addLabel("1", "x");
    expect(counted).toEqual([["fetch_states_by_ids", "success"]]);
  });

  test("without metrics, or after detaching them, nothing is recorded", async () => {
    const tracker = instrumentTracker(fakeAdapter([]));
    const { counted, metrics } = recorder();
    await tracker.fetchCandidateIssues();
    tracker.setMetrics?.(metrics);
    tracker.setMetrics?.(null);
    await tracker.fetchCandidateIssues();
    expect(counted).toEqual([]);
  });

  test("forwards rate-limit pauses", () => {
    const tracker = instrumentTracker(fakeAdapter([]));
    expect(tracker.rateLimitPauses?.()).toEqual([{ resource: "core", until: new Date(0), reason: "r" }]);
  });
});
