// Go literal syntax for template constants: strconv.Unquote / UnquoteChar for strings and
// characters, and strconv.ParseInt / ParseUint / ParseFloat (base 0, `_` separators) for numbers.

import { utf8Bytes, utf8Decode } from "./values.ts";

export class LiteralError extends Error {}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  "\\": 0x5c,
};

function hexValue(c: string): number {
  const v = Number.parseInt(c, 16);
  return /^[0-9a-fA-F]$/.test(c) ? v : -1;
}

interface Unquoted {
  /** A code point, or a single byte when `isByte` (from \x.. and octal escapes). */
  value: number;
  isByte: boolean;
  rest: string;
}

/** strconv.UnquoteChar: decodes one (possibly escaped) character of a quoted literal. */
function unquoteChar(s: string, quote: string): Unquoted {
  const c = s.codePointAt(0);
  if (c === undefined) throw new LiteralError("invalid syntax");
  const ch = String.fromCodePoint(c);
  if (ch === quote && (quote === "'" || quote === '"')) throw new LiteralError("invalid syntax");
  if (ch !== "\\") return { value: c, isByte: false, rest: s.slice(ch.length) };
  if (s.length <= 1) throw new LiteralError("invalid syntax");
  const e = s[1] ?? "";
  let rest = s.slice(2);
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return { value: simple, isByte: false, rest };
  switch (e) {
    case "x":
    case "u":
    case "U": {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      if (rest.length < n) throw new LiteralError("invalid syntax");
      let v = 0;
      for (let j = 0; j < n; j++) {
        const x = hexValue(rest[j] ?? "");
        if (x < 0) throw new LiteralError("invalid syntax");
        v = v * 16 + x;
      }
      rest = rest.slice(n);
      if (e === "x") return { value: v, isByte: true, rest };
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new LiteralError("invalid syntax");
      return { value: v, isByte: false, rest };
    }
    case "0":
    case "1":
    case "2":
    case "3":
    case "4":
    case "5":
    case "6":
    case "7": {
      let v = Number(e);
      if (rest.length < 2) throw new LiteralError("invalid syntax");
      for (let j = 0; j < 2; j++) {
        const x = (rest.codePointAt(j) ?? 0) - 0x30;
        if (x < 0 || x > 7) throw new LiteralError("invalid syntax");
        v = v * 8 + x;
      }
      if (v > 255) throw new LiteralError("invalid syntax");
      return { value: v, isByte: true, rest: rest.slice(2) };
    }
    case "'":
    case '"':
      if (e !== quote) throw new LiteralError("invalid syntax");
      return { value: e.charCodeAt(0), isByte: false, rest };
  }
  throw new LiteralError("invalid syntax");
}

/** strconv.Unquote for `"..."` and raw `` `...` `` string literals. */
export function unquoteString(quoted: string): string {
  const q = quoted[0];
  if (quoted.length < 2 || quoted[quoted.length - 1] !== q) throw new LiteralError("invalid syntax");
  const body = quoted.slice(1, -1);
  if (q === "`") {
    if (body.includes("`")) throw new LiteralError("invalid syntax");
    return body.replaceAll("\r", "");
  }
  if (q !== '"') throw new LiteralError("invalid syntax");
  if (!body.includes("\\") && !body.includes('"')) {
    if (body.includes("\n")) throw new LiteralError("invalid syntax");
    return body;
  }
  const bytes: number[] = [];
  let rest = body;
  while (rest.length > 0) {
    const u = unquoteChar(rest, '"');
    rest = u.rest;
    if (u.isByte) bytes.push(u.value);
    else for (const b of utf8Bytes(String.fromCodePoint(u.value))) bytes.push(b);
  }
  return utf8Decode(Uint8Array.from(bytes));
}

/** Value of a character constant such as `'a'` or `'\n'`. */
export function unquoteCharConstant(text: string): number {
  const u = unquoteChar(text.slice(1), "'");
  if (u.rest !== "'") throw new LiteralError(`malformed character constant: ${text}`);
  return u.value;
}

/** strconv's underscoreOK: `_` only between digits or after a base prefix. */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1] ?? "")) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i] ?? "";
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const MAX_UINT64 = (1n << 64n) - 1n;

/** strconv.ParseUint(s, 0, 64); null on any error. */
export function parseGoUint(s: string): bigint | null {
  if (s === "" || s[0] === "+" || s[0] === "-") return null;
  let base = 10;
  let digits = s;
  if (s[0] === "0") {
    const p = (s[1] ?? "").toLowerCase();
    if (s.length >= 3 && p === "b") [base, digits] = [2, s.slice(2)];
    else if (s.length >= 3 && p === "o") [base, digits] = [8, s.slice(2)];
    else if (s.length >= 3 && p === "x") [base, digits] = [16, s.slice(2)];
    else [base, digits] = [8, s.slice(1)];
  }
  let n = 0n;
  let underscores = false;
  for (const c of digits) {
    if (c === "_") {
      underscores = true;
      continue;
    }
    const d = Number.parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return null;
    n = n * BigInt(base) + BigInt(d);
    if (n > MAX_UINT64) return null;
  }
  if (underscores && !underscoreOK(s)) return null;
  return n;
}

/** strconv.ParseInt(s, 0, 64); null on any error. */
export function parseGoInt(s: string): bigint | null {
  if (s === "") return null;
  const neg = s[0] === "-";
  const body = s[0] === "-" || s[0] === "+" ? s.slice(1) : s;
  const u = parseGoUint(body);
  if (u === null) return null;
  if (neg ? u > 1n << 63n : u >= 1n << 63n) return null;
  return neg ? -u : u;
}

/** strconv.ParseFloat(s, 64); null on a syntax or range error. */
export function parseGoFloat(s: string): number | null {
  if (s.includes("_") && !underscoreOK(s)) return null;
  const t = s.replaceAll("_", "");
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  let f: number;
  if (m) {
    const [, sign, int = "", frac = "", exp = "0"] = m;
    if (int === "" && frac === "") return null;
    const mantissa = BigInt(`0x${int}${frac}` === "0x" ? "0" : `0x${int}${frac}`);
    f = Number(mantissa) * 2 ** (Number(exp) - 4 * frac.length);
    if (sign === "-") f = -f;
  } else {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    f = Number(t);
  }
  return Number.isFinite(f) ? f : null;
}
