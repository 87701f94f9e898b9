// Go's fmt value formatting as templates see it: print (Sprint), println (Sprintln), the `%v`
// rendering of every action's result, and the per-verb formatting used by printf.
// Verbs: v s d q t f F e E g G x X o O b c U T %.

import { goQuote, isPrintable } from "../../domain/go-format.ts";
import { type FloatFormat, formatBinaryFloat, formatFloat, formatHexFloat } from "./float-format.ts";
import {
  floatOf,
  GoFloat,
  isGoFloat,
  isGoInt,
  isGoMap,
  sortedKeys,
  toBigInt,
  typeName,
  utf8Bytes,
} from "./values.ts";

export interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  sharpV: boolean;
  wid: number | null;
  prec: number | null;
}

export const PLAIN: Spec = {
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
  sharpV: false,
  wid: null,
  prec: null,
};

function pad(s: string, spec: Spec, zeroOK = true): string {
  if (spec.wid === null) return s;
  const n = spec.wid - [...s].length;
  if (n <= 0) return s;
  if (spec.minus) return s + " ".repeat(n);
  return (spec.zero && zeroOK ? "0" : " ").repeat(n) + s;
}

function badVerb(verb: string, arg: unknown, spec: Spec): string {
  if (arg === null || arg === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${formatArg(arg, "v", spec)})`;
}

function quoteRune(r: number): string {
  if (r === 0x27) return "'\\''";
  if (r === 0x22) return `'"'`;
  const q = goQuote(String.fromCodePoint(r));
  return `'${q.slice(1, -1)}'`;
}

function fmtInteger(n: number | bigint, verb: string, spec: Spec): string {
  const v = toBigInt(n);
  switch (verb) {
    case "c":
      return pad(String.fromCodePoint(v >= 0n && v <= 0x10ffffn ? Number(v) : 0xfffd), spec);
    case "q": {
      const q = quoteRune(v >= 0n && v <= 0x10ffffn ? Number(v) : 0xfffd);
      return pad(spec.plus ? toASCII(q) : q, spec);
    }
    case "U": {
      const digits = Math.max(4, spec.prec ?? 0);
      let s = `U+${BigInt.asUintN(64, v).toString(16).toUpperCase().padStart(digits, "0")}`;
      if (spec.sharp && v >= 0n && v <= 0x10ffffn && isPrintable(Number(v))) {
        s += ` '${String.fromCodePoint(Number(v))}'`;
      }
      return pad(s, spec, false);
    }
  }
  const base = { v: 10, d: 10, b: 2, o: 8, O: 8, x: 16, X: 16 }[verb];
  if (base === undefined) return badVerb(verb, n, spec);
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString(base);
  if (verb === "X") digits = digits.toUpperCase();
  let prec = 0;
  if (spec.prec !== null) {
    prec = spec.prec;
    if (prec === 0 && v === 0n) return pad("", { ...spec, zero: false });
  } else if (spec.zero && !spec.minus && spec.wid !== null) {
    prec = spec.wid - (negative || spec.plus || spec.space ? 1 : 0);
  }
  if (digits.length < prec) digits = "0".repeat(prec - digits.length) + digits;
  if (spec.sharp) {
    if (verb === "b") digits = `0b${digits}`;
    else if (verb === "o" && digits[0] !== "0") digits = `0${digits}`;
    else if (verb === "x") digits = `0x${digits}`;
    else if (verb === "X") digits = `0X${digits}`;
  }
  if (verb === "O") digits = `0o${digits}`;
  const sign = negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return pad(sign + digits, spec, false);
}

function fmtFloat(f: number, verb: string, spec: Spec): string {
  let prec = verb === "f" || verb === "F" || verb === "e" || verb === "E" ? 6 : -1;
  if (!"vgGfFeExXb".includes(verb)) return badVerb(verb, new GoFloat(f), spec);
  if (spec.prec !== null) prec = spec.prec;
  let num: string;
  if (verb === "x" || verb === "X") num = formatHexFloat(f, verb, prec);
  else if (verb === "b") num = formatBinaryFloat(f);
  else {
    const fmt: FloatFormat = verb === "v" ? "g" : verb === "F" ? "f" : (verb as FloatFormat);
    num = formatFloat(f, fmt, prec);
  }
  if (num[0] !== "-" && num[0] !== "+") num = `+${num}`;
  if (spec.space && num[0] === "+" && !spec.plus) num = ` ${num.slice(1)}`;
  if (num[1] === "I" || num[1] === "N") {
    if (num[1] === "N" && !spec.space && !spec.plus) num = num.slice(1);
    return pad(num, spec, false);
  }
  if (spec.sharp && verb !== "b")
    num = keepPoint(num, "vgGx".includes(verb) ? (prec < 0 ? 6 : prec) : 0, verb);
  if (spec.plus || num[0] !== "+") {
    if (spec.zero && !spec.minus && spec.wid !== null && spec.wid > num.length) {
      return num[0] + "0".repeat(spec.wid - num.length) + num.slice(1);
    }
    return pad(num, spec);
  }
  return pad(num.slice(1), spec);
}

/** The `#` flag: always show a decimal point, and for %g keep trailing zeros up to the precision. */
function keepPoint(num: string, digits: number, verb: string): string {
  let body = num;
  let tail = "";
  const e = body.search(verb === "x" || verb === "X" ? /[pP]/ : /[eEpP]/);
  if (e >= 0) [body, tail] = [body.slice(0, e), body.slice(e)];
  let sawNonzero = false;
  for (const ch of body.slice(1)) {
    if (ch === ".") continue;
    if (ch !== "0") sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!body.includes(".")) {
    if (body.length === 2 && body[1] === "0") digits--;
    body += ".";
  }
  return body + "0".repeat(Math.max(0, digits)) + tail;
}

function truncate(s: string, spec: Spec): string {
  return spec.prec === null ? s : [...s].slice(0, spec.prec).join("");
}

function fmtString(s: string, verb: string, spec: Spec): string {
  if (verb === "v" && spec.sharpV) verb = "q";
  if (verb !== "x" && verb !== "X") s = truncate(s, spec);
  switch (verb) {
    case "v":
    case "s":
      return pad(s, spec);
    case "q":
      if (spec.sharp && !/[`\x00-\x08\x0a-\x1f\x7f\ufeff]/.test(s)) return pad(`\`${s}\``, spec);
      return pad(spec.plus ? toASCII(goQuote(s)) : goQuote(s), spec);
    case "x":
    case "X": {
      const hex = [...utf8Bytes(s)]
        .slice(0, spec.prec ?? undefined)
        .map((b) => b.toString(16).padStart(2, "0"));
      const joined = spec.space
        ? hex.map((h) => (spec.sharp ? `0x${h}` : h)).join(" ")
        : (spec.sharp && hex.length > 0 ? "0x" : "") + hex.join("");
      return pad(verb === "X" ? joined.toUpperCase() : joined, spec);
    }
  }
  return badVerb(verb, s, spec);
}

/** strconv's QuoteToASCII applied to an already quoted literal: escape every non-ASCII rune. */
function toASCII(quoted: string): string {
  return quoted.replace(/[^\x00-\x7f]/gu, (ch) => {
    const cp = ch.codePointAt(0) ?? 0;
    return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
  });
}

/** One element of a list or map: a nil interface prints as `<nil>` whatever the verb. */
function formatElem(v: unknown, verb: string, spec: Spec): string {
  if (v === null || v === undefined) return spec.sharpV ? "interface {}(nil)" : "<nil>";
  return formatArg(v, verb, spec);
}

/** fmt's printArg: renders one operand with a verb. */
export function formatArg(arg: unknown, verb: string, spec: Spec): string {
  if (arg === null || arg === undefined) {
    return verb === "v" || verb === "T" ? pad("<nil>", spec) : badVerb(verb, arg, spec);
  }
  if (verb === "T") return pad(truncate(typeName(arg), spec), spec);
  if (typeof arg === "boolean") {
    return verb === "t" || verb === "v" ? pad(String(arg), spec) : badVerb(verb, arg, spec);
  }
  if (typeof arg === "string") return fmtString(arg, verb, spec);
  if (isGoInt(arg)) return fmtInteger(arg, verb, spec);
  if (isGoFloat(arg)) return fmtFloat(floatOf(arg), verb, spec);
  if (Array.isArray(arg)) {
    const elems = arg.map((e) => formatElem(e, verb, spec));
    return spec.sharpV ? `${typeName(arg)}{${elems.join(", ")}}` : `[${elems.join(" ")}]`;
  }
  if (isGoMap(arg)) {
    const entries = sortedKeys(arg).map(
      (k) => `${formatElem(k, verb, spec)}:${formatElem(arg[k], verb, spec)}`,
    );
    return spec.sharpV ? `${typeName(arg)}{${entries.join(", ")}}` : `map[${entries.join(" ")}]`;
  }
  return pad(String(arg), spec);
}

/** `%v` of a single value (how an action prints its result, once "no value" is ruled out). */
export function formatValue(value: unknown): string {
  return formatArg(value, "v", PLAIN);
}

/** One value with a verb and no flags, e.g. `formatVerb(x, "s")` for `%s`. */
export function formatVerb(value: unknown, verb: string): string {
  return formatArg(value, verb, PLAIN);
}

/** fmt.Sprint: operands are separated by a space when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === "string";
    if (i > 0 && !isString && !prevString) out += " ";
    out += formatArg(arg, "v", PLAIN);
    prevString = isString;
  });
  return out;
}

/** fmt.Sprintln: operands always separated by a space, newline appended. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatArg(a, "v", PLAIN)).join(" ")}\n`;
}
