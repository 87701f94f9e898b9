import { describe, expect, test } from "bun:test";
import { isJsonObject } from "../../../src/domain/json.ts";

describe("isJsonObject", () => {
  test("accepts objects and rejects null, arrays and scalars", () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject({ a: 1 })).toBe(true);
    for (const value of [null, undefined, [], [1], "x", 1, true]) expect(isJsonObject(value)).toBe(false);
  });
});
