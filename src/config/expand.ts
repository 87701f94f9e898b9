// `$VAR` and `~` expansion with the Go original's exact rules (os.ExpandEnv, os.UserHomeDir,
// filepath.Join), so a WORKFLOW.md resolves to the same values in both implementations.
import { posix } from "node:path";
import { goTrimSpace } from "./go-scalar.ts";

export type Env = Readonly<Record<string, string | undefined>>;

const SPECIAL = "*#$@!?-0123456789";

function isAlphaNum(c: string): boolean {
  return c === "_" || (c >= "0" && c <= "9") || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

/** Go getShellName: the variable name after a `$` and how many characters it spans. */
function shellName(s: string): [name: string, width: number] {
  if (s[0] === "{") {
    if (s.length > 2 && SPECIAL.includes(s[1] ?? "") && s[2] === "}") return [s.slice(1, 2), 3];
    for (let i = 1; i < s.length; i++) {
      if (s[i] === "}") return i === 1 ? ["", 2] : [s.slice(1, i), i + 1];
    }
    return ["", 1];
  }
  if (SPECIAL.includes(s[0] ?? "")) return [s.slice(0, 1), 1];
  let i = 0;
  while (i < s.length && isAlphaNum(s[i] ?? "")) i++;
  return [s.slice(0, i), i];
}

/**
 * Go os.Expand: `$NAME`, `${NAME}` and the one-character special names are replaced by lookup(name);
 * `${}` and an unterminated `${` are eaten; a `$` not followed by a name stays. No defaults, no escapes.
 */
export function expandVars(s: string, lookup: (name: string) => string): string {
  let out = "";
  let start = 0;
  let changed = false;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== "$" || j + 1 >= s.length) continue;
    changed = true;
    out += s.slice(start, j);
    const [name, width] = shellName(s.slice(j + 1));
    if (name === "" && width > 0) {
      // Invalid syntax: the characters are dropped.
    } else if (name === "") {
      out += "$";
    } else {
      out += lookup(name);
    }
    j += width;
    start = j + 1;
  }
  return changed ? out + s.slice(start) : s;
}

/** Go os.ExpandEnv against the given environment (unset reads as ""). */
export function expandEnv(s: string, env: Env): string {
  return expandVars(s, (name) => env[name] ?? "");
}

/** Whole-value mode: a value whose trimmed text starts with `$` is expanded (trimmed); others stay as written. */
export function expandWholeValue(s: string, env: Env): string {
  const trimmed = goTrimSpace(s);
  return trimmed.startsWith("$") ? expandEnv(trimmed, env) : s;
}

export type TildeResult = { ok: true; value: string } | { ok: false; error: string };

/** `~` or `~/…` → the home directory joined with the rest (cleaned); `~user` is left alone. */
export function expandTilde(p: string, homeDir: string | undefined): TildeResult {
  if (p !== "~" && !p.startsWith("~/")) return { ok: true, value: p };
  if (homeDir === undefined || homeDir === "") {
    return { ok: false, error: "cannot expand ~: $HOME is not defined" };
  }
  return { ok: true, value: cleanPath(posix.join(homeDir, p.slice(1))) };
}

/** Go filepath.Clean for slash paths: collapses `//`, `.` and `..` and drops a trailing slash. */
export function cleanPath(p: string): string {
  const normalized = posix.normalize(p);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** Path mode: `~` expansion, then full `$VAR` expansion unless the value came from an override. */
export function expandPath(
  p: string,
  env: Env,
  homeDir: string | undefined,
  expandVariables: boolean,
): TildeResult {
  if (p === "") return { ok: true, value: "" };
  const tilde = expandTilde(p, homeDir);
  if (!tilde.ok || !expandVariables) return tilde;
  return { ok: true, value: expandEnv(tilde.value, env) };
}
