import { afterEach, describe, expect, test } from "bun:test";
import { getLogger } from "@logtape/logtape";
import { formatLogTime } from "../../../src/logging/format.ts";
import { configureLogging } from "../../../src/logging/setup.ts";

const lines: string[] = [];
function capture(level: "debug" | "info" | "warn" | "error", format: "text" | "json"): void {
  lines.length = 0;
  configureLogging({ level, format, write: (l) => lines.push(l) });
}

afterEach(() => {
  lines.length = 0;
});

describe("text format", () => {
  test("writes slog-style key=value lines with context first, then call attributes", () => {
    capture("info", "text");
    getLogger(["sortie", "test"])
      .with({ issue_id: "10", issue_identifier: "PROJ-1" })
      .info("tick completed", { candidates: 2, ratio: 0.5 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^time=\S+ level=INFO msg="tick completed" issue_id=10 issue_identifier=PROJ-1 candidates=2 ratio=0.5\n$/,
    );
  });

  test("quotes values that are empty or contain spaces, quotes, equals signs or control characters", () => {
    capture("debug", "text");
    getLogger(["sortie", "test"]).debug("x", {
      a: "",
      b: "two words",
      c: 'say "hi"',
      d: "k=v",
      e: "line\nbreak",
      f: "plain",
    });
    expect(lines[0]).toContain(' a="" b="two words" c="say \\"hi\\"" d="k=v" e="line\\nbreak" f=plain\n');
  });

  test("renders errors as their message and maps warning to WARN", () => {
    capture("info", "text");
    getLogger(["sortie", "test"]).warn("failed", { error: new Error("boom now") });
    expect(lines[0]).toMatch(/level=WARN msg=failed error="boom now"\n$/);
  });

  test("filters records below the configured level", () => {
    capture("warn", "text");
    const log = getLogger(["sortie", "test"]);
    log.info("hidden");
    log.error("shown");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("level=ERROR msg=shown");
  });
});

describe("json format", () => {
  test("puts time, level, msg first and attributes as top-level keys", () => {
    capture("info", "json");
    getLogger(["sortie", "test"])
      .with({ issue_id: "7" })
      .error("dispatch preflight failed", { error: new Error("bad <x>") });
    const record = JSON.parse(lines[0] ?? "");
    expect(Object.keys(record)).toEqual(["time", "level", "msg", "issue_id", "error"]);
    expect(record.level).toBe("ERROR");
    expect(record.error).toBe("bad <x>");
    expect(lines[0]).toContain("bad <x>");
  });
});

describe("formatLogTime", () => {
  test("uses Z for a zero UTC offset with millisecond precision", () => {
    const previous = process.env.TZ;
    process.env.TZ = "UTC";
    try {
      expect(formatLogTime(Date.UTC(2026, 3, 26, 10, 15, 30, 123))).toBe("2026-04-26T10:15:30.123Z");
    } finally {
      process.env.TZ = previous;
    }
  });
});
