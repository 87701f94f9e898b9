import { describe, expect, test } from "bun:test";
import { emptyIssue, type Issue } from "../../../src/domain/issue.ts";
import { failureBackoffMs } from "../../../src/orchestrator/backoff.ts";
import {
  globalSlotsAvailable,
  hasAvailableSlots,
  isBlocked,
  shouldDispatch,
  sortForDispatch,
  stateSets,
  stateSlotsAvailable,
} from "../../../src/orchestrator/eligibility.ts";

const sets = stateSets(["To Do", "In Progress"], ["Done", "Won't Do"]);
const noClaims = { running: new Map(), claimed: new Set<string>(), budgetExhausted: new Set<string>() };

function issue(fields: Partial<Issue> & { id: string }): Issue {
  return emptyIssue({ identifier: `P-${fields.id}`, title: "t", state: "To Do", ...fields });
}

describe("shouldDispatch", () => {
  test("accepts an active, unclaimed, unblocked issue with every required field", () => {
    expect(shouldDispatch(issue({ id: "1" }), sets, noClaims)).toBe(true);
  });

  test.each([
    ["missing title", { title: "" }],
    ["missing state", { state: "" }],
    ["non-active state", { state: "Backlog" }],
    ["terminal state", { state: "done" }],
  ])("rejects an issue with %s", (_name, fields) => {
    expect(shouldDispatch(issue({ id: "1", ...fields }), sets, noClaims)).toBe(false);
  });

  test("with no active states configured, every non-terminal state is dispatchable", () => {
    const open = stateSets([], ["Done"]);
    expect(shouldDispatch(issue({ id: "1", state: "Anything" }), open, noClaims)).toBe(true);
    expect(shouldDispatch(issue({ id: "2", state: "done" }), open, noClaims)).toBe(false);
  });

  test("compares states case-insensitively", () => {
    expect(shouldDispatch(issue({ id: "1", state: "in progress" }), sets, noClaims)).toBe(true);
  });

  test("rejects running, claimed and budget-exhausted issues", () => {
    const i = issue({ id: "1" });
    expect(shouldDispatch(i, sets, { ...noClaims, running: new Map([["1", {}]]) })).toBe(false);
    expect(shouldDispatch(i, sets, { ...noClaims, claimed: new Set(["1"]) })).toBe(false);
    expect(shouldDispatch(i, sets, { ...noClaims, budgetExhausted: new Set(["1"]) })).toBe(false);
  });
});

describe("isBlocked", () => {
  test("a blocker with an empty or non-terminal state blocks; terminal blockers do not", () => {
    const blocker = (state: string) => ({ id: "b", identifier: "B", state });
    expect(isBlocked(issue({ id: "1", blockedBy: [blocker("")] }), sets)).toBe(true);
    expect(isBlocked(issue({ id: "1", blockedBy: [blocker("Backlog")] }), sets)).toBe(true);
    expect(isBlocked(issue({ id: "1", blockedBy: [blocker("DONE"), blocker("won't do")] }), sets)).toBe(
      false,
    );
  });
});

describe("sortForDispatch", () => {
  test("orders by priority (null last), then created_at (empty last), then identifier, without mutating", () => {
    const input = [
      issue({ id: "a", identifier: "C", priority: null, createdAt: "2026-01-01T00:00:00Z" }),
      issue({ id: "b", identifier: "B", priority: 2, createdAt: "" }),
      issue({ id: "c", identifier: "A", priority: 2, createdAt: "" }),
      issue({ id: "d", identifier: "D", priority: 2, createdAt: "2026-01-02T00:00:00Z" }),
      issue({ id: "e", identifier: "E", priority: 1, createdAt: "2026-01-03T00:00:00Z" }),
    ];
    const copy = [...input];
    expect(sortForDispatch(input).map((i) => i.id)).toEqual(["e", "d", "c", "b", "a"]);
    expect(input).toEqual(copy);
  });
});

describe("slots", () => {
  const inputs = {
    maxConcurrentAgents: 3,
    maxConcurrentByState: { "in progress": 1 },
    runningStates: ["In Progress"],
  };

  test("global slots are max minus running, never negative", () => {
    expect(globalSlotsAvailable(inputs)).toBe(2);
    expect(globalSlotsAvailable({ ...inputs, maxConcurrentAgents: 0 })).toBe(0);
  });

  test("a per-state cap is counted case-insensitively; other states use the global figure", () => {
    expect(stateSlotsAvailable("IN PROGRESS", inputs)).toBe(0);
    expect(stateSlotsAvailable("To Do", inputs)).toBe(2);
    expect(hasAvailableSlots("in progress", inputs)).toBe(false);
    expect(hasAvailableSlots("To Do", inputs)).toBe(true);
  });
});

describe("failureBackoffMs", () => {
  test("doubles from 10 s and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => failureBackoffMs(a, 300_000))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000,
    ]);
  });

  test("treats attempt ≤ 0 as 1 and a non-positive cap as the 300 s default", () => {
    expect(failureBackoffMs(0, 300_000)).toBe(10_000);
    expect(failureBackoffMs(-3, 300_000)).toBe(10_000);
    expect(failureBackoffMs(10, 0)).toBe(300_000);
    expect(failureBackoffMs(3, 25_000)).toBe(25_000);
  });
});
