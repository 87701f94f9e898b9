// Parsing of pipelines: declarations, commands, operands and terms (literals, fields, variables,
// function names, parenthesized pipelines), with Go's checks for undefined names.

import { goQuote } from "../../domain/go-format.ts";
import { type Item, type ItemType, T } from "./items.ts";
import { unquoteString } from "./literals.ts";
import type { CommandNode, Node, PipeNode, VariableNode } from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import { newNumber } from "./numbers.ts";
import { TokenStream } from "./token-stream.ts";

const MAX_PAREN_DEPTH = 1000;

export class PipelineParser extends TokenStream {
  /** Variables in scope; `$` always is. */
  protected vars: string[] = ["$"];
  private parenDepth = 0;

  constructor(
    items: Item[],
    parseName: string,
    protected readonly hasFunction: (name: string) => boolean,
  ) {
    super(items, parseName);
  }

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
