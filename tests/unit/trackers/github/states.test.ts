import { describe, expect, test } from "bun:test";
import {
  currentStateLabel,
  deriveState,
  isKnownState,
  type StateLabels,
  stateLabels,
} from "../../../../src/trackers/github/states.ts";

const states: StateLabels = {
  active: ["backlog", "in-progress", "review"],
  terminal: ["done", "wontfix"],
  handoff: "human-review",
};

describe("deriveState", () => {
  test.each([
    [["backlog"], "open", "backlog"],
    [["Review", "bug"], "open", "review"],
    // Config order decides between several state labels, not the order on the issue.
    [["review", "backlog"], "open", "backlog"],
    [["done", "in-progress"], "closed", "in-progress"],
    [["wontfix", "done"], "open", "done"],
    [["human-review", "done"], "open", "done"],
    [["HUMAN-REVIEW"], "closed", "human-review"],
    [["bug"], "open", "backlog"],
    [[], "closed", "done"],
  ])("labels %p on a %s issue → %s", (labels, native, expected) => {
    expect(deriveState(labels, native, states)).toBe(expected);
  });

  test("without lists to fall back on, the native state is the state", () => {
    const bare: StateLabels = { active: [], terminal: [], handoff: "" };
    expect(deriveState(["bug"], "open", bare)).toBe("open");
    expect(deriveState([], "closed", bare)).toBe("closed");
  });
});

describe("currentStateLabel", () => {
  test("is the deciding state label, or '' when the issue carries none", () => {
    expect(currentStateLabel(["bug", "In-Progress"], states)).toBe("in-progress");
    expect(currentStateLabel(["bug"], states)).toBe("");
    expect(currentStateLabel(["human-review"], states)).toBe("human-review");
    expect(currentStateLabel(["human-review"], { ...states, handoff: "" })).toBe("");
  });
});

describe("stateLabels", () => {
  test("lower-cases the lists and the trimmed handoff state", () => {
    expect(
      stateLabels({
        activeStates: ["Todo", "Doing"],
        terminalStates: ["Shipped"],
        handoffState: "  QA Review ",
      }),
    ).toEqual({ active: ["todo", "doing"], terminal: ["shipped"], handoff: "qa review" });
  });

  test("empty lists fall back to GitHub's defaults; no handoff is ''", () => {
    expect(stateLabels({ activeStates: [], terminalStates: [], handoffState: null })).toEqual({
      active: ["backlog", "in-progress", "review"],
      terminal: ["done", "wontfix"],
      handoff: "",
    });
  });
});

test("isKnownState accepts active, terminal and handoff states only", () => {
  expect(["backlog", "done", "human-review"].map((s) => isKnownState(s, states))).toEqual([true, true, true]);
  expect(["", "shipped"].map((s) => isKnownState(s, { ...states, handoff: "" }))).toEqual([false, false]);
});
