// A flag parser with Go `flag` package semantics (single or double dash, `-x=v`, bools never take
// the next token, Go integer syntax, last repeat wins), plus one deliberate improvement: flags may
// follow positionals (`sortie WORKFLOW.md --port 8080`).

export type FlagKind = "bool" | "string" | "int";

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  aliases?: string[];
}

export type FlagValue = boolean | string | number;

export interface ParsedFlags {
  values: Map<string, FlagValue>;
  /** Canonical names of flags that appeared on the command line (Go `fs.Visit`). */
  given: Set<string>;
  positionals: string[];
  /** Set when `-h`/`-help`/`--help` appeared as a flag: the caller prints help and exits 0. */
  helpRequested: boolean;
}

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlagError";
  }
}

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go `strconv.ParseInt(s, 0, 64)`: decimal, 0x, 0o, 0b, leading-0 octal, `_` between digits. */
export function parseGoInt(text: string): number | "syntax" | "range" {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!m) return "syntax";
  const sign = m[1] === "-" ? -1n : 1n;
  let body = m[2] ?? "";
  const hasPrefix = /^0[xXoObB]/.test(body);
  // Underscores may only separate digits (or follow a base prefix), as in Go's underscoreOK.
  if (body.includes("_")) {
    const digits = hasPrefix ? body.slice(2) : body;
    if (/__|_$/.test(digits) || (!hasPrefix && digits.startsWith("_"))) return "syntax";
    body = body.replaceAll("_", "");
  }
  let value: bigint;
  if (hasPrefix) value = BigInt(body.toLowerCase().replace(/^0o/, "0o"));
  else if (body.length > 1 && body.startsWith("0")) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  value *= sign;
  if (value > 9223372036854775807n || value < -9223372036854775808n) return "range";
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return "range";
  return Number(value);
}

function lookup(specs: FlagSpec[], name: string): FlagSpec | undefined {
  return specs.find((s) => s.name === name || s.aliases?.includes(name));
}

export function parseFlags(args: readonly string[], specs: FlagSpec[]): ParsedFlags {
  const result: ParsedFlags = { values: new Map(), given: new Set(), positionals: [], helpRequested: false };
  for (let i = 0; i < args.length; i++) {
    const token = args[i] ?? "";
    if (token === "--") {
      result.positionals.push(...args.slice(i + 1));
      break;
    }
    if (token === "-" || !token.startsWith("-")) {
      result.positionals.push(token);
      continue;
    }
    const stripped = token.startsWith("--") ? token.slice(2) : token.slice(1);
    if (stripped === "" || stripped.startsWith("-") || stripped.startsWith("=")) {
      throw new FlagError(`bad flag syntax: ${token}`);
    }
    const eq = stripped.indexOf("=");
    const name = eq === -1 ? stripped : stripped.slice(0, eq);
    const inline = eq === -1 ? undefined : stripped.slice(eq + 1);
    const spec = lookup(specs, name);
    if (!spec) {
      if (name === "help" || name === "h") {
        result.helpRequested = true;
        continue;
      }
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
    let value: FlagValue;
    if (spec.kind === "bool") {
      if (inline === undefined) value = true;
      else if (GO_TRUE.has(inline)) value = true;
      else if (GO_FALSE.has(inline)) value = false;
      else throw new FlagError(`invalid boolean value ${JSON.stringify(inline)} for -${name}: parse error`);
    } else {
      let raw = inline;
      if (raw === undefined) {
        if (i + 1 >= args.length) throw new FlagError(`flag needs an argument: -${name}`);
        i++;
        raw = args[i] ?? "";
      }
      if (spec.kind === "int") {
        const n = parseGoInt(raw);
        if (n === "syntax")
          throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag -${name}: parse error`);
        if (n === "range")
          throw new FlagError(`invalid value ${JSON.stringify(raw)} for flag -${name}: value out of range`);
        value = n;
      } else {
        value = raw;
      }
    }
    result.values.set(spec.name, value);
    result.given.add(spec.name);
  }
  return result;
}
