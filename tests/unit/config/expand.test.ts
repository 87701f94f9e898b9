// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the shell syntax under test, not a template mistake.
import { describe, expect, test } from "bun:test";
import {
  cleanPath,
  expandEnv,
  expandPath,
  expandTilde,
  expandWholeValue,
} from "../../../src/config/expand.ts";

const env = { HOME: "/home/u", FOO: "foo", BAR: "bar", "1": "one", $: "dollar", EMPTY: "" };

describe("expandEnv follows Go os.ExpandEnv", () => {
  const cases: [string, string][] = [
    ["$FOO", "foo"],
    ["${FOO}", "foo"],
    ["a$FOO/b", "afoo/b"],
    ["$FOO$BAR", "foobar"],
    ["$FOO_BAR", ""],
    ["${FOO}_BAR", "foo_BAR"],
    ["$UNSET", ""],
    ["$1abc", "oneabc"],
    ["${1}", "one"],
    ["$$", "dollar"],
    ["${}", ""],
    ["a${}b", "ab"],
    ["${x", "x"],
    ["pre${FOO", "preFOO"],
    ["$", "$"],
    ["a$", "a$"],
    ["$-x", "x"],
    ["$ x", "$ x"],
    ["$/x", "$/x"],
    ["${FOO:-default}", ""],
    ["tok$5abc", "tokabc"],
    ["no dollar", "no dollar"],
  ];
  for (const [input, want] of cases) {
    test(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => {
      expect(expandEnv(input, env)).toBe(want);
    });
  }
});

describe("whole-value expansion", () => {
  test("a value starting with $ is expanded after trimming", () => {
    expect(expandWholeValue("  $FOO  ", env)).toBe("foo");
    expect(expandWholeValue("$FOO/path", env)).toBe("foo/path");
  });

  test("any other value stays exactly as written", () => {
    expect(expandWholeValue("https://$FOO.example", env)).toBe("https://$FOO.example");
    expect(expandWholeValue("  plain  ", env)).toBe("  plain  ");
  });
});

describe("tilde expansion", () => {
  test("~ and ~/ use the home directory and clean the path", () => {
    expect(expandTilde("~", "/home/u")).toEqual({ ok: true, value: "/home/u" });
    expect(expandTilde("~/a//b/../c/", "/home/u")).toEqual({ ok: true, value: "/home/u/a/c" });
  });

  test("~user and embedded ~ are left alone", () => {
    expect(expandTilde("~other/x", "/home/u")).toEqual({ ok: true, value: "~other/x" });
    expect(expandTilde("/a/~/b", "/home/u")).toEqual({ ok: true, value: "/a/~/b" });
  });

  test("an unset or empty HOME is an error", () => {
    const want = { ok: false, error: "cannot expand ~: $HOME is not defined" } as const;
    expect(expandTilde("~/x", undefined)).toEqual(want);
    expect(expandTilde("~/x", "")).toEqual(want);
  });

  test("path mode: tilde first, then $VAR, unless the value came from an override", () => {
    expect(expandPath("~/$FOO", env, "/home/u", true)).toEqual({ ok: true, value: "/home/u/foo" });
    expect(expandPath("~/$FOO", env, "/home/u", false)).toEqual({ ok: true, value: "/home/u/$FOO" });
    expect(expandPath("", env, undefined, true)).toEqual({ ok: true, value: "" });
  });

  test("cleanPath keeps the root", () => {
    expect(cleanPath("/")).toBe("/");
    expect(cleanPath("/a/b/")).toBe("/a/b");
  });
});
