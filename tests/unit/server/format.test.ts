import { describe, expect, test } from "bun:test";
import {
  formatClock,
  formatCost,
  formatDuration,
  formatInteger,
  formatPercent,
  formatRelativeDue,
} from "../../../src/server/dashboard/format.ts";

describe("dashboard formats", () => {
  test("integers are comma-grouped, negatives keep their sign", () => {
    expect(formatInteger(0)).toBe("0");
    expect(formatInteger(999)).toBe("999");
    expect(formatInteger(1000)).toBe("1,000");
    expect(formatInteger(-1234567)).toBe("-1,234,567");
    expect(formatInteger(12345678901)).toBe("12,345,678,901");
  });

  test("durations drop smaller units by magnitude", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(-5)).toBe("0s");
    expect(formatDuration(0.9)).toBe("0s");
    expect(formatDuration(59.9)).toBe("59s");
    expect(formatDuration(60)).toBe("1m 0s");
    expect(formatDuration(3599)).toBe("59m 59s");
    expect(formatDuration(3600)).toBe("1h 0m 0s");
    expect(formatDuration(86_399)).toBe("23h 59m 59s");
    expect(formatDuration(86_400 + 3600 * 2 + 60 * 3 + 4)).toBe("1d 2h 3m");
  });

  test("relative due times say now, overdue or in <duration>", () => {
    const at = new Date("2026-04-26T10:00:00.000Z");
    const plus = (ms: number) => new Date(at.getTime() + ms);
    expect(formatRelativeDue(plus(0), at)).toBe("now");
    expect(formatRelativeDue(plus(-999), at)).toBe("now");
    expect(formatRelativeDue(plus(-1000), at)).toBe("overdue");
    expect(formatRelativeDue(plus(90_000), at)).toBe("in 1m 30s");
    expect(formatRelativeDue(plus(500), at)).toBe("in 0s");
  });

  test("percentages have one decimal or N/A", () => {
    expect(formatPercent(125, 1000)).toBe("12.5%");
    expect(formatPercent(1, 3)).toBe("33.3%");
    expect(formatPercent(2000, 1000)).toBe("200.0%");
    expect(formatPercent(0, 1000)).toBe("N/A");
    expect(formatPercent(10, 0)).toBe("N/A");
    expect(formatPercent(10, -5)).toBe("N/A");
  });

  test("costs round to cents first and group dollars", () => {
    expect(formatCost(0)).toBe("$0.00");
    expect(formatCost(0.004)).toBe("$0.00");
    expect(formatCost(0.005)).toBe("$0.01");
    expect(formatCost(1.4712)).toBe("$1.47");
    expect(formatCost(999.999)).toBe("$1,000.00");
    expect(formatCost(1234.56)).toBe("$1,234.56");
    expect(formatCost(1234567.891)).toBe("$1,234,567.89");
  });

  test("clock shows UTC hours, minutes and seconds", () => {
    expect(formatClock(new Date("2026-04-26T03:04:05.999Z"))).toBe("03:04:05");
  });
});
