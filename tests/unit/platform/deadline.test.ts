import { describe, expect, test } from "bun:test";
import { settlesWithin } from "../../../src/platform/deadline.ts";

describe("settlesWithin", () => {
  test("is true for a promise that fulfils within the budget", async () => {
    expect(await settlesWithin(Promise.resolve("done"), 1000)).toBe(true);
  });

  test("counts a rejection within the budget as settled", async () => {
    expect(await settlesWithin(Promise.reject(new Error("boom")), 1000)).toBe(true);
  });

  test("is false when the promise is still pending after the budget", async () => {
    expect(await settlesWithin(new Promise(() => {}), 5)).toBe(false);
  });
});
