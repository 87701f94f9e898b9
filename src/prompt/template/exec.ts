// Tree-walking executor: text, actions, if/with, range with break/continue, {{template}} calls.
// Each execution owns its state, so one parsed template can be executed concurrently.

import { goQuote } from "../../domain/go-format.ts";
import { TemplateError } from "./errors.ts";
import { Evaluator, type Variable } from "./eval.ts";
import { formatValue } from "./fmt.ts";
import type { FuncMap } from "./funcs.ts";
import type { BranchNode, ListNode, Node, TemplateNode } from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import type { ParsedTemplate } from "./parser.ts";
import { hasInterfaceElements, isGoInt, isGoMap, isTrue, mapEntry, sortedKeys } from "./values.ts";

/** Recursion guard for {{template}} calls (Go allows 100000; the JavaScript stack does not). */
const MAX_EXEC_DEPTH = 1000;

class LoopSignal {
  constructor(readonly kind: "break" | "continue") {}
}
const BREAK = new LoopSignal("break");
const CONTINUE = new LoopSignal("continue");

interface Sink {
  text: string;
}

class Executor extends Evaluator {
  constructor(
    tmpl: ParsedTemplate,
    name: string,
    funcs: FuncMap,
    vars: Variable[],
    private readonly sink: Sink,
    private readonly depth: number,
  ) {
    super(tmpl, name, funcs, vars);
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
    const vars: Variable[] = [{ name: "$", value, iface: false }];
    const sub = new Executor(this.tmpl, t.name, this.funcs, vars, this.sink, this.depth + 1);
    sub.node = this.node;
    sub.walk(value, false, root);
  }
}

/** Runs the named tree of a parsed template with the given data as dot and $. */
export function execute(tmpl: ParsedTemplate, data: unknown, funcs: FuncMap, name = tmpl.name): string {
  const sink: Sink = { text: "" };
  const root: ListNode | undefined = tmpl.trees.get(name);
  const state = new Executor(tmpl, name, funcs, [{ name: "$", value: data, iface: false }], sink, 0);
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
