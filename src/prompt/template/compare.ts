// The comparison builtins eq, ne, lt, le, gt, ge with Go's rules: basic kinds only, no mixing
// of int and float, and a nil operand that is unequal to everything but nil.

import { FuncError } from "./errors.ts";
import { formatVerb } from "./fmt.ts";
import { compareStrings, floatOf, isGoFloat, isGoInt, toBigInt, typeName } from "./values.ts";

type Kind = "invalid" | "bool" | "int" | "float" | "string";

function basicKind(v: unknown): Kind {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  if (isGoInt(v)) return "int";
  if (isGoFloat(v)) return "float";
  return "invalid";
}

/** Go folds a nil interface into "no value" before comparing. */
function indirect(v: unknown): unknown {
  return v === null ? undefined : v;
}

function incompatible(a: unknown, b: unknown): FuncError {
  return new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
}

function basicEqual(kind: Kind, a: unknown, b: unknown): boolean {
  switch (kind) {
    case "int":
      return toBigInt(a as number | bigint) === toBigInt(b as number | bigint);
    case "float":
      return floatOf(a as number) === floatOf(b as number);
    default:
      return a === b;
  }
}

/** eq a b c… reports a == b || a == c || … */
export function eq(arg1: unknown, ...rest: unknown[]): boolean {
  const a = indirect(arg1);
  if (rest.length === 0) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(a);
  for (const arg of rest) {
    const b = indirect(arg);
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (a !== undefined && b !== undefined) throw incompatible(a, b);
    } else if (k1 !== "invalid") {
      truth = basicEqual(k1, a, b);
    } else {
      // Lists and maps: only comparison against nil is possible.
      const aNil = a === undefined;
      const bNil = b === undefined;
      if (!aNil && !bNil && Array.isArray(a) !== Array.isArray(b)) {
        throw new FuncError(
          `non-comparable types ${formatVerb(a, "s")}: ${typeName(a)}, ${typeName(b)}: ${formatVerb(b, "v")}`,
        );
      }
      if (aNil || bNil) truth = aNil === bNil;
      else throw new FuncError(`non-comparable type ${formatVerb(b, "s")}: ${typeName(b)}`);
    }
    if (truth) return true;
  }
  return false;
}

export function ne(a: unknown, b: unknown): boolean {
  return !eq(a, b);
}

export function lt(arg1: unknown, arg2: unknown): boolean {
  const a = indirect(arg1);
  const b = indirect(arg2);
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k2 === "invalid") throw new FuncError("invalid type for comparison");
  if (k1 !== k2) throw incompatible(a, b);
  switch (k1) {
    case "bool":
      throw new FuncError("invalid type for comparison");
    case "int":
      return toBigInt(a as number | bigint) < toBigInt(b as number | bigint);
    case "float":
      return floatOf(a as number) < floatOf(b as number);
    default:
      return compareStrings(a as string, b as string) < 0;
  }
}

export function le(a: unknown, b: unknown): boolean {
  return lt(a, b) || eq(a, b);
}

export function gt(a: unknown, b: unknown): boolean {
  return !le(a, b);
}

export function ge(a: unknown, b: unknown): boolean {
  return !lt(a, b);
}
