import { describe, expect, test } from "bun:test";
import { rfc3339Seconds } from "../../../src/domain/time.ts";

describe("rfc3339Seconds", () => {
  test("writes RFC 3339 UTC at second precision without milliseconds", () => {
    expect(rfc3339Seconds(new Date("2026-03-29T10:00:01.000Z"))).toBe("2026-03-29T10:00:01Z");
    expect(rfc3339Seconds(new Date("2026-03-29T12:00:01+02:00"))).toBe("2026-03-29T10:00:01Z");
  });

  test("truncates fractions of a second instead of rounding up", () => {
    expect(rfc3339Seconds(new Date("2026-03-29T23:59:59.999Z"))).toBe("2026-03-29T23:59:59Z");
    expect(rfc3339Seconds(new Date("2026-03-01T10:00:05.987Z"))).toBe("2026-03-01T10:00:05Z");
  });

  test("refuses an invalid date instead of writing garbage", () => {
    expect(() => rfc3339Seconds(new Date("not a date"))).toThrow(RangeError);
  });
});
