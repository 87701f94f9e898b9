// Go's fmt.Sprintf: flags, widths and precisions (also `*`), `[n]` argument indexes and the `%!`
// forms for bad verbs, missing and extra arguments.

import { formatArg, PLAIN, type Spec } from "./fmt.ts";
import { isGoInt, typeName } from "./values.ts";

function parseNum(format: string, i: number): [number | null, number] {
  let j = i;
  while (j < format.length && format.charCodeAt(j) >= 48 && format.charCodeAt(j) <= 57) j++;
  return j === i ? [null, i] : [Number(format.slice(i, j)), j];
}

/** fmt.Sprintf, including `*` widths, `[n]` argument indexes and the `%!` error forms. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const end = format.length;
  while (i < end) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...PLAIN };
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case "#":
          spec.sharp = true;
          break;
        case "0":
          spec.zero = !spec.minus;
          break;
        case "+":
          spec.plus = true;
          break;
        case "-":
          spec.minus = true;
          spec.zero = false;
          break;
        case " ":
          spec.space = true;
          break;
        default:
          break flags;
      }
    }
    let goodArgNum = true;
    let afterIndex = false;
    const argIndex = (): void => {
      if (format[i] !== "[") return;
      reordered = true;
      const close = end - i < 3 ? -1 : format.indexOf("]", i + 1);
      const digits = close < 0 ? "" : format.slice(i + 1, close);
      const ok = /^\d+$/.test(digits);
      const index = Number(digits) - 1;
      i = close < 0 ? i + 1 : close + 1;
      afterIndex = ok;
      if (ok && index >= 0 && index < args.length) argNum = index;
      else goodArgNum = false;
    };
    const intArg = (): number | null => {
      const a = args[argNum];
      argNum++;
      return argNum - 1 < args.length && isGoInt(a) ? Number(a) : null;
    };
    argIndex();
    if (format[i] === "*") {
      i++;
      spec.wid = intArg();
      if (spec.wid === null) out += "%!(BADWIDTH)";
      else if (spec.wid < 0) {
        spec.wid = -spec.wid;
        spec.minus = true;
        spec.zero = false;
      }
      afterIndex = false;
    } else {
      [spec.wid, i] = parseNum(format, i);
      if (afterIndex && spec.wid !== null) goodArgNum = false;
    }
    if (format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = false;
      argIndex();
      if (format[i] === "*") {
        i++;
        spec.prec = intArg();
        if (spec.prec === null) out += "%!(BADPREC)";
        else if (spec.prec < 0) spec.prec = null;
        afterIndex = false;
      } else {
        [spec.prec, i] = parseNum(format, i);
        spec.prec ??= 0;
      }
    }
    if (!afterIndex) argIndex();
    if (i >= end) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === "%") out += "%";
    else if (!goodArgNum) out += `%!${verb}(BADINDEX)`;
    else if (argNum >= args.length) out += `%!${verb}(MISSING)`;
    else {
      if (verb === "v") {
        spec.sharpV = spec.sharp;
        spec.sharp = false;
        spec.plus = false;
      }
      out += formatArg(args[argNum], verb, spec);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    const extra = args
      .slice(argNum)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatArg(a, "v", PLAIN)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
