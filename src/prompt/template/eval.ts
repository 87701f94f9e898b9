// Expression evaluation with Go text/template semantics in strict mode (missingkey=error):
// pipelines, commands, field chains, variables, function calls with Go's argument conversion.

import { goQuote } from "../../domain/go-format.ts";
import { TemplateError } from "./errors.ts";
import { BUILTINS, type FuncMap, type ParamKind, type TemplateFunc } from "./funcs.ts";
import type {
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  Node,
  NumberNode,
  PipeNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import type { ParsedTemplate } from "./parser.ts";
import { GoFloat, intValue, isGoMap, isTrue, MISSING, mapEntry, typeName, utf8Length } from "./values.ts";

export interface Variable {
  name: string;
  value: unknown;
  /** Held as interface{} (from a map or []interface {}), which shows in "can't evaluate field" errors. */
  iface: boolean;
}

export class Evaluator {
  node: Node | null = null;

  constructor(
    protected readonly tmpl: ParsedTemplate,
    /** Name of the template being executed (a {{define}} name inside {{template}} calls). */
    protected readonly name: string,
    protected readonly funcs: FuncMap,
    protected readonly vars: Variable[],
  ) {}

  errorf(message: string): never {
    const node = this.node;
    if (!node) throw new TemplateError("exec", `template: ${this.name}: ${message}`, 0);
    const before = this.tmpl.text.slice(0, node.pos);
    const nl = before.lastIndexOf("\n");
    const line = before.split("\n").length;
    const col = utf8Length(nl === -1 ? before : before.slice(nl + 1));
    throw new TemplateError(
      "exec",
      `template: ${this.tmpl.name}:${line}:${col}: executing ${goQuote(this.name)} at <${nodeString(node)}>: ${message}`,
      line,
    );
  }

  // --- variables ----------------------------------------------------------------------------------

  protected setVar(name: string, value: unknown, iface = false): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        v.iface = iface;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  protected varValue(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // --- evaluation ---------------------------------------------------------------------------------

  protected evalPipeline(dot: unknown, dotIface: boolean, pipe: PipeNode | null): unknown {
    if (!pipe) return undefined;
    this.node = pipe;
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, dotIface, cmd, value);
      // An interface{} result is unwrapped; a nil one becomes "no value".
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      const name = v.ident[0] ?? "";
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value, iface: false });
    }
    return value;
  }

  private notAFunction(args: readonly Node[] | null, final: unknown): void {
    if ((args && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args?.[0] as Node)}`);
    }
  }

  private evalCommand(dot: unknown, dotIface: boolean, cmd: CommandNode, final: unknown): unknown {
    const first = cmd.args[0] as Node;
    switch (first.kind) {
      case "field":
        return this.evalFieldNode(dot, dotIface, first, cmd.args, final);
      case "chain":
        return this.evalChainNode(dot, dotIface, first, cmd.args, final);
      case "identifier":
        return this.evalFunction(dot, dotIface, first, cmd, cmd.args, final);
      case "pipe":
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, dotIface, first);
      case "variable":
        return this.evalVariableNode(first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        this.errorf("nil is not a command");
        break;
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
    this.errorf(`can't evaluate command ${goQuote(nodeString(first))}`);
  }

  private idealConstant(n: NumberNode): unknown {
    this.node = n;
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && !n.text.startsWith("'") && /[.eEpP]/.test(n.text))
      return new GoFloat(n.float);
    if (n.isInt) return intValue(n.int);
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(
    dot: unknown,
    dotIface: boolean,
    field: FieldNode,
    args: readonly Node[],
    final: unknown,
  ) {
    this.node = field;
    return this.evalFieldChain(dot, dotIface, field.ident, args, final);
  }

  private evalChainNode(
    dot: unknown,
    dotIface: boolean,
    chain: ChainNode,
    args: readonly Node[] | null,
    final: unknown,
  ) {
    this.node = chain;
    if (chain.node.kind === "nil") this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, dotIface, null, chain.node);
    return this.evalFieldChain(receiver, false, chain.fields, args, final);
  }

  private evalVariableNode(variable: VariableNode, args: readonly Node[] | null, final: unknown): unknown {
    this.node = variable;
    const v = this.varValue(variable.ident[0] ?? "");
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return v.value;
    }
    return this.evalFieldChain(v.value, v.iface, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    receiver: unknown,
    receiverIface: boolean,
    ident: readonly string[],
    args: readonly Node[] | null,
    final: unknown,
  ): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = this.evalField(ident[i] ?? "", null, MISSING, receiver, receiverIface);
      receiverIface = true;
    }
    return this.evalField(ident[n - 1] ?? "", args, final, receiver, receiverIface);
  }

  private evalField(
    fieldName: string,
    args: readonly Node[] | null,
    final: unknown,
    receiver: unknown,
    receiverIface: boolean,
  ): unknown {
    if (receiver === undefined) this.errorf(`nil data; no entry for key ${goQuote(fieldName)}`);
    const type = receiverIface ? "interface {}" : typeName(receiver);
    if (receiver === null) this.errorf(`nil pointer evaluating ${type}.${fieldName}`);
    if (isGoMap(receiver)) {
      if ((args && args.length > 1) || final !== MISSING)
        this.errorf(`${fieldName} is not a method but has arguments`);
      const entry = mapEntry(receiver, fieldName);
      if (!entry.found) this.errorf(`map has no entry for key ${goQuote(fieldName)}`);
      return entry.value;
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${type}`);
  }

  private evalFunction(
    dot: unknown,
    dotIface: boolean,
    node: IdentifierNode,
    cmd: Node,
    args: readonly Node[] | null,
    final: unknown,
  ): unknown {
    this.node = node;
    const name = node.ident;
    const fn = this.funcs[name];
    if (!fn) this.errorf(`${goQuote(name)} is not a defined function`);
    return this.evalCall(dot, dotIface, fn, cmd, name, args, final);
  }

  private evalCall(
    dot: unknown,
    dotIface: boolean,
    fn: TemplateFunc,
    node: Node,
    name: string,
    allArgs: readonly Node[] | null,
    final: unknown,
  ): unknown {
    const args = allArgs ? allArgs.slice(1) : [];
    const hasFinal = final !== MISSING;
    const numIn = args.length + (hasFinal ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic) {
      numFixed = fn.params.length;
      if (numIn < numFixed)
        this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }
    const builtin = BUILTINS[name] === fn;
    if (builtin && (name === "and" || name === "or")) {
      // Short-circuit: return the first argument that decides the result, unevaluated rest.
      let v: unknown;
      for (const arg of args) {
        v = this.evalArg(dot, dotIface, "value", arg);
        if (isTrue(v) === (name === "or")) return v;
      }
      if (hasFinal) v = this.validate(final, "value");
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) {
      argv.push(this.evalArg(dot, dotIface, fn.params[i] ?? "any", args[i] as Node));
    }
    if (fn.variadic)
      for (; i < args.length; i++) argv.push(this.evalArg(dot, dotIface, fn.variadic, args[i] as Node));
    if (hasFinal) {
      let kind: ParamKind = fn.params[fn.params.length - 1] ?? "any";
      if (fn.variadic) kind = numIn - 1 < numFixed ? (fn.params[numIn - 1] ?? "any") : fn.variadic;
      argv.push(this.validate(final, kind));
    }
    if (builtin && name === "call") argv.unshift(nodeString(args[0] as Node));
    try {
      return (fn.call as (...a: unknown[]) => unknown)(...argv);
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      this.node = node;
      this.errorf(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Go's validateType: converts an evaluated value to what a parameter of the given kind accepts. */
  private validate(value: unknown, kind: ParamKind | null): unknown {
    switch (kind) {
      case "any":
        return value === undefined ? null : value;
      case "string":
        if (value === undefined) this.errorf("invalid value; expected string");
        if (typeof value !== "string") {
          this.errorf(
            `wrong type for value; expected string; got ${value === null ? "interface {}" : typeName(value)}`,
          );
        }
        return value;
      default:
        return value;
    }
  }

  /** Evaluates one argument for a parameter of the given kind (null: a chain's receiver). */
  private evalArg(dot: unknown, dotIface: boolean, kind: ParamKind | null, n: Node): unknown {
    this.node = n;
    switch (n.kind) {
      case "dot":
        return this.validate(dot, kind);
      case "nil":
        if (kind === "string") this.errorf("cannot assign nil to string");
        return kind === "any" ? null : undefined;
      case "field":
        return this.validate(this.evalFieldNode(dot, dotIface, n, [n], MISSING), kind);
      case "variable":
        return this.validate(this.evalVariableNode(n, null, MISSING), kind);
      case "pipe":
        return this.validate(this.evalPipeline(dot, dotIface, n), kind);
      case "identifier":
        return this.validate(this.evalFunction(dot, dotIface, n, n, null, MISSING), kind);
      case "chain":
        return this.validate(this.evalChainNode(dot, dotIface, n, null, MISSING), kind);
    }
    if (kind === "string") {
      if (n.kind === "string") return n.text;
      this.errorf(`expected string; found ${nodeString(n)}`);
    }
    switch (n.kind) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}
