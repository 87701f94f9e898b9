import { describe, expect, test } from "bun:test";
import { capBytes, toolErrorText } from "../../../../src/agents/claude-code/tool-blocks.ts";

describe("tool error text", () => {
  test("prefers text, then string content, then the first text item of a content array", () => {
    expect(toolErrorText({ text: "a", content: "b" })).toBe("a");
    expect(toolErrorText({ content: "  b  " })).toBe("b");
    expect(
      toolErrorText({
        content: [
          { type: "image", source: {} },
          { type: "text", text: "c" },
          { type: "text", text: "d" },
        ],
      }),
    ).toBe("c");
    expect(toolErrorText({ content: 12 })).toBe("");
  });

  test("strips only the outer <tool_use_error> envelope and ANSI colour codes", () => {
    expect(
      toolErrorText({ content: "<tool_use_error>\x1b[31mfailed\x1b[0m <b>x</b></tool_use_error>" }),
    ).toBe("failed <b>x</b>");
  });

  test("long text keeps the first line and the tail within 2048 bytes", () => {
    const text = `first line\n${"m".repeat(5000)}END`;
    const capped = capBytes(text, 2048);
    expect(Buffer.byteLength(capped)).toBe(2048);
    expect(capped.startsWith("first line\n...\n")).toBe(true);
    expect(capped.endsWith("mEND")).toBe(true);
  });

  test("without a newline, or with a first line too long, only the last 2048 bytes remain", () => {
    expect(capBytes(`${"a".repeat(3000)}Z`, 2048)).toBe(`${"a".repeat(2047)}Z`);
    const longFirst = `${"f".repeat(3000)}\nrest`;
    expect(capBytes(longFirst, 2048).endsWith("\nrest")).toBe(true);
    expect(Buffer.byteLength(capBytes(longFirst, 2048))).toBe(2048);
  });

  test("cuts on UTF-8 character boundaries", () => {
    const capped = capBytes("é".repeat(2000), 2048);
    expect(capped).toBe("é".repeat(1024));
    const odd = capBytes(`x${"é".repeat(2000)}`, 2047);
    expect(Buffer.byteLength(odd)).toBeLessThanOrEqual(2047);
    expect(odd).not.toContain("\uFFFD");
  });
});
