import { describe, expect, test } from "bun:test";
import { formatTimestamp } from "../../../src/persistence/timestamps.ts";

describe("formatTimestamp", () => {
  test("writes RFC 3339 UTC at second precision without milliseconds", () => {
    expect(formatTimestamp(new Date("2026-03-29T10:00:01.000Z"))).toBe("2026-03-29T10:00:01Z");
    expect(formatTimestamp(new Date("2026-03-29T12:00:01+02:00"))).toBe("2026-03-29T10:00:01Z");
  });

  test("truncates fractions of a second instead of rounding up", () => {
    expect(formatTimestamp(new Date("2026-03-29T23:59:59.999Z"))).toBe("2026-03-29T23:59:59Z");
  });

  test("refuses an invalid date instead of writing garbage", () => {
    expect(() => formatTimestamp(new Date("not a date"))).toThrow(RangeError);
  });
});
