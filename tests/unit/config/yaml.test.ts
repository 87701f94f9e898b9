import { describe, expect, test } from "bun:test";
import { parseGoAtoi, parseGoInt, resolvePlainScalar } from "../../../src/config/go-scalar.ts";
import { decodeYaml, YamlSyntaxError } from "../../../src/config/yaml.ts";

describe("plain scalars are typed as the Go original's YAML decoder types them", () => {
  const cases: [string, unknown][] = [
    ["", null],
    ["~", null],
    ["null", null],
    ["Null", null],
    ["NULL", null],
    ["true", true],
    ["False", false],
    ["TRUE", true],
    ["yes", "yes"],
    ["no", "no"],
    ["on", "on"],
    ["off", "off"],
    ["42", 42],
    ["-7", -7],
    ["+3", 3],
    ["1_000", 1000],
    ["0777", 511],
    ["0o17", 15],
    ["0x1F", 31],
    ["-0x10", -16],
    ["0b101", 5],
    ["08", 8],
    ["3.0", 3],
    ["1e3", 1000],
    [".5", 0.5],
    ["1.", 1],
    ["1_000.5", 1000.5],
    ["2026-01-01", "2026-01-01"],
    ["0x", "0x"],
    ["-", "-"],
    ["1.2.3", "1.2.3"],
    ["_1", "_1"],
    ["hello", "hello"],
  ];
  for (const [text, want] of cases) {
    test(`${JSON.stringify(text)} → ${JSON.stringify(want)}`, () => {
      expect(resolvePlainScalar(text)).toEqual(want as never);
    });
  }

  test("infinities and NaN", () => {
    expect(resolvePlainScalar(".inf")).toBe(Number.POSITIVE_INFINITY);
    expect(resolvePlainScalar("-.Inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(resolvePlainScalar(".nan")).toBeNaN();
  });
});

describe("Go integer parsers", () => {
  test("ParseInt(s, 0, 64) prefixes and range", () => {
    expect(parseGoInt("0")).toBe(0);
    expect(parseGoInt("00")).toBe(0);
    expect(parseGoInt("0X1f")).toBe(31);
    expect(parseGoInt("0O17")).toBe(15);
    expect(parseGoInt("0B11")).toBe(3);
    expect(parseGoInt("9223372036854775807")).toBe(Number(2n ** 63n - 1n));
    expect(parseGoInt("9223372036854775808")).toBeUndefined();
    expect(parseGoInt("9223372036854775808", { allowUnsigned: true })).toBe(Number(2n ** 63n));
    expect(parseGoInt("089")).toBeUndefined();
    expect(parseGoInt("")).toBeUndefined();
    expect(parseGoInt("+")).toBeUndefined();
  });

  test("Atoi accepts only optional sign and decimal digits", () => {
    expect(parseGoAtoi("123")).toBe(123);
    expect(parseGoAtoi("-5")).toBe(-5);
    expect(parseGoAtoi("+5")).toBe(5);
    expect(parseGoAtoi("0x10")).toBeUndefined();
    expect(parseGoAtoi("1_000")).toBeUndefined();
    expect(parseGoAtoi("1.0")).toBeUndefined();
    expect(parseGoAtoi(" 1")).toBeUndefined();
  });
});

describe("decodeYaml", () => {
  test("quoted and block scalars stay strings; explicit !!str too", () => {
    const { value } = decodeYaml('a: "42"\nb: \'true\'\nc: |\n  0777\nd: !!str 12\ne: !!int "0x10"\n', 1);
    expect(value).toEqual({ a: "42", b: "true", c: "0777\n", d: "12", e: 16 });
  });

  test("merge keys: explicit keys win, earlier merge sources win over later ones", () => {
    const yaml = [
      "base: &base {a: 1, b: 1}",
      "other: &other {b: 2, c: 2}",
      "x:",
      "  <<: [*base, *other]",
      "  a: 9",
      "y:",
      "  <<: *base",
    ].join("\n");
    const { value } = decodeYaml(yaml, 1);
    expect((value as Record<string, unknown>).x).toEqual({ a: 9, b: 1, c: 2 });
    expect((value as Record<string, unknown>).y).toEqual({ a: 1, b: 1 });
  });

  test("aliases repeat the anchored value", () => {
    const { value } = decodeYaml("states: &s [a, b]\ncopy: *s\n", 1);
    expect(value).toEqual({ states: ["a", "b"], copy: ["a", "b"] });
  });

  test("a merge value that is not a map is an error", () => {
    expect(() => decodeYaml("x:\n  <<: 3\n", 1)).toThrow(
      "map merge requires map or sequence of maps as the value",
    );
  });

  test("a mapping with a non-string key decodes to a Map", () => {
    const { value } = decodeYaml("agent:\n  1: two\n  three: 3\n", 1);
    const agent = (value as Record<string, unknown>).agent;
    expect(agent).toBeInstanceOf(Map);
    expect([...(agent as Map<unknown, unknown>).entries()]).toEqual([
      [1, "two"],
      ["three", 3],
    ]);
  });

  test("a quoted numeric key stays a string key", () => {
    expect(decodeYaml('"1": a\n', 1).value).toEqual({ "1": "a" });
  });

  test("a __proto__ key is an ordinary key", () => {
    const value = decodeYaml("__proto__: x\n", 1).value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  test("positions are lines of the file (after the opening ---) with 1-based columns", () => {
    const { positions } = decodeYaml(
      "tracker:\n  kind: jira\n  active_states:\n    - To Do\n    - Done\n",
      1,
    );
    expect(positions.value("tracker.kind")).toEqual({ line: 3, column: 9 });
    expect(positions.key("tracker.kind")).toEqual({ line: 3, column: 3 });
    expect(positions.value("tracker.active_states[1]")).toEqual({ line: 6, column: 7 });
    expect(positions.key("tracker")).toEqual({ line: 2, column: 1 });
  });

  test("an empty value has no value position, only the key's", () => {
    const { positions } = decodeYaml("db_path:\n", 1);
    expect(positions.value("db_path")).toEqual({ line: 2, column: 1 });
  });

  test("syntax errors carry a Go-style line relative to the YAML and a file position", () => {
    let error: unknown;
    try {
      decodeYaml("a: 1\nb: c: d\n", 1);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(YamlSyntaxError);
    expect((error as YamlSyntaxError).message).toStartWith("yaml: line 2: ");
    expect((error as YamlSyntaxError).position?.line).toBe(3);
  });

  test("only the first document is used", () => {
    expect(decodeYaml("a: 1\n...\nb: 2\n", 1).value).toEqual({ a: 1 });
  });

  test("empty and comment-only text decode to null", () => {
    expect(decodeYaml("", 1).value).toBeNull();
    expect(decodeYaml("# only a comment\n", 1).value).toBeNull();
  });
});
