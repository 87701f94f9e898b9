// Go's `%T` and `%v` renderings of YAML/JSON values. WORKFLOW.md users move between sortie and the Go
// original, so config error messages and template output must print values exactly as Go does.

/** Go `%T` of a decoded YAML/JSON value (`string`, `int`, `float64`, `bool`, `<nil>`, `[]interface {}`, ...). */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "bigint") return "int";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float64";
  if (Array.isArray(value)) return "[]interface {}";
  if (value instanceof Map || typeof value === "object") return "map[string]interface {}";
  return typeof value;
}

/** Go `strconv.FormatFloat(f, 'g', -1, 64)`, which is what `%v` prints for a float64. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Number.POSITIVE_INFINITY) return "+Inf";
  if (f === Number.NEGATIVE_INFINITY) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  // Shortest round-trip digits, then Go's %g layout: with the shortest precision Go switches to the
  // exponent form when exp < -4 || exp >= 6 (so 1e6 prints as 1e+06, 123456.5 as 123456.5).
  const [mantissa = "", expPart = "0"] = Math.abs(f).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expPart);
  const sign = f < 0 ? "-" : "";
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Go `%v` of a decoded value: strings raw, integers decimal, floats via goFloat, null → `<nil>`,
 * sequences `[a b]`, mappings `map[k1:v1 k2:v2]` with sorted keys (recursively).
 */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? integerText(value) : goFloat(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`;
  if (value instanceof Map) {
    const keys = [...value.keys()].map(String).sort();
    return `map[${keys.map((k) => `${k}:${goValue(value.get(k))}`).join(" ")}]`;
  }
  if (isPlainMap(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${goValue(value[k])}`).join(" ")}]`;
  }
  return String(value);
}

function integerText(n: number): string {
  // Integral JS numbers beyond 2^53 print in exponent form with toString(); Go prints digits.
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/** Go `%q` of a string: double-quoted with Go escapes (`\"`, `\\`, `\n`, `\t`, `\x..`, `\u....`). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp === 0xfffd && ch !== "\ufffd") out += "\\ufffd";
    else if (!isPrintable(cp))
      out +=
        cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Approximates Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space. */
export function isPrintable(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return false;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
}
