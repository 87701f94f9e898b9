// Go-compatible scalar parsing: how the Go original's YAML decoder types a plain scalar, and the
// strconv integer parsers its config layer uses. WORKFLOW.md files move between both
// implementations, so `0777`, `1_000`, `yes` and `1e3` must mean the same thing in each.

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);
const INFINITIES = new Map<string, number>([
  [".inf", Number.POSITIVE_INFINITY],
  [".Inf", Number.POSITIVE_INFINITY],
  [".INF", Number.POSITIVE_INFINITY],
  ["+.inf", Number.POSITIVE_INFINITY],
  ["+.Inf", Number.POSITIVE_INFINITY],
  ["+.INF", Number.POSITIVE_INFINITY],
  ["-.inf", Number.NEGATIVE_INFINITY],
  ["-.Inf", Number.NEGATIVE_INFINITY],
  ["-.INF", Number.NEGATIVE_INFINITY],
  [".nan", Number.NaN],
  [".NaN", Number.NaN],
  [".NAN", Number.NaN],
]);

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** The typed value of a plain (unquoted, untagged) YAML scalar, as the Go original decodes it. */
export function resolvePlainScalar(text: string): null | boolean | number | string {
  if (NULLS.has(text)) return null;
  if (TRUES.has(text)) return true;
  if (FALSES.has(text)) return false;
  const special = INFINITIES.get(text);
  if (special !== undefined) return special;
  const first = text[0] ?? "";
  if (!"+-.0123456789".includes(first)) return text;
  // Go removes every underscore before trying the number parsers.
  const plain = text.replaceAll("_", "");
  const asInt = parseGoInt(plain, { allowUnsigned: true });
  if (asInt !== undefined) return asInt;
  if (YAML_FLOAT.test(plain)) return Number.parseFloat(plain);
  return text;
}

/**
 * Go `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes, a leading `0`
 * for octal, else decimal. Returns undefined for invalid syntax or out-of-range values.
 * With allowUnsigned, positive values up to 2^64-1 are accepted (Go's ParseUint fallback).
 */
export function parseGoInt(s: string, options: { allowUnsigned?: boolean } = {}): number | undefined {
  let rest = s;
  let negative = false;
  if (rest.startsWith("+") || rest.startsWith("-")) {
    negative = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "") return undefined;
  let digits: string;
  let radix: number;
  let pattern: RegExp;
  const prefix = rest.slice(0, 2).toLowerCase();
  if (prefix === "0x") {
    [digits, radix, pattern] = [rest.slice(2), 16, /^[0-9a-fA-F]+$/];
  } else if (prefix === "0o") {
    [digits, radix, pattern] = [rest.slice(2), 8, /^[0-7]+$/];
  } else if (prefix === "0b") {
    [digits, radix, pattern] = [rest.slice(2), 2, /^[01]+$/];
  } else if (rest.length > 1 && rest.startsWith("0")) {
    [digits, radix, pattern] = [rest.slice(1), 8, /^[0-7]+$/];
  } else {
    [digits, radix, pattern] = [rest, 10, /^[0-9]+$/];
  }
  if (!pattern.test(digits)) return undefined;
  const prefixText = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
  let value = BigInt(prefixText + digits);
  if (negative) value = -value;
  const max = options.allowUnsigned && !negative ? UINT64_MAX : INT64_MAX;
  if (value < INT64_MIN || value > max) return undefined;
  return Number(value);
}

/** Go `strconv.Atoi`: optional sign and decimal digits only, int64 range; undefined otherwise. */
export function parseGoAtoi(s: string): number | undefined {
  if (!/^[-+]?[0-9]+$/.test(s)) return undefined;
  const value = BigInt(s);
  if (value < INT64_MIN || value > INT64_MAX) return undefined;
  return Number(value);
}

const GO_SPACE = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const GO_TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, "gu");

/** Go `strings.TrimSpace`: Unicode white space incl. U+0085, but not U+FEFF (which String.trim removes). */
export function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, "");
}
