// Text encoders behind the html, js, urlquery and toJSON functions, matching Go's
// template.HTMLEscapeString, template.JSEscapeString, url.QueryEscape and encoding/json.Marshal.

import { isPrintable } from "../../domain/go-format.ts";
import { FuncError } from "./errors.ts";
import { formatFloat } from "./float-format.ts";
import { sprint } from "./fmt.ts";
import { floatOf, isGoFloat, isGoInt, isGoMap, sortedKeys, utf8Bytes } from "./values.ts";

/** Go's evalArgs: one string passes through; otherwise fmt.Sprint with nil shown as `<no value>`. */
export function argsText(args: readonly unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)));
}

const HTML_ESCAPES: Record<string, string> = {
  "\0": "\ufffd",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => HTML_ESCAPES[c] ?? c);
}

const JS_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  '"': '\\"',
  "<": "\\u003C",
  ">": "\\u003E",
  "&": "\\u0026",
  "=": "\\u003D",
};

export function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const special = JS_ESCAPES[ch];
    if (special !== undefined) out += special;
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (cp < 0x80 || isPrintable(cp)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
}

export function urlQueryEscape(s: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

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
