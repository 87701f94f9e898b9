// Recursive-descent parser producing Go-compatible parse trees: the template structure (text,
// actions, if/range/with with else chains, define/template/block, break/continue).

import { goQuote } from "../../domain/go-format.ts";
import { type Item, T } from "./items.ts";
import { lex } from "./lexer.ts";
import { unquoteString } from "./literals.ts";
import type { BranchNode, ElseNode, EndNode, ListNode, Node, PipeNode, TemplateNode } from "./nodes.ts";
import { nodeString } from "./nodes.ts";
import { PipelineParser } from "./pipeline-parser.ts";

/** A parsed template set: the named trees (the main one plus every define/block) over one text. */
export interface ParsedTemplate {
  readonly name: string;
  readonly text: string;
  readonly trees: ReadonlyMap<string, ListNode>;
}

class Parser extends PipelineParser {
  private rangeDepth = 0;
  /** The parser whose stream position must follow this one's when it finishes. */
  private parent: Parser | null = null;

  constructor(
    items: Item[],
    parseName: string,
    hasFunction: (name: string) => boolean,
    private readonly trees: Map<string, ListNode>,
  ) {
    super(items, parseName, hasFunction);
  }

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
    sub.seek(this.position());
    sub.parent = this;
    return sub;
  }

  /** Hands the stream position back to the parser this one was forked from. */
  private finish(): void {
    this.parent?.seek(this.position());
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
