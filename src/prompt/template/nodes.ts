// Parse tree of a template, with the node kinds of Go's text/template/parse. `pos` is where Go puts
// the node (error columns are computed from it); `nodeString` reproduces Go's Node.String(), which
// exec error messages quote as `at <...>`.

import { goQuote } from "../../domain/go-format.ts";

export interface TextNode {
  kind: "text";
  pos: number;
  text: string;
}
export interface ActionNode {
  kind: "action";
  pos: number;
  line: number;
  pipe: PipeNode;
}
export interface BoolNode {
  kind: "bool";
  pos: number;
  value: boolean;
}
export interface ChainNode {
  kind: "chain";
  pos: number;
  node: Node;
  fields: string[];
}
export interface CommandNode {
  kind: "command";
  pos: number;
  args: Node[];
}
export interface DotNode {
  kind: "dot";
  pos: number;
}
export interface FieldNode {
  kind: "field";
  pos: number;
  /** Where the expression text starts; Go's `pos` points at the second segment of `.a.b`. */
  start: number;
  ident: string[];
}
export interface IdentifierNode {
  kind: "identifier";
  pos: number;
  ident: string;
}
export interface NilNode {
  kind: "nil";
  pos: number;
}
export interface NumberNode {
  kind: "number";
  pos: number;
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  uint: bigint;
  float: number;
}
export interface PipeNode {
  kind: "pipe";
  pos: number;
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface StringNode {
  kind: "string";
  pos: number;
  quoted: string;
  text: string;
}
export interface VariableNode {
  kind: "variable";
  pos: number;
  start: number;
  ident: string[];
}
export interface BranchNode {
  kind: "if" | "range" | "with";
  pos: number;
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode {
  kind: "template";
  pos: number;
  line: number;
  name: string;
  pipe: PipeNode | null;
}
export interface ListNode {
  kind: "list";
  pos: number;
  nodes: Node[];
}
export interface BreakNode {
  kind: "break";
  pos: number;
  line: number;
}
export interface ContinueNode {
  kind: "continue";
  pos: number;
  line: number;
}
/** `{{else}}` and `{{end}}` exist only while parsing; they never appear in a finished tree. */
export interface ElseNode {
  kind: "else";
  pos: number;
  line: number;
}
export interface EndNode {
  kind: "end";
  pos: number;
}

export type Node =
  | TextNode
  | ActionNode
  | BoolNode
  | ChainNode
  | CommandNode
  | DotNode
  | FieldNode
  | IdentifierNode
  | NilNode
  | NumberNode
  | PipeNode
  | StringNode
  | VariableNode
  | BranchNode
  | TemplateNode
  | ListNode
  | BreakNode
  | ContinueNode
  | ElseNode
  | EndNode;

function pipeString(p: PipeNode): string {
  let s = "";
  if (p.decl.length > 0) s = `${p.decl.map(nodeString).join(", ")} := `;
  return s + p.cmds.map(nodeString).join(" | ");
}

function commandString(c: CommandNode): string {
  return c.args.map((arg) => (arg.kind === "pipe" ? `(${pipeString(arg)})` : nodeString(arg))).join(" ");
}

/** Go's Node.String() for every node kind. */
export function nodeString(n: Node): string {
  switch (n.kind) {
    case "text":
      return n.text;
    case "action":
      return `{{${pipeString(n.pipe)}}}`;
    case "bool":
      return n.value ? "true" : "false";
    case "chain": {
      const head = n.node.kind === "pipe" ? `(${nodeString(n.node)})` : nodeString(n.node);
      return head + n.fields.map((f) => `.${f}`).join("");
    }
    case "command":
      return commandString(n);
    case "dot":
      return ".";
    case "field":
      return n.ident.map((f) => `.${f}`).join("");
    case "identifier":
      return n.ident;
    case "nil":
      return "nil";
    case "number":
      return n.text;
    case "pipe":
      return pipeString(n);
    case "string":
      return n.quoted;
    case "variable":
      return n.ident.join(".");
    case "if":
    case "range":
    case "with": {
      const elseText = n.elseList ? `{{else}}${nodeString(n.elseList)}` : "";
      return `{{${n.kind} ${pipeString(n.pipe)}}}${nodeString(n.list)}${elseText}{{end}}`;
    }
    case "template":
      return `{{template ${goQuote(n.name)}${n.pipe ? ` ${pipeString(n.pipe)}` : ""}}}`;
    case "list":
      return n.nodes.map(nodeString).join("");
    case "break":
      return "{{break}}";
    case "continue":
      return "{{continue}}";
    case "else":
      return "{{else}}";
    case "end":
      return "{{end}}";
  }
}
