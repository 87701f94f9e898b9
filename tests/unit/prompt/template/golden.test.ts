import { describe, expect, test } from "bun:test";
import { PROMPT_FUNCS } from "../../../../src/prompt/funcs.ts";
import { compileTemplate, executeTemplate, TemplateError } from "../../../../src/prompt/template/index.ts";
import { DATASETS } from "./datasets.ts";
import { ERROR_GOLDEN } from "./error-golden.ts";
import { FORMAT_GOLDEN } from "./format-golden.ts";
import { GOLDEN_CASES } from "./golden-cases.ts";

function run(tmpl: string, data: unknown): { out?: string; err?: string } {
  try {
    return { out: executeTemplate(compileTemplate(tmpl, { funcs: PROMPT_FUNCS }), data) };
  } catch (err) {
    if (err instanceof TemplateError) return { err: err.message };
    throw err;
  }
}

describe("renders like Go text/template", () => {
  for (const c of GOLDEN_CASES) {
    test(`${c.name}: ${c.tmpl}`, () => {
      const result = run(c.tmpl, DATASETS[c.data]());
      if (c.err !== undefined) expect(result).toEqual({ err: c.err });
      else expect(result).toEqual({ out: c.out });
    });
  }
});

describe("formats values like Go fmt and encoding/json", () => {
  test.each(FORMAT_GOLDEN)("%s", (tmpl, expected) => {
    expect(run(tmpl, DATASETS.misc())).toEqual({ out: expected });
  });
});

describe("reports errors in damaged templates like Go", () => {
  test.each(ERROR_GOLDEN)("%s: %s", (data, tmpl, expected) => {
    expect(run(tmpl, DATASETS[data]())).toEqual({ err: expected });
  });
});
