// Text encoders behind the html, js and urlquery functions, matching Go's
// template.HTMLEscapeString, template.JSEscapeString and url.QueryEscape.

import { isPrintable } from "../../domain/go-format.ts";
import { sprint } from "./fmt.ts";
import { utf8Bytes } from "./values.ts";

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
