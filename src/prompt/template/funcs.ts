// Built-in template functions (and, or, not, len, index, slice, print*, html, js, urlquery, call
// and the comparisons) plus the signature model the executor uses to convert arguments as Go's
// reflection-based call would.

import { eq, ge, gt, le, lt, ne } from "./compare.ts";
import { argsText, htmlEscape, jsEscape, urlQueryEscape } from "./encode.ts";
import { FuncError } from "./errors.ts";
import { sprint, sprintln } from "./fmt.ts";
import { sprintf } from "./printf.ts";
import {
  isGoInt,
  isGoMap,
  isTrue,
  mapEntry,
  sliceType,
  typeName,
  utf8Bytes,
  utf8Decode,
  utf8Length,
  withGoType,
} from "./values.ts";

/**
 * How an argument is converted before the call:
 * - "value": anything, passed as is (Go reflect.Value); "no value" stays undefined.
 * - "any": anything (Go interface{}); "no value" becomes nil (null).
 * - "string": must be a string.
 */
export type ParamKind = "value" | "any" | "string";

export interface TemplateFunc {
  readonly params: readonly ParamKind[];
  /** Kind of the `...rest` parameter, if the function is variadic. */
  readonly variadic?: ParamKind;
  /** Throws FuncError (or any Error) to fail the execution with `error calling <name>: <message>`. */
  readonly call: (...args: never[]) => unknown;
}

export type FuncMap = Readonly<Record<string, TemplateFunc>>;

function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new FuncError("cannot index slice/array with nil");
  if (!isGoInt(index)) throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  const x = Number(index);
  if (x < 0 || x > cap) throw new FuncError(`index out of range: ${index}`);
  return x;
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let v: unknown = item === null ? undefined : item;
  if (v === undefined) throw new FuncError("index of untyped nil");
  for (const raw of indexes) {
    const ix = raw === null ? undefined : raw;
    if (v === null || v === undefined) throw new FuncError("index of nil pointer");
    if (typeof v === "string") {
      const bytes = utf8Bytes(v);
      const x = indexArg(ix, bytes.length);
      if (x === bytes.length) throw new FuncError("reflect: string index out of range");
      v = bytes[x];
    } else if (Array.isArray(v)) {
      const x = indexArg(ix, v.length);
      if (x === v.length) throw new FuncError("reflect: slice index out of range");
      v = v[x] ?? null;
    } else if (isGoMap(v)) {
      if (ix === undefined) throw new FuncError("value is nil; should be of type string");
      if (typeof ix !== "string") throw new FuncError(`value has type ${typeName(ix)}; should be string`);
      v = mapEntry(v, ix).value ?? null;
    } else {
      throw new FuncError(`can't index item of type ${typeName(v)}`);
    }
  }
  return v;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  const v = item === null ? undefined : item;
  if (v === undefined) throw new FuncError("slice of untyped nil");
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  if (typeof v === "string") {
    if (indexes.length === 3) throw new FuncError("cannot 3-index slice a string");
    cap = utf8Length(v);
  } else if (Array.isArray(v)) {
    cap = v.length;
  } else {
    throw new FuncError(`can't slice item of type ${typeName(v)}`);
  }
  const idx = [0, cap, cap];
  indexes.forEach((ix, i) => {
    idx[i] = indexArg(ix === null ? undefined : ix, cap);
  });
  const [from = 0, to = cap, max = cap] = idx;
  if (from > to) throw new FuncError(`invalid slice index: ${from} > ${to}`);
  if (indexes.length === 3 && to > max) throw new FuncError(`invalid slice index: ${to} > ${max}`);
  if (typeof v === "string") return utf8Decode(utf8Bytes(v).slice(from, to));
  const type = sliceType(v as unknown[]);
  const part = (v as unknown[]).slice(from, to);
  return type === "[]interface {}" ? part : withGoType(part, type);
}

function length(item: unknown): number {
  // Go calls Type() on the zero Value here and reports reflect's panic.
  if (item === undefined) throw new FuncError("reflect: call of reflect.Value.Type on zero Value");
  if (item === null) throw new FuncError("len of nil pointer");
  if (typeof item === "string") return utf8Length(item);
  if (Array.isArray(item)) return item.length;
  if (isGoMap(item)) return Object.keys(item).length;
  throw new FuncError(`len of type ${typeName(item)}`);
}

function call(callee: string, fn: unknown): never {
  if (fn === null || fn === undefined) throw new FuncError("call of nil");
  // Template data never holds functions.
  throw new FuncError(`non-function ${callee} of type ${typeName(fn)}`);
}

function and(...args: unknown[]): unknown {
  return args.find((a) => !isTrue(a)) ?? args[args.length - 1];
}

function or(...args: unknown[]): unknown {
  return args.find((a) => isTrue(a)) ?? args[args.length - 1];
}

const fn = <A extends unknown[]>(
  params: readonly ParamKind[],
  variadic: ParamKind | undefined,
  impl: (...args: A) => unknown,
): TemplateFunc => ({ params, variadic, call: impl as (...args: never[]) => unknown });

/** and, or and call are evaluated specially by the executor; these entries give their signatures. */
export const BUILTINS: FuncMap = {
  and: fn(["value"], "value", and),
  call: fn(["value"], "value", call),
  html: fn([], "any", (...args: unknown[]) => htmlEscape(argsText(args))),
  index: fn(["value"], "value", index),
  slice: fn(["value"], "value", slice),
  js: fn([], "any", (...args: unknown[]) => jsEscape(argsText(args))),
  len: fn(["value"], undefined, length),
  not: fn(["value"], undefined, (a: unknown) => !isTrue(a)),
  or: fn(["value"], "value", or),
  print: fn([], "any", (...args: unknown[]) => sprint(args)),
  printf: fn(["string"], "any", (format: string, ...args: unknown[]) => sprintf(format, args)),
  println: fn([], "any", (...args: unknown[]) => sprintln(args)),
  urlquery: fn([], "any", (...args: unknown[]) => urlQueryEscape(argsText(args))),
  eq: fn(["value"], "value", eq),
  ge: fn(["value", "value"], undefined, ge),
  gt: fn(["value", "value"], undefined, gt),
  le: fn(["value", "value"], undefined, le),
  lt: fn(["value", "value"], undefined, lt),
  ne: fn(["value", "value"], undefined, ne),
};

export const builtinFunc = fn;
