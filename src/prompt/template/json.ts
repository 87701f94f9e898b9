// JSON encoding with Go encoding/json.Marshal's defaults: compact, map keys sorted, `<` `>` `&`
// and U+2028/U+2029 escaped, floats formatted as Go does.

import { FuncError } from "./errors.ts";
import { formatFloat } from "./float-format.ts";
import { floatOf, isGoFloat, isGoInt, isGoMap, sortedKeys } from "./values.ts";

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] ?? "";
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, "0")}`;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += ch + (s[i + 1] ?? "");
        i++;
      } else out += "\\ufffd";
    } else if (c >= 0xdc00 && c <= 0xdfff) out += "\\ufffd";
    else out += ch;
  }
  return `${out}"`;
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new FuncError(`json: unsupported value: ${formatFloat(f, "g", -1)}`);
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // Go writes exponents without a leading zero: 1e-07 becomes 1e-7.
    return formatFloat(f, "e", -1).replace(/e([+-])0(\d)$/, "e$1$2");
  }
  return formatFloat(f, "f", -1);
}

/** encoding/json.Marshal with its defaults: sorted map keys and HTML-safe escaping. */
export function toJSON(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return jsonString(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (isGoInt(v)) return String(v);
  if (isGoFloat(v)) return jsonFloat(floatOf(v));
  if (Array.isArray(v)) return `[${v.map(toJSON).join(",")}]`;
  if (isGoMap(v))
    return `{${sortedKeys(v)
      .map((k) => `${jsonString(k)}:${toJSON(v[k])}`)
      .join(",")}}`;
  return jsonString(String(v));
}
