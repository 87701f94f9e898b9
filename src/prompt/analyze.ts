// Static analysis of a prompt template for `sortie validate`: flags references that cannot work
// with the data contract (unknown variables and fields, root fields used where dot was rebound).
// Advisory only; templates that trip it still render if the path is never executed.

import type { Diagnostic } from "../config/types.ts";
import { goQuote } from "../domain/go-format.ts";
import type { PromptTemplate } from "./prompt-template.ts";
import type { CommandNode, ListNode, Node, PipeNode } from "./template/index.ts";

/** Sub-fields per top-level key; null = scalar; a nested record lists third-level fields. */
type FieldSchema = Record<string, readonly string[] | null> | null;

const SCHEMA: Record<string, FieldSchema> = {
  issue: {
    id: null,
    identifier: null,
    title: null,
    description: null,
    priority: null,
    state: null,
    branch_name: null,
    url: null,
    labels: null,
    assignee: null,
    issue_type: null,
    parent: ["id", "identifier"],
    comments: null,
    blocked_by: null,
    created_at: null,
    updated_at: null,
  },
  run: { turn_number: null, max_turns: null, is_continuation: null },
  attempt: null,
  ci_failure: {
    status: null,
    check_runs: ["conclusion", "details_url", "name", "status"],
    log_excerpt: null,
    failing_count: null,
    ref: null,
  },
};

/**
 * Top-level keys. `review_comments` is part of the data contract but its element fields are not
 * checked (the Go original omitted the key and flagged `.review_comments` as unknown).
 */
const TOP_LEVEL = new Set([...Object.keys(SCHEMA), "review_comments"]);

const VALID_TOP = "valid top-level variables are: .issue, .attempt, .run";

export interface AnalyzeOptions {
  /** Template text, to turn node offsets into line/column. */
  text: string;
  /** Lines of WORKFLOW.md before the template body, added to reported lines. */
  frontMatterLines?: number;
  /** Absolute workflow path, reported as the diagnostic's file. */
  file?: string;
}

class Analyzer {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly options: AnalyzeOptions) {}

  private warn(check: string, message: string, pos: number): void {
    const before = this.options.text.slice(0, pos);
    const line = before.split("\n").length + (this.options.frontMatterLines ?? 0);
    const column = [...before.slice(before.lastIndexOf("\n") + 1)].length + 1;
    const d: Diagnostic = { severity: "warning", check, message };
    if (this.options.file) Object.assign(d, { file: this.options.file, line, column });
    this.diagnostics.push(d);
  }

  walkNode(node: Node | null, depth: number): void {
    if (!node) return;
    switch (node.kind) {
      case "list":
        for (const child of node.nodes) this.walkNode(child, depth);
        break;
      case "action":
        this.walkPipe(node.pipe, depth);
        break;
      case "if":
        this.walkPipe(node.pipe, depth);
        this.walkNode(node.list, depth);
        this.walkNode(node.elseList, depth);
        break;
      case "range":
      case "with":
        this.walkPipe(node.pipe, depth);
        this.walkNode(node.list, depth + 1);
        this.walkNode(node.elseList, depth);
        break;
    }
  }

  private walkPipe(pipe: PipeNode, depth: number): void {
    for (const cmd of pipe.cmds) this.walkCommand(cmd, depth);
  }

  private walkCommand(cmd: CommandNode, depth: number): void {
    for (const arg of cmd.args) {
      if (arg.kind === "field") this.checkField(arg.ident, depth, arg.start);
      else if (arg.kind === "variable" && arg.ident[0] === "$")
        this.checkRootVariable(arg.ident.slice(1), arg.start);
      else if (arg.kind === "pipe") this.walkPipe(arg, depth);
    }
  }

  private checkField(ident: readonly string[], depth: number, pos: number): void {
    if (ident.length === 0) return;
    const expr = `.${ident.join(".")}`;
    const isTop = TOP_LEVEL.has(ident[0] ?? "");
    if (depth > 0 && isTop) {
      // Dot is the current element here, so the rest of the chain is not worth checking.
      this.warn(
        "dot_context",
        `did you mean ${goQuote(`$${expr}`)} instead of ${goQuote(expr)}? Inside a {{ range }}/{{ with }} block (including arguments to nested range/with), dot refers to the current element, not root data`,
        pos,
      );
      return;
    }
    if (depth === 0 && !isTop) {
      this.warn("unknown_var", `unknown template variable ${goQuote(expr)}; ${VALID_TOP}`, pos);
      return;
    }
    if (isTop) this.checkChain(ident, expr, pos);
  }

  private checkRootVariable(ident: readonly string[], pos: number): void {
    if (ident.length === 0) return;
    const expr = `$.${ident.join(".")}`;
    if (!TOP_LEVEL.has(ident[0] ?? "")) {
      this.warn("unknown_var", `unknown template variable ${goQuote(expr)}; ${VALID_TOP}`, pos);
      return;
    }
    this.checkChain(ident, expr, pos);
  }

  private checkChain(ident: readonly string[], node: string, pos: number): void {
    const [top = "", sub, leaf] = ident;
    if (!Object.hasOwn(SCHEMA, top)) return;
    const schema = SCHEMA[top] ?? null;
    const unknown = (message: string) =>
      this.warn("unknown_field", `unknown field ${goQuote(node)}; ${message}`, pos);
    if (schema === null) {
      if (ident.length >= 2) unknown(`${goQuote(top)} is a scalar with no sub-fields`);
      return;
    }
    if (sub === undefined) return;
    if (!Object.hasOwn(schema, sub)) {
      unknown(`known fields: ${Object.keys(schema).sort().join(", ")}`);
      return;
    }
    if (leaf === undefined) return;
    const nested = schema[sub] ?? null;
    if (nested === null) {
      unknown(`${goQuote(`${top}.${sub}`)} is a scalar with no sub-fields`);
      return;
    }
    if (!nested.includes(leaf)) {
      unknown(`known fields: ${[...nested].sort().join(", ")}`);
      return;
    }
    if (ident.length > 3) unknown(`${goQuote(`${top}.${sub}.${leaf}`)} is a scalar with no sub-fields`);
  }
}

/**
 * Warnings (checks `dot_context`, `unknown_var`, `unknown_field`) for the main template tree, in
 * tree-walk order. Bodies of define/block and {{template}} calls are not visited.
 */
export function analyzeTemplateTree(root: ListNode, options: AnalyzeOptions): Diagnostic[] {
  const analyzer = new Analyzer(options);
  analyzer.walkNode(root, 0);
  return analyzer.diagnostics;
}

/** Template warnings for a parsed prompt template, positioned in its WORKFLOW.md file. */
export function analyzePromptTemplate(tmpl: PromptTemplate): Diagnostic[] {
  const root = tmpl.tree.trees.get(tmpl.tree.name);
  if (!root) return [];
  return analyzeTemplateTree(root, {
    text: tmpl.source,
    frontMatterLines: tmpl.frontMatterLines,
    file: tmpl.sourcePath,
  });
}
