import { describe, expect, test } from "bun:test";
import {
  builtinFunc,
  compileTemplate,
  executeTemplate,
  FuncError,
  GoFloat,
  TemplateError,
  typeName,
  withGoType,
} from "../../../../src/prompt/template/index.ts";

function render(tmpl: string, data: unknown = {}): string {
  return executeTemplate(compileTemplate(tmpl), data);
}

function failure(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error("expected a TemplateError");
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe("Go text/template semantics", () => {
  const data = {
    issue: { labels: withGoType(["bug", "urgent"], "[]string"), parent: { identifier: "ABC-0" } },
    m: { a: 1 },
    l: ["x", "y"],
  };

  test.each([
    ["{{print 1 2}}", "1 2"],
    ['{{print "a" "b"}}', "ab"],
    ['{{printf "%5.2f" 3.14159}}', " 3.14"],
    ['{{len "héllo"}}', "6"],
    ['{{index .m "missing"}}', "<no value>"],
    ["{{.issue.labels}}", "[bug urgent]"],
    ["{{ range $i, $e := .l }}{{ $i }}={{ $e }} {{ end }}", "0=x 1=y "],
    ["{{ with .issue.parent }}{{ .identifier }}{{ end }}", "ABC-0"],
    ["a \n {{- 1 -}} \n b", "a1b"],
    ["{{-3}}", "-3"],
    ["{{/* note */}}ok", "ok"],
    ["{{ if 0 }}a{{ else if 1 }}b{{ else }}c{{ end }}", "b"],
    ['{{ range .l }}{{ if eq . "y" }}{{ break }}{{ end }}{{ . }}{{ end }}', "x"],
  ])("%s renders %j", (tmpl, expected) => {
    expect(render(tmpl, data)).toBe(expected);
  });

  test("reports a missing map key as an exec error with line and byte column", () => {
    const err = failure(() => render("first\nsecond {{ .m.nope }}", data));
    expect(err.phase).toBe("exec");
    expect(err.line).toBe(2);
    expect(err.message).toBe(
      'template: prompt:2:12: executing "prompt" at <.m.nope>: map has no entry for key "nope"',
    );
  });

  test("reports syntax errors as parse errors with the line of the offending token", () => {
    const err = failure(() => compileTemplate("a\nb\n{{ if .x }}"));
    expect(err.phase).toBe("parse");
    expect(err.line).toBe(3);
    expect(err.message).toBe("template: prompt:3: unexpected EOF");
  });

  test("rejects unknown functions and undefined variables at parse time", () => {
    expect(failure(() => compileTemplate("{{ upper .x }}")).message).toBe(
      'template: prompt:1: function "upper" not defined',
    );
    expect(failure(() => compileTemplate("{{ $y }}")).message).toBe(
      'template: prompt:1: undefined variable "$y"',
    );
  });

  test("uses the configured template name in messages", () => {
    expect(failure(() => compileTemplate("{{ end }}", { name: "page" })).message).toBe(
      "template: page:1: unexpected {{end}}",
    );
  });

  test("stops runaway template recursion with an error", () => {
    const tmpl = compileTemplate('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}');
    expect(failure(() => executeTemplate(tmpl, {})).message).toContain(
      "exceeded maximum template depth (1000)",
    );
  });
});

describe("compile once, execute many times", () => {
  test("executes one compiled template against different data without shared state", async () => {
    const tmpl = compileTemplate("{{ $x := .n }}{{ range .l }}{{ $x }}{{ . }};{{ end }}");
    const inputs = Array.from({ length: 50 }, (_, n) => ({ n, l: [n, n + 1] }));
    const outputs = await Promise.all(inputs.map(async (d) => executeTemplate(tmpl, d)));
    expect(outputs).toEqual(inputs.map(({ n }) => `${n}${n};${n}${n + 1};`));
  });

  test("a failed execution leaves the template usable", () => {
    const tmpl = compileTemplate("{{ .a.b }}");
    expect(() => executeTemplate(tmpl, { a: null })).toThrow(TemplateError);
    expect(executeTemplate(tmpl, { a: { b: "ok" } })).toBe("ok");
  });

  test("never writes to the data it renders", () => {
    const data = deepFreeze({ m: { b: 2, a: 1 }, l: [3, 1, 2], s: "x" });
    const out = render(
      '{{ range $k, $v := .m }}{{ $k }}{{ end }}{{ .l }}{{ slice .l 1 }}{{ index .m "a" }}',
      data,
    );
    expect(out).toBe("ab[3 1 2][1 2]1");
  });
});

describe("functions", () => {
  test("custom functions take precedence over builtins and report errors as calls", () => {
    const funcs = {
      len: builtinFunc(["any"], undefined, () => "custom"),
      fail: builtinFunc([], undefined, () => {
        throw new FuncError("no luck");
      }),
    };
    expect(executeTemplate(compileTemplate("{{ len 1 }}", { funcs }), {})).toBe("custom");
    const err = failure(() => executeTemplate(compileTemplate("x {{ fail }}", { funcs }), {}));
    expect(err.message).toBe(
      'template: prompt:1:5: executing "prompt" at <fail>: error calling fail: no luck',
    );
  });

  test("and/or do not evaluate arguments after the deciding one", () => {
    expect(render("{{ and 0 .missing.key }}", {})).toBe("0");
    expect(render("{{ or 1 .missing.key }}", {})).toBe("1");
  });
});

describe("value model", () => {
  test("lists are []interface {} unless tagged with their Go type", () => {
    expect(typeName([1])).toBe("[]interface {}");
    expect(typeName(withGoType(["a"], "[]string"))).toBe("[]string");
    expect(typeName({})).toBe("map[string]interface {}");
    expect(typeName(new GoFloat(2))).toBe("float64");
    expect(typeName(2)).toBe("int");
    expect(typeName(2.5)).toBe("float64");
  });

  test("a float literal stays a float even when integral", () => {
    expect(render('{{ printf "%T %v" 2.0 2.0 }}')).toBe("float64 2");
    expect(failure(() => render("{{ eq 2 2.0 }}")).message).toContain(
      "incompatible types for comparison: int and float64",
    );
  });

  test("JavaScript undefined members of a map read as nil", () => {
    expect(render("{{ .a }}|{{ print .a }}", { a: undefined })).toBe("<no value>|<nil>");
  });

  test("keys inherited from the prototype are not map entries", () => {
    expect(failure(() => render("{{ .constructor }}", {})).message).toContain(
      'map has no entry for key "constructor"',
    );
  });
});
