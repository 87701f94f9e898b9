import { describe, expect, test } from "bun:test";
import { FlagError, parseFlags, parseGoInt } from "../../../src/cli/flags.ts";
import { interceptShortFlags, wantsSubcommandHelp } from "../../../src/cli/intercept.ts";
import { parseRootArgs } from "../../../src/cli/options.ts";

const cwd = "/work/here";

function rootError(args: string[]): string {
  try {
    parseRootArgs(args, cwd);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
}

describe("root argument parsing", () => {
  test("defaults the workflow path to ./WORKFLOW.md made absolute against the cwd", () => {
    const r = parseRootArgs([], cwd);
    expect(r).toEqual({
      action: "run",
      options: expect.objectContaining({ workflowPath: "/work/here/WORKFLOW.md", dryRun: false }),
    });
  });

  test("accepts flags after the workflow path, equivalent to flags first", () => {
    const after = parseRootArgs(["flows/W.md", "--port", "8080", "--host", "0.0.0.0"], cwd);
    const before = parseRootArgs(["--port", "8080", "--host", "0.0.0.0", "flows/W.md"], cwd);
    expect(after).toEqual(before);
    expect(after.action === "run" && after.options).toMatchObject({
      workflowPath: "/work/here/flows/W.md",
      port: 8080,
      host: "0.0.0.0",
    });
  });

  test("treats single and double dashes alike and lets the last repeated flag win", () => {
    const r = parseRootArgs(
      ["-host", "0.0.0.0", "--log-format", "json", "--host=127.0.0.2", "-log-format=text"],
      cwd,
    );
    expect(r.action === "run" && r.options).toMatchObject({ host: "127.0.0.2", logFormat: "text" });
  });

  test("a value flag takes the next token even when it starts with a dash", () => {
    const r = parseRootArgs(["--env-file", "-weird.env"], cwd);
    expect(r.action === "run" && r.options.envFile).toBe("-weird.env");
  });

  test("a bool flag never consumes the next token", () => {
    const r = parseRootArgs(["--dry-run", "W.md"], cwd);
    expect(r.action === "run" && r.options).toMatchObject({ dryRun: true, workflowPath: "/work/here/W.md" });
  });

  test("-- ends flag parsing so a path starting with a dash can be given", () => {
    const r = parseRootArgs(["--", "-odd.md"], cwd);
    expect(r.action === "run" && r.options.workflowPath).toBe("/work/here/-odd.md");
  });

  test("reports the Go flag package's error texts", () => {
    expect(rootError(["--bogus"])).toBe("flag provided but not defined: -bogus");
    expect(rootError(["--port"])).toBe("flag needs an argument: -port");
    expect(rootError(["--port", "80x"])).toBe('invalid value "80x" for flag -port: parse error');
    expect(rootError(["--dry-run=maybe"])).toBe('invalid boolean value "maybe" for -dry-run: parse error');
    expect(rootError(["---x"])).toBe("bad flag syntax: ---x");
    expect(rootError(["-=x"])).toBe("bad flag syntax: -=x");
    expect(rootError(["a.md", "b.md"])).toBe("too many arguments");
    expect(rootError(["--port", "99999999999999999999"])).toBe(
      'invalid value "99999999999999999999" for flag -port: value out of range',
    );
  });

  test("parses Go integer syntax for --port", () => {
    const r = parseRootArgs(["--port=0x1F90"], cwd);
    expect(r.action === "run" && r.options.port).toBe(8080);
  });

  test("dumpversion beats version, and --help is a help request", () => {
    expect(parseRootArgs(["--version", "-dumpversion"], cwd)).toEqual({ action: "dumpversion" });
    expect(parseRootArgs(["--version", "W.md"], cwd)).toEqual({ action: "version" });
    expect(parseRootArgs(["W.md", "--help"], cwd)).toEqual({ action: "help" });
  });
});

describe("short-flag interception", () => {
  test("-h and -V are found anywhere before a subcommand or --", () => {
    expect(interceptShortFlags(["WORKFLOW.md", "-h"])).toBe("help");
    expect(interceptShortFlags(["-V", "--bogus"])).toBe("version");
    expect(interceptShortFlags(["--port", "-help"])).toBe("help");
    expect(interceptShortFlags(["validate", "-h"])).toBeNull();
    expect(interceptShortFlags(["--", "-h"])).toBeNull();
    expect(interceptShortFlags(["--help"])).toBeNull();
  });

  test("subcommand help is any help flag before --", () => {
    expect(wantsSubcommandHelp(["--format", "json", "--help"])).toBe(true);
    expect(wantsSubcommandHelp(["--", "-h"])).toBe(false);
  });
});

describe("parseGoInt", () => {
  test.each([
    ["8080", 8080],
    ["0x1F", 31],
    ["0o17", 15],
    ["0b101", 5],
    ["0777", 511],
    ["1_000", 1000],
    ["-5", -5],
    ["08", "syntax"],
    ["1__0", "syntax"],
    ["_1", "syntax"],
    ["", "syntax"],
  ] as const)("%p → %p", (text, expected) => {
    expect(parseGoInt(text)).toBe(expected);
  });

  test("bool inline values accept Go's spellings", () => {
    const specs = [{ name: "x", kind: "bool" as const }];
    expect(parseFlags(["-x=F"], specs).values.get("x")).toBe(false);
    expect(parseFlags(["-x=True"], specs).values.get("x")).toBe(true);
    expect(() => parseFlags(["-x=yes"], specs)).toThrow(FlagError);
  });
});
