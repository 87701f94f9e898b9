import { describe, expect, test } from "bun:test";
import {
  integerStringPriority,
  normalizeLabels,
  stateSet,
  strictIntegerPriority,
} from "../../../src/trackers/normalize.ts";

describe("normalizeLabels", () => {
  test("lower-cases labels keeping order and duplicates", () => {
    expect(normalizeLabels(["BUG", "High-Priority", "bug"])).toEqual(["bug", "high-priority", "bug"]);
  });

  test("turns null and undefined into an empty list", () => {
    expect(normalizeLabels(null)).toEqual([]);
    expect(normalizeLabels(undefined)).toEqual([]);
  });
});

describe("strictIntegerPriority", () => {
  test.each([
    [1, 1],
    [0, 0],
    [-3, -3],
    [2.5, null],
    ["high", null],
    ["2", null],
    [true, null],
    [null, null],
    [undefined, null],
    [1e20, null],
    [-0, null],
    [{}, null],
  ])("%p becomes %p", (input, expected) => {
    expect(strictIntegerPriority(input)).toBe(expected);
  });
});

describe("integerStringPriority", () => {
  test.each([
    ["2", 2],
    [" 3 ", 3],
    ["-1", -1],
    ["007", 7],
    ["2.0", null],
    ["high", null],
    ["", null],
    ["1e2", null],
    [null, null],
    [undefined, null],
  ])("%p becomes %p", (input, expected) => {
    expect(integerStringPriority(input)).toBe(expected);
  });
});

describe("stateSet", () => {
  test("holds the lower-cased state names for case-insensitive lookups", () => {
    const active = stateSet(["To Do", "In Progress"]);
    expect(active.has("to do")).toBe(true);
    expect(active.has("in progress")).toBe(true);
    expect(active.has("done")).toBe(false);
  });
});
