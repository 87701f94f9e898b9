// Tree-walking executor with Go text/template semantics in strict mode (missingkey=error).
// Each execution owns its state, so one parsed template can be executed concurrently.

import { goQuote } from "../../domain/go-format.ts";
import { TemplateError } from "./errors.ts";
import { formatValue } from "./fmt.ts";
import { BUILTINS, type FuncMap, type ParamKind, type TemplateFunc } from "./funcs.ts";
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import type { ParsedTemplate } from "./parser.ts";
import {
  GoFloat,
  hasInterfaceElements,
  intValue,
  isGoInt,
  isGoMap,
  isTrue,
  MISSING,
  mapEntry,
  sortedKeys,
  typeName,
  utf8Length,
} from "./values.ts";

/** Recursion guard for {{template}} calls (Go allows 100000; the JavaScript stack does not). */
const MAX_EXEC_DEPTH = 1000;

interface Variable {
  name: string;
  value: unknown;
  /** Held as interface{} (from a map or []interface {}), which shows in "can't evaluate field" errors. */
  iface: boolean;
}

class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}
const BREAK = new LoopSignal("break");
const CONTINUE = new LoopSignal("continue");

interface Sink {
  text: string;
}

class State {
  node: Node | null = null;

  constructor(
    private readonly tmpl: ParsedTemplate,
    private readonly name: string,
    private readonly funcs: FuncMap,
    private readonly sink: Sink,
    private vars: Variable[],
    private readonly depth: number,
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

  private setVar(name: string, value: unknown, iface = false): void {
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

  private varValue(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // --- walking ------------------------------------------------------------------------------------

  walk(dot: unknown, dotIface: boolean, node: Node): void {
    this.node = node;
    switch (node.kind) {
      case "action": {
        const value = this.evalPipeline(dot, dotIface, node.pipe);
        if (node.pipe.decl.length === 0) {
          this.node = node;
          this.sink.text += value === undefined ? "<no value>" : formatValue(value);
        }
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      case "if":
      case "with":
        this.walkIfOrWith(dot, dotIface, node);
        return;
      case "list":
        for (const n of node.nodes) this.walk(dot, dotIface, n);
        return;
      case "range":
        this.walkRange(dot, dotIface, node);
        return;
      case "template":
        this.walkTemplate(dot, dotIface, node);
        return;
      case "text":
        this.sink.text += node.text;
        return;
    }
    this.errorf(`unknown node: ${nodeString(node)}`);
  }

  private walkIfOrWith(dot: unknown, dotIface: boolean, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, dotIface, node.pipe);
      if (isTrue(value)) {
        if (node.kind === "with") this.walk(value, false, node.list);
        else this.walk(dot, dotIface, node.list);
      } else if (node.elseList) {
        this.walk(dot, dotIface, node.elseList);
      }
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, dotIface: boolean, r: BranchNode): void {
    this.node = r;
    const outer = this.vars.length;
    try {
      const value = this.evalPipeline(dot, dotIface, r.pipe);
      const mark = this.vars.length;
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown, elemIface: boolean): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) {
            if (decl.length > 1) this.setVar(decl[0]?.ident[0] ?? "", index);
            else this.setVar(decl[0]?.ident[0] ?? "", elem, elemIface);
          } else {
            const top = this.vars[this.vars.length - 1] as Variable;
            top.value = elem;
            top.iface = elemIface;
          }
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]?.ident[0] ?? "", elem, elemIface);
          else {
            const second = this.vars[this.vars.length - 2] as Variable;
            second.value = index;
            second.iface = false;
          }
        }
        try {
          this.walk(elem, elemIface, r.list);
        } catch (err) {
          if (err !== CONTINUE) throw err;
        } finally {
          this.vars.length = mark;
        }
      };
      if (Array.isArray(value)) {
        if (value.length > 0) {
          const iface = hasInterfaceElements(value);
          for (let i = 0; i < value.length; i++)
            oneIteration(i, value[i] === undefined ? null : value[i], iface);
          return;
        }
      } else if (isGoMap(value)) {
        const keys = sortedKeys(value);
        if (keys.length > 0) {
          for (const key of keys) oneIteration(key, mapEntry(value, key).value, true);
          return;
        }
      } else if (isGoInt(value)) {
        if (decl.length > 1)
          this.errorf(`can't use ${formatValue(value)} to iterate over more than one variable`);
        const n = Number(value);
        for (let i = 0; i < n; i++) oneIteration(undefined, i, false);
        if (n > 0) return;
      } else if (value !== undefined && value !== null) {
        this.errorf(`range can't iterate over ${formatValue(value)}`);
      }
      if (r.elseList) this.walk(dot, dotIface, r.elseList);
    } catch (err) {
      if (err !== BREAK) throw err;
    } finally {
      this.vars.length = outer;
    }
  }

  private walkTemplate(dot: unknown, dotIface: boolean, t: TemplateNode): void {
    this.node = t;
    const root = this.tmpl.trees.get(t.name);
    if (!root) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const value = this.evalPipeline(dot, dotIface, t.pipe);
    // No dynamic scoping: the invoked template sees only $ (its dot).
    const sub = new State(this.tmpl, t.name, this.funcs, this.sink, [], this.depth + 1);
    sub.vars.push({ name: "$", value, iface: false });
    sub.node = this.node;
    sub.walk(value, false, root);
  }

  // --- evaluation ---------------------------------------------------------------------------------

  evalPipeline(dot: unknown, dotIface: boolean, pipe: PipeNode | null): unknown {
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

/** Runs the named tree of a parsed template with the given data as dot and $. */
export function execute(tmpl: ParsedTemplate, data: unknown, funcs: FuncMap, name = tmpl.name): string {
  const sink: Sink = { text: "" };
  const root: ListNode | undefined = tmpl.trees.get(name);
  const state = new State(tmpl, name, funcs, sink, [{ name: "$", value: data, iface: false }], 0);
  if (!root)
    throw new TemplateError(
      "exec",
      `template: ${name}: ${goQuote(name)} is an incomplete or empty template`,
      0,
    );
  try {
    state.walk(data, false, root);
  } catch (err) {
    // Unreachable for parsed trees: the parser rejects break/continue outside range.
    if (err instanceof LoopSignal) state.errorf(`{{${err.kind}}} outside {{range}}`);
    throw err;
  }
  return sink.text;
}
