// The functions every prompt template gets on top of the builtins. Names and behaviour are
// permanent API: WORKFLOW.md files written for the Go original use them.

import {
  builtinFunc,
  FuncError,
  type FuncMap,
  sliceType,
  sprint,
  toJSON,
  typeName,
} from "./template/index.ts";

/** strings.ToLower: per code point, so İ becomes i as in Go rather than i̇. */
function lower(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  let out = "";
  for (const ch of s) {
    const l = ch.toLowerCase();
    out += [...l].length === 1 ? l : String.fromCodePoint(l.codePointAt(0) ?? 0);
  }
  return out;
}

function join(sep: string, list: unknown): string {
  if (Array.isArray(list)) {
    const type = sliceType(list);
    if (type === "[]string") return list.join(sep);
    if (type === "[]interface {}") return list.map((e) => sprint([e])).join(sep);
  }
  const type = list === null || list === undefined ? "<nil>" : typeName(list);
  throw new FuncError(`join: unsupported type ${type}, want []string or []any`);
}

export const PROMPT_FUNCS: FuncMap = {
  toJSON: builtinFunc(["any"], undefined, toJSON),
  join: builtinFunc(["string", "any"], undefined, join),
  lower: builtinFunc(["string"], undefined, lower),
};
