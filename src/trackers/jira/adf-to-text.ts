// Atlassian Document Format → readable Markdown-like text, for descriptions and comments that
// end up in agent prompts. Jira documents are user content: any shape is accepted and nothing
// here throws — unknown nodes degrade to the text of their children, wrong attribute types fall
// back to defaults, and absurdly deep nesting is cut off instead of overflowing the stack.
import { isJsonObject } from "../../domain/json.ts";

type AdfNode = Record<string, unknown>;

/** Deeper nodes are dropped; real documents nest a handful of levels. */
const MAX_DEPTH = 64;

/** Node types that sit inside a paragraph-like block rather than forming blocks themselves. */
const INLINE_TYPES = new Set([
  "text",
  "hardBreak",
  "mention",
  "emoji",
  "inlineCard",
  "date",
  "status",
  "media",
  "mediaInline",
  "placeholder",
  "inlineExtension",
]);

/**
 * Renders a parsed ADF value: a `doc` (or any single node) becomes text whose blocks are
 * separated by one blank line, with trailing whitespace trimmed from every line and the whole.
 * Anything that is not an object — null, absent, a string — renders as "".
 */
export function adfToText(value: unknown): string {
  const node = asNode(value);
  if (node === null) return "";
  const text = node.type === "doc" ? renderBlocks(children(node), 0) : renderBlocks([node], 0);
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trimEnd();
}

function asNode(value: unknown): AdfNode | null {
  return isJsonObject(value) ? value : null;
}

function children(node: AdfNode): AdfNode[] {
  const content = node.content;
  if (!Array.isArray(content)) return [];
  return content.map(asNode).filter((child): child is AdfNode => child !== null);
}

function attrs(node: AdfNode): AdfNode {
  return asNode(node.attrs) ?? {};
}

function stringAttr(node: AdfNode, name: string): string {
  const value = attrs(node)[name];
  return typeof value === "string" ? value : "";
}

function typeOf(node: AdfNode): string {
  return typeof node.type === "string" ? node.type : "";
}

function isInline(node: AdfNode): boolean {
  return INLINE_TYPES.has(typeOf(node));
}

/**
 * A sequence of nodes in block position: consecutive inline nodes form one paragraph, each block
 * renders on its own, and non-empty results are joined by a blank line.
 */
function renderBlocks(nodes: readonly AdfNode[], depth: number): string {
  const blocks: string[] = [];
  let run: AdfNode[] = [];
  const flush = () => {
    if (run.length > 0) blocks.push(renderInline(run, depth));
    run = [];
  };
  for (const node of nodes) {
    if (isInline(node)) {
      run.push(node);
      continue;
    }
    flush();
    blocks.push(renderBlock(node, depth));
  }
  flush();
  return blocks.filter((block) => block.trim() !== "").join("\n\n");
}

function renderBlock(node: AdfNode, depth: number): string {
  if (depth >= MAX_DEPTH) return "";
  const next = depth + 1;
  switch (typeOf(node)) {
    case "paragraph":
      return renderInline(children(node), next);
    case "heading":
      return `${"#".repeat(headingLevel(node))} ${renderInline(children(node), next)}`;
    case "bulletList":
      return renderList(children(node), next, () => "- ");
    case "orderedList": {
      const start = listStart(node);
      return renderList(children(node), next, (index) => `${start + index}. `);
    }
    case "taskList":
      return renderList(children(node), next, (_index, item) =>
        stringAttr(item, "state").toUpperCase() === "DONE" ? "- [x] " : "- [ ] ",
      );
    case "decisionList":
      return renderList(children(node), next, () => "- ");
    case "codeBlock":
      return renderCodeBlock(node);
    case "blockquote":
      return quote(renderBlocks(children(node), next), "");
    case "panel": {
      const panelType = stringAttr(node, "panelType");
      return quote(renderBlocks(children(node), next), panelType === "" ? "" : `**${panelType}:** `);
    }
    case "rule":
      return "---";
    case "table":
      return renderTable(node, next);
    case "blockCard":
    case "embedCard":
      return stringAttr(node, "url");
    default:
      // mediaSingle, mediaGroup, expand, extensions, unknown nodes: whatever text they hold.
      if (typeof node.text === "string") return node.text;
      return renderBlocks(children(node), next);
  }
}

function headingLevel(node: AdfNode): number {
  const level = attrs(node).level;
  return typeof level === "number" && Number.isInteger(level) && level >= 1 && level <= 6 ? level : 1;
}

function listStart(node: AdfNode): number {
  const order = attrs(node).order;
  return typeof order === "number" && Number.isSafeInteger(order) && order >= 0 ? order : 1;
}

/**
 * One entry per item: the marker before the item's first line, its other lines (paragraphs
 * after the first, nested lists) indented by two spaces, so each nesting level adds two.
 */
function renderList(
  items: readonly AdfNode[],
  depth: number,
  marker: (index: number, item: AdfNode) => string,
): string {
  if (depth >= MAX_DEPTH) return "";
  return items
    .map((item, index) => {
      const lines = renderListItem(item, depth + 1).split("\n");
      const [first = "", ...rest] = lines;
      return [marker(index, item) + first, ...rest.map((line) => (line === "" ? "" : `  ${line}`))].join(
        "\n",
      );
    })
    .join("\n");
}

