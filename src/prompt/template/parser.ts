// Recursive-descent parser producing Go-compatible parse trees. The token look-ahead buffer works
// like Go's (three tokens, same backup rules) so that parse errors report the same line.

import { goQuote } from "../../domain/go-format.ts";
import { TemplateError } from "./errors.ts";
import { type Item, type ItemType, itemString, lex, T } from "./lexer.ts";
import {
  LiteralError,
  parseGoFloat,
  parseGoInt,
  parseGoUint,
  unquoteCharConstant,
  unquoteString,
} from "./literals.ts";
import type {
  BranchNode,
  CommandNode,
  ElseNode,
  EndNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from "./nodes.ts";
import { nodeString } from "./nodes.ts";

/** A parsed template set: the named trees (the main one plus every define/block) over one text. */
export interface ParsedTemplate {
  readonly name: string;
  readonly text: string;
  readonly trees: ReadonlyMap<string, ListNode>;
}

const MAX_PAREN_DEPTH = 1000;

class Parser {
  private token: Item[] = [];
  private peekCount = 0;
  private cursor = 0;
  vars: string[] = ["$"];
  private actionLine = 0;
  private rangeDepth = 0;
  private parenDepth = 0;

  constructor(
    private readonly items: Item[],
    private readonly parseName: string,
    private readonly hasFunction: (name: string) => boolean,
    private readonly trees: Map<string, ListNode>,
  ) {}

  // --- token buffer -------------------------------------------------------------------------------

  private lexNext(): Item {
    const item = this.items[Math.min(this.cursor, this.items.length - 1)] as Item;
    this.cursor++;
    return item;
  }

  next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lexNext();
    return this.token[this.peekCount] as Item;
  }

  backup(): void {
    this.peekCount++;
  }

  backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lexNext();
    return this.token[0];
  }

  nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === T.Space);
    return token;
  }

  peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // --- errors -------------------------------------------------------------------------------------

  errorf(message: string): never {
    const line = this.token[0]?.line ?? 1;
    throw new TemplateError("parse", `template: ${this.parseName}:${line}: ${message}`, line);
  }

  expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  unexpected(token: Item, context: string): never {
    if (token.type === T.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  private literal<V>(decode: () => V): V {
    try {
      return decode();
    } catch (err) {
      if (err instanceof LiteralError) this.errorf(err.message);
      throw err;
    }
  }

  // --- structure ----------------------------------------------------------------------------------

  /** The top level: like itemList, but also accepts {{define}} and runs to EOF. */
  parseRoot(): ListNode {
    const root: ListNode = { kind: "list", pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== T.EOF) {
      if (this.peek().type === T.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().type === T.Define) {
          this.forkParser().parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    return root;
  }

  /** A parser for a nested definition sharing this token stream, with its own variable scope. */
  private forkParser(): Parser {
    const sub = new Parser(this.items, this.parseName, this.hasFunction, this.trees);
    sub.token = [...this.token];
    sub.peekCount = this.peekCount;
    sub.cursor = this.cursor;
    sub.sync = this;
    return sub;
  }

  /** The parser whose stream position must follow this one's when it finishes. */
  private sync: Parser | null = null;

  private finish(): void {
    if (this.sync) {
      this.sync.token = [...this.token];
      this.sync.peekCount = this.peekCount;
      this.sync.cursor = this.cursor;
    }
  }

  private parseDefinition(): void {
    const context = "define clause";
    const token = this.nextNonSpace();
    if (token.type !== T.String && token.type !== T.RawString) this.unexpected(token, context);
    const name = this.literal(() => unquoteString(token.val));
    this.expect(T.RightDelim, context);
    const [list, end] = this.itemList();
    if (end.kind !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, list);
    this.finish();
  }

  /** Records a named tree; a second non-empty definition of the same name is an error. */
  add(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.trees.set(name, root);
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${goQuote(name)}`);
  }

  /** textOrAction* up to {{end}} or {{else}}, which is returned separately. */
  itemList(): [ListNode, ElseNode | EndNode] {
    const list: ListNode = { kind: "list", pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== T.EOF) {
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") return [list, n];
      list.nodes.push(n);
    }
    this.errorf("unexpected EOF");
  }

  textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case T.Text:
        return { kind: "text", pos: token.pos, text: token.val };
      case T.LeftDelim:
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
    }
    this.unexpected(token, "input");
  }

  action(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case T.Block:
        return this.blockControl();
      case T.Break:
        return this.loopControl("break", token);
      case T.Continue:
        return this.loopControl("continue", token);
      case T.Else:
        return this.elseControl();
      case T.End:
        return { kind: "end", pos: this.expect(T.RightDelim, "end").pos };
      case T.If:
        return this.branch("if");
      case T.Range:
        return this.branch("range");
      case T.Template:
        return this.templateControl();
      case T.With:
        return this.branch("with");
    }
    this.backup();
    const first = this.peek();
    // Variables declared here persist until the enclosing {{end}}.
    return { kind: "action", pos: first.pos, line: first.line, pipe: this.pipeline("command", T.RightDelim) };
  }

  private loopControl(kind: "break" | "continue", keyword: Item): Node {
    const token = this.nextNonSpace();
    if (token.type !== T.RightDelim) this.unexpected(token, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { kind, pos: keyword.pos, line: keyword.line };
  }

  private elseControl(): ElseNode {
    const peek = this.peekNonSpace();
    // "{{else if ..." and "{{else with ..." leave the keyword pending for the enclosing branch.
    if (peek.type === T.If || peek.type === T.With) return { kind: "else", pos: peek.pos, line: peek.line };
    const token = this.expect(T.RightDelim, "else");
    return { kind: "else", pos: token.pos, line: token.line };
  }

  private branch(kind: "if" | "range" | "with"): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(kind, T.RightDelim);
      if (kind === "range") this.rangeDepth++;
      let [list, next] = this.itemList();
      if (kind === "range") this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.kind === "else") {
        if (
          (kind === "if" && this.peek().type === T.If) ||
          (kind === "with" && this.peek().type === T.With)
        ) {
          // {{else if b}} is parsed as {{else}}{{if b}}...{{end}}{{end}} with the inner {{end}} shared.
          this.next();
          elseList = { kind: "list", pos: next.pos, nodes: [this.branch(kind)] };
        } else {
          [elseList, next] = this.itemList();
          if (next.kind !== "end") this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { kind, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private blockControl(): TemplateNode {
    const context = "block clause";
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const block = this.forkParser();
    const [list, end] = block.itemList();
    if (end.kind !== "end") this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    block.add(name, list);
    block.finish();
    return { kind: "template", pos: token.pos, line: token.line, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = "template clause";
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { kind: "template", pos: token.pos, line: token.line, name, pipe };
  }

  private templateName(token: Item, context: string): string {
    if (token.type !== T.String && token.type !== T.RawString) this.unexpected(token, context);
    return this.literal(() => unquoteString(token.val));
  }

  // --- pipelines ----------------------------------------------------------------------------------

  pipeline(context: string, end: ItemType): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = {
      kind: "pipe",
      pos: start.pos,
      line: start.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    this.declarations(pipe, context);
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.type) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  /** `$x :=`, `$x =`, and `$i, $v :=` (range only) at the start of a pipeline. */
  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== T.Variable) return;
      this.next();
      // "$x foo" needs three tokens of look-ahead to tell an argument from a declaration.
      const afterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === T.Assign || next.type === T.Declare) {
        pipe.isAssign = next.type === T.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.pos, v.val));
        this.vars.push(v.val);
        return;
      }
      if (next.type === T.Char && next.val === ",") {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.pos, v.val));
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const t = this.peekNonSpace().type;
          if (t === T.Variable || t === T.RightDelim || t === T.RightParen) continue;
          this.errorf("range can only initialize variables");
        }
        this.errorf(`too many declarations in ${context}`);
      }
      if (afterVariable.type === T.Space) this.backup3(v, afterVariable);
      else this.backup2(v);
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const first = pipe.cmds[i]?.args[0];
      switch (first?.kind) {
        case "bool":
        case "dot":
        case "nil":
        case "number":
        case "string":
          this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: "command", pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === T.Space) continue;
      if (token.type === T.RightDelim || token.type === T.RightParen) this.backup();
      else if (token.type !== T.Pipe) this.unexpected(token, "operand");
      break;
    }
    if (cmd.args.length === 0) this.errorf("empty command");
    return cmd;
  }

  /** A term followed by optional `.field` accesses. */
  private operand(): Node | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type !== T.Field) return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === T.Field) fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case "field":
        return { kind: "field", pos: chainPos, start: node.start, ident: [...node.ident, ...fields] };
      case "variable":
        return this.newVariable(chainPos, node.start, [...node.ident, ...fields].join("."));
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
    }
    return { kind: "chain", pos: chainPos, node, fields };
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.type) {
      case T.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${goQuote(token.val)} not defined`);
        return { kind: "identifier", pos: token.pos, ident: token.val };
      case T.Dot:
        return { kind: "dot", pos: token.pos };
      case T.Nil:
        return { kind: "nil", pos: token.pos };
      case T.Variable:
        return this.useVar(token);
      case T.Field:
        return { kind: "field", pos: token.pos, start: token.pos, ident: token.val.slice(1).split(".") };
      case T.Bool:
        return { kind: "bool", pos: token.pos, value: token.val === "true" };
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.literal(() => newNumber(token));
      case T.LeftParen: {
        if (this.parenDepth >= MAX_PAREN_DEPTH) this.errorf("max expression depth exceeded");
        this.parenDepth++;
        try {
          return this.pipeline("parenthesized pipeline", T.RightParen);
        } finally {
          this.parenDepth--;
        }
      }
      case T.String:
      case T.RawString:
        return {
          kind: "string",
          pos: token.pos,
          quoted: token.val,
          text: this.literal(() => unquoteString(token.val)),
        };
    }
    this.backup();
    return null;
  }

  private newVariable(pos: number, start: number, name: string): VariableNode {
    return { kind: "variable", pos, start, ident: name.split(".") };
  }

  private useVar(token: Item): VariableNode {
    const v = this.newVariable(token.pos, token.pos, token.val);
    if (!this.vars.includes(v.ident[0] ?? "")) this.errorf(`undefined variable ${goQuote(v.ident[0] ?? "")}`);
    return v;
  }
}

function newNumber(token: Item): NumberNode {
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

/** A tree that holds nothing but whitespace text (comments are dropped by the lexer). */
function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.kind === "text" && n.text.trim() === "");
}

export interface ParseOptions {
  /** Template name used in messages (`template: <name>:<line>: ...`). */
  name: string;
  hasFunction(name: string): boolean;
}

/** Parses a template text into its named trees; throws TemplateError("parse") on bad syntax. */
export function parseTemplateText(text: string, options: ParseOptions): ParsedTemplate {
  const trees = new Map<string, ListNode>();
  const parser = new Parser(lex(text), options.name, options.hasFunction, trees);
  parser.add(options.name, parser.parseRoot());
  return { name: options.name, text, trees };
}
