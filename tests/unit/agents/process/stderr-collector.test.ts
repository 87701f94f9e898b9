import { describe, expect, test } from "bun:test";
import { DEFAULT_STDERR_LIMITS, StderrCollector } from "../../../../src/agents/process/stderr-collector.ts";

describe("StderrCollector", () => {
  test("keeps every line when under the limits", () => {
    const c = new StderrCollector();
    for (let i = 0; i < 10; i++) c.push(`line ${i}`);
    expect(c.lines()).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
  });

  test("keeps the first 500 and last 500 lines with a marker in between", () => {
    const c = new StderrCollector();
    for (let i = 0; i < 5000; i++) c.push(`l${i}`);
    const lines = c.lines();
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toBe("l0");
    expect(lines[499]).toBe("l499");
    expect(lines[500]).toBe("... (4000 lines discarded) ...");
    expect(lines[501]).toBe("l4500");
    expect(lines.at(-1)).toBe("l4999");
  });

  test("caps the total size, dropping the oldest tail lines", () => {
    const c = new StderrCollector({ headLines: 2, tailLines: 100, maxBytes: 100 });
    for (let i = 0; i < 20; i++) c.push(`${String(i).padStart(2, "0")}-${"x".repeat(17)}`); // 20 bytes each
    const lines = c.lines();
    const bytes = lines.filter((l) => !l.startsWith("...")).reduce((n, l) => n + l.length, 0);
    expect(bytes).toBeLessThanOrEqual(100);
    expect(lines[0]?.startsWith("00-")).toBe(true);
    expect(lines.at(-1)?.startsWith("19-")).toBe(true);
    expect(lines).toContain("... (15 lines discarded) ...");
  });

  test("the default limits are 500/500 lines and 5 MiB", () => {
    expect(DEFAULT_STDERR_LIMITS).toEqual({ headLines: 500, tailLines: 500, maxBytes: 5 * 1024 * 1024 });
  });
});
