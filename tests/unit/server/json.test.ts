import { describe, expect, test } from "bun:test";
import {
  percentOfElapsed,
  rfc3339,
  toWireRetry,
  toWireRunning,
  toWireTrackerRateLimits,
  ZERO_TIME,
} from "../../../src/server/json.ts";
import { RUNNING_ENTRY_KEYS } from "../../helpers/api-documents.ts";
import { GENERATED_AT, makeRetry, makeRunning } from "./fake-view.ts";

describe("wire mapping", () => {
  test("unknown and invalid timestamps become Go's zero time", () => {
    expect(ZERO_TIME).toBe("0001-01-01T00:00:00Z");
    expect(rfc3339(null)).toBe(ZERO_TIME);
    expect(rfc3339(new Date(Number.NaN))).toBe(ZERO_TIME);
    expect(rfc3339(new Date("2026-04-26T10:00:00Z"))).toBe("2026-04-26T10:00:00.000Z");
  });

  test("percentages are unclamped shares of elapsed time, null unless both are positive", () => {
    const started = new Date(GENERATED_AT.getTime() - 1000);
    expect(percentOfElapsed(250, started, GENERATED_AT)).toBe(25);
    expect(percentOfElapsed(3000, started, GENERATED_AT)).toBe(300);
    expect(percentOfElapsed(0, started, GENERATED_AT)).toBeNull();
    expect(percentOfElapsed(10, GENERATED_AT, GENERATED_AT)).toBeNull();
  });

  test("running entries keep the documented key order with optional keys in place", () => {
    const wire = toWireRunning(
      makeRunning({
        displayId: "D-1",
        premiumRequests: 4,
        costUsd: 0,
        modelName: "m",
        requestsByModel: { m: 1 },
      }),
      GENERATED_AT,
    );
    // Every key but the self-review ones, which only a self-reviewing entry has.
    expect(Object.keys(wire)).toEqual(RUNNING_ENTRY_KEYS.filter((k) => !k.startsWith("self_review_")));
    expect(wire.cost_usd).toBe(0);
    expect(wire.premium_requests).toBe(4);
  });

  test("retry entries omit an empty display identifier but keep an empty error", () => {
    expect(toWireRetry(makeRetry({ error: "" }))).toEqual({
      issue_id: "10043",
      issue_identifier: "PROJ-43",
      attempt: 2,
      due_at: "2026-04-26T10:16:00.000Z",
      error: "",
    });
    expect(toWireRetry(makeRetry({ displayId: "repo#43" })).display_identifier).toBe("repo#43");
  });

  test("tracker rate limits map per resource and are absent when none were reported", () => {
    expect(toWireTrackerRateLimits([], GENERATED_AT)).toBeNull();
    expect(toWireTrackerRateLimits(undefined, GENERATED_AT)).toBeNull();
    const past = new Date(GENERATED_AT.getTime() - 1000);
    const future = new Date(GENERATED_AT.getTime() + 60_000);
    const pauses = [
      { resource: "core", until: future, reason: "primary", limit: 5000, remaining: 0 },
      { resource: "search", until: past, reason: "secondary" },
    ];
    expect(toWireTrackerRateLimits(pauses, GENERATED_AT)).toEqual({
      core: { limit: 5000, remaining: 0, reset_at: future.toISOString(), paused: true },
      search: { limit: null, remaining: null, reset_at: past.toISOString(), paused: false },
    });
  });
});
