// Number constants as Go's parse.NumberNode sees them: the value under every Go type that can hold
// it (int64, uint64, float64), decided by strconv's rules.

import { goQuote } from "../../domain/go-format.ts";
import { type Item, T } from "./items.ts";
import { LiteralError, parseGoFloat, parseGoInt, parseGoUint, unquoteCharConstant } from "./literals.ts";
import type { NumberNode } from "./nodes.ts";

/** Throws LiteralError for malformed numbers; complex constants are not supported. */
export function newNumber(token: Item): NumberNode {
  const text = token.val;
  const n: NumberNode = {
    kind: "number",
    pos: token.pos,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    int: 0n,
    uint: 0n,
    float: 0,
  };
  if (token.type === T.CharConstant) {
    const r = unquoteCharConstant(text);
    return { ...n, isInt: true, isUint: true, isFloat: true, int: BigInt(r), uint: BigInt(r), float: r };
  }
  if (token.type === T.Complex || text.endsWith("i")) {
    throw new LiteralError(`complex number constants are not supported: ${goQuote(text)}`);
  }
  const u = parseGoUint(text);
  if (u !== null) {
    n.isUint = true;
    n.uint = u;
  }
  const i = parseGoInt(text);
  if (i !== null) {
    n.isInt = true;
    n.int = i;
    if (i === 0n) {
      n.isUint = true;
      n.uint = u ?? 0n;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float = Number(n.uint);
  } else {
    const f = parseGoFloat(text);
    if (f !== null) {
      // Parsed as a float but looks like an integer: an integer too large for int64.
      if (!/[.eEpP]/.test(text)) throw new LiteralError(`integer overflow: ${goQuote(text)}`);
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
        n.uint = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) throw new LiteralError(`illegal number syntax: ${goQuote(text)}`);
  return n;
}