/** A list item's blocks on consecutive lines (no blank line inside one item). */
function renderListItem(item: AdfNode, depth: number): string {
  const parts: string[] = [];
  let run: AdfNode[] = [];
  const flush = () => {
    if (run.length > 0) parts.push(renderInline(run, depth));
    run = [];
  };
  for (const child of children(item)) {
    if (isInline(child)) {
      run.push(child);
      continue;
    }
    flush();
    parts.push(renderBlock(child, depth));
  }
  flush();
  return parts.filter((part) => part.trim() !== "").join("\n");
}

function renderCodeBlock(node: AdfNode): string {
  const code = plainText(children(node), 0);
  // A fence longer than any backtick run inside, so code containing ``` stays one block.
  const longestRun = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longestRun + 1));
  return `${fence}${stringAttr(node, "language")}\n${code}\n${fence}`;
}

/** Text of nodes without any markup: code block content. */
function plainText(nodes: readonly AdfNode[], depth: number): string {
  if (depth >= MAX_DEPTH) return "";
  return nodes
    .map((node) => {
      if (typeOf(node) === "hardBreak") return "\n";
      if (typeof node.text === "string") return node.text;
      return plainText(children(node), depth + 1);
    })
    .join("");
}

/** Every line prefixed `> `; the first also carries `label` (a panel's type). */
function quote(text: string, label: string): string {
  if (text === "" && label === "") return "";
  return text
    .split("\n")
    .map((line, index) => `> ${index === 0 ? label : ""}${line}`)
    .join("\n");
}

function renderTable(table: AdfNode, depth: number): string {
  const rows = children(table).filter((row) => typeOf(row) === "tableRow");
  const lines: string[] = [];
  rows.forEach((row, index) => {
    const cells = children(row);
    lines.push(`| ${cells.map((cell) => tableCell(cell, depth + 1)).join(" | ")} |`);
    if (index === 0 && cells.length > 0 && cells.every((cell) => typeOf(cell) === "tableHeader")) {
      lines.push(`| ${cells.map(() => "---").join(" | ")} |`);
    }
  });
  return lines.join("\n");
}

/** A cell's blocks flattened to one line; `|` escaped so it cannot split the cell. */
function tableCell(cell: AdfNode, depth: number): string {
  return renderBlocks(children(cell), depth)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ")
    .replaceAll("|", "\\|");
}

/** Inline content of one block; a stray block node in inline position renders flattened. */
function renderInline(nodes: readonly AdfNode[], depth: number): string {
  if (depth >= MAX_DEPTH) return "";
  return nodes.map((node) => renderInlineNode(node, depth)).join("");
}

function renderInlineNode(node: AdfNode, depth: number): string {
  switch (typeOf(node)) {
    case "text":
      return typeof node.text === "string" ? withMarks(node.text, node.marks) : "";
    case "hardBreak":
      return "\n";
    case "mention": {
      const text = stringAttr(node, "text");
      return text === "" || text.startsWith("@") ? text : `@${text}`;
    }
    case "emoji":
      return stringAttr(node, "text") || stringAttr(node, "shortName");
    case "inlineCard":
      return stringAttr(node, "url");
    case "date":
      return formatDate(attrs(node).timestamp);
    case "status": {
      const text = stringAttr(node, "text");
      return text === "" ? "" : `[${text}]`;
    }
    case "media":
    case "mediaInline":
      return "";
    default:
      if (typeof node.text === "string") return node.text;
      if (isInline(node)) return renderInline(children(node), depth + 1);
      // A block where inline content belongs (malformed input): its text on this line.
      return renderBlock(node, depth + 1)
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "")
        .join(" ");
  }
}

/** Epoch milliseconds (number or digit string) → `YYYY-MM-DD` in UTC; "" when unreadable. */
function formatDate(timestamp: unknown): string {
  const ms =
    typeof timestamp === "number"
      ? timestamp
      : typeof timestamp === "string" && /^-?\d+$/.test(timestamp.trim())
        ? Number(timestamp.trim())
        : Number.NaN;
  if (!Number.isFinite(ms)) return "";
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 10);
}

/**
 * Markdown for the marks Markdown has: code innermost, then emphasis, strong, strike, and the
 * link outermost. Whitespace at the edges stays outside the markers (`**bold** `, not `**bold **`,
 * which Markdown would not read as bold).
 */
function withMarks(text: string, marks: unknown): string {
  if (!Array.isArray(marks) || text === "") return text;
  const types = new Set<string>();
  let href = "";
  for (const mark of marks) {
    const node = asNode(mark);
    if (node === null) continue;
    const type = typeOf(node);
    types.add(type);
    if (type === "link") href = stringAttr(node, "href");
  }
  const match = /^(\s*)(.*?)(\s*)$/s.exec(text);
  const [, lead = "", core = "", trail = ""] = match ?? [];
  if (core === "") return text;
  let result = core;
  if (types.has("code")) result = `\`${result}\``;
  if (types.has("em")) result = `_${result}_`;
  if (types.has("strong")) result = `**${result}**`;
  if (types.has("strike")) result = `~~${result}~~`;
  if (types.has("link") && href !== "") result = `[${result}](${href})`;
  return `${lead}${result}${trail}`;
}
