import { describe, expect, test } from "bun:test";
import { promptArgument } from "../../../../src/agents/process/prompt-argument.ts";

describe("promptArgument", () => {
  test("a prompt starting with a dash gets a leading newline, others stay as they are", () => {
    expect(promptArgument("- fix the bug")).toBe("\n- fix the bug");
    expect(promptArgument("--help")).toBe("\n--help");
    expect(promptArgument("fix - the bug")).toBe("fix - the bug");
  });
});
