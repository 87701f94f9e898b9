import { describe, expect, test } from "bun:test";
import { adfToText } from "../../../../src/trackers/jira/adf-to-text.ts";

const FIXTURES = new URL("../../../fixtures/tracker-jira/", import.meta.url);
const fixture = (name: string): Promise<Record<string, unknown>> => Bun.file(new URL(name, FIXTURES)).json();

type Node = Record<string, unknown>;
const doc = (...content: unknown[]): Node => ({ type: "doc", version: 1, content });
const text = (value: string, ...marks: Node[]): Node =>
  marks.length === 0 ? { type: "text", text: value } : { type: "text", text: value, marks };
const p = (...content: unknown[]): Node => ({ type: "paragraph", content });
const li = (...content: unknown[]): Node => ({ type: "listItem", content });
const bullets = (...items: Node[]): Node => ({ type: "bulletList", content: items });
const cell = (type: "tableHeader" | "tableCell", ...content: unknown[]): Node => ({ type, content });

describe("fixture renderings", () => {
  test("adf_description: heading, strong, bullets, fenced code, unknown node's text", async () => {
    expect(adfToText(await fixture("adf_description.json"))).toBe(
      [
        "## Overview",
        "",
        "This is the **main description** of the task.",
        "",
        "- Item one",
        "- Item two",
        "",
        "```bash",
        "echo hello",
        "```",
        "",
        "Inside unknown",
      ].join("\n"),
    );
  });

  test("issue_detail description", async () => {
    const issue = (await fixture("issue_detail.json")) as { fields: { description: unknown } };
    expect(adfToText(issue.fields.description)).toBe(
      [
        "Refactor the persistence layer:",
        "",
        "- Extract interfaces",
        "- Add connection pooling",
        "",
        "```go",
        "db.Close()",
        "```",
      ].join("\n"),
    );
  });

  test("a one-paragraph description is just its text", async () => {
    const page = (await fixture("search_single_page.json")) as {
      issues: { fields: { description: unknown } }[];
    };
    expect(adfToText(page.issues[0]!.fields.description)).toBe("Implement OAuth2 flow");
  });
});

describe("blocks", () => {
  test("paragraphs are separated by one blank line", () => {
    expect(adfToText(doc(p(text("one")), p(text("two")), p(text("three"))))).toBe("one\n\ntwo\n\nthree");
  });

  test.each([
    [1, "# Title"],
    [3, "### Title"],
    [6, "###### Title"],
    [0, "# Title"],
    [7, "# Title"],
    [2.5, "# Title"],
    ["2", "# Title"],
    [undefined, "# Title"],
  ])("heading level %p renders %j", (level, expected) => {
    const heading = {
      type: "heading",
      attrs: level === undefined ? {} : { level },
      content: [text("Title")],
    };
    expect(adfToText(doc(heading))).toBe(expected);
  });

  test("ordered lists count from attrs.order (default 1)", () => {
    const items = [li(p(text("a"))), li(p(text("b")))];
    expect(adfToText(doc({ type: "orderedList", content: items }))).toBe("1. a\n2. b");
    expect(adfToText(doc({ type: "orderedList", attrs: { order: 4 }, content: items }))).toBe("4. a\n5. b");
    expect(adfToText(doc({ type: "orderedList", attrs: { order: "x" }, content: items }))).toBe("1. a\n2. b");
  });

  test("nested lists indent two spaces per level", () => {
    const nested = bullets(
      li(
        p(text("top")),
        bullets(li(p(text("middle")), { type: "orderedList", content: [li(p(text("deep")))] })),
      ),
      li(p(text("second"))),
    );
    expect(adfToText(doc(nested))).toBe("- top\n  - middle\n    1. deep\n- second");
  });

  test("a list item with two paragraphs keeps the second under the marker", () => {
    expect(adfToText(doc(bullets(li(p(text("first")), p(text("more"))))))).toBe("- first\n  more");
  });

  test("task and decision lists", () => {
    const tasks = {
      type: "taskList",
      content: [
        { type: "taskItem", attrs: { state: "DONE" }, content: [text("shipped")] },
        { type: "taskItem", attrs: { state: "TODO" }, content: [text("review")] },
        { type: "taskItem", content: [text("no state")] },
      ],
    };
    expect(adfToText(doc(tasks))).toBe("- [x] shipped\n- [ ] review\n- [ ] no state");
    const decisions = {
      type: "decisionList",
      content: [{ type: "decisionItem", attrs: { state: "DECIDED" }, content: [text("use JQL")] }],
    };
    expect(adfToText(doc(decisions))).toBe("- use JQL");
  });

  test("code blocks are fenced with the language; code keeps its lines and ignores marks", () => {
    const code = {
      type: "codeBlock",
      attrs: { language: "ts" },
      content: [text("const a = 1;\nconst b = 2;", { type: "strong" })],
    };
    expect(adfToText(doc(code))).toBe("```ts\nconst a = 1;\nconst b = 2;\n```");
    expect(adfToText(doc({ type: "codeBlock", content: [text("x")] }))).toBe("```\nx\n```");
  });

  test("a code block containing a fence gets a longer fence", () => {
    const code = { type: "codeBlock", content: [text("```\ninner\n```")] };
    expect(adfToText(doc(code))).toBe("````\n```\ninner\n```\n````");
  });

  test("blockquote prefixes every line", () => {
    const quote = { type: "blockquote", content: [p(text("first")), p(text("second"))] };
    expect(adfToText(doc(quote))).toBe("> first\n>\n> second");
  });

  test("panel is a quote whose first line names the panel type", () => {
    const panel = {
      type: "panel",
      attrs: { panelType: "warning" },
      content: [p(text("Careful")), p(text("Really"))],
    };
    expect(adfToText(doc(panel))).toBe("> **warning:** Careful\n>\n> Really");
    expect(adfToText(doc({ type: "panel", content: [p(text("plain"))] }))).toBe("> plain");
  });

  test("rule", () => {
    expect(adfToText(doc(p(text("above")), { type: "rule" }, p(text("below"))))).toBe(
      "above\n\n---\n\nbelow",
    );
  });

  test("table with a header row, cells flattened to one line, pipes escaped", () => {
    const table = {
      type: "table",
      content: [
        {
          type: "tableRow",
          content: [cell("tableHeader", p(text("Name"))), cell("tableHeader", p(text("Value")))],
        },
        {
          type: "tableRow",
          content: [
            cell("tableCell", p(text("a|b"))),
            cell("tableCell", p(text("line 1")), p(text("line 2"))),
          ],
        },
      ],
    };
    expect(adfToText(doc(table))).toBe("| Name | Value |\n| --- | --- |\n| a\\|b | line 1 line 2 |");
  });

  test("a table without a header row has no separator line", () => {
    const table = {
      type: "table",
      content: [
        { type: "tableRow", content: [cell("tableCell", p(text("x"))), cell("tableCell", p(text("y")))] },
        { type: "tableRow", content: [cell("tableCell", p(text("1"))), cell("tableCell")] },
      ],
    };
    expect(adfToText(doc(table))).toBe("| x | y |\n| 1 |  |");
  });

  test("media renders nothing and leaves no empty block behind", () => {
    const media = { type: "mediaSingle", content: [{ type: "media", attrs: { id: "abc", type: "file" } }] };
    expect(adfToText(doc(p(text("before")), media, p(text("after"))))).toBe("before\n\nafter");
  });

  test("block cards render their URL", () => {
    expect(adfToText(doc({ type: "blockCard", attrs: { url: "https://example.com/x" } }))).toBe(
      "https://example.com/x",
    );
  });
});

describe("inline nodes and marks", () => {
  test.each([
    ["strong", [{ type: "strong" }], "**word**"],
    ["em", [{ type: "em" }], "_word_"],
    ["code", [{ type: "code" }], "`word`"],
    ["strike", [{ type: "strike" }], "~~word~~"],
    ["link", [{ type: "link", attrs: { href: "https://example.com" } }], "[word](https://example.com)"],
    ["strong + em", [{ type: "strong" }, { type: "em" }], "**_word_**"],
    [
      "strong link",
      [{ type: "link", attrs: { href: "https://x.y" } }, { type: "strong" }],
      "[**word**](https://x.y)",
    ],
    ["underline (ignored)", [{ type: "underline" }], "word"],
    ["textColor (ignored)", [{ type: "textColor", attrs: { color: "#f00" } }], "word"],
    ["link without href", [{ type: "link", attrs: {} }], "word"],
  ])("%s", (_name, marks, expected) => {
    expect(adfToText(doc(p(text("word", ...(marks as Node[])))))).toBe(expected);
  });

  test("whitespace at the edges of a marked text stays outside the markers", () => {
    expect(adfToText(doc(p(text("a"), text(" bold ", { type: "strong" }), text("b"))))).toBe("a **bold** b");
  });

  test("hard breaks are newlines", () => {
    expect(adfToText(doc(p(text("line one"), { type: "hardBreak" }, text("line two"))))).toBe(
      "line one\nline two",
    );
  });

  test("mentions get one @", () => {
    expect(adfToText(doc(p(text("ask "), { type: "mention", attrs: { id: "1", text: "@Alice" } })))).toBe(
      "ask @Alice",
    );
    expect(adfToText(doc(p({ type: "mention", attrs: { id: "1", text: "Bob" } })))).toBe("@Bob");
    expect(adfToText(doc(p(text("x"), { type: "mention", attrs: { id: "1" } })))).toBe("x");
  });

  test("emoji, inline card, date, status", () => {
    const line = p(
      { type: "emoji", attrs: { shortName: ":smile:", text: "😄" } },
      text(" "),
      { type: "emoji", attrs: { shortName: ":party:" } },
      text(" "),
      { type: "inlineCard", attrs: { url: "https://example.atlassian.net/browse/PROJ-9" } },
      text(" due "),
      { type: "date", attrs: { timestamp: "1772323200000" } },
      text(" "),
      { type: "status", attrs: { text: "IN REVIEW", color: "blue" } },
    );
    expect(adfToText(doc(line))).toBe(
      "😄 :party: https://example.atlassian.net/browse/PROJ-9 due 2026-03-01 [IN REVIEW]",
    );
  });

  test("a numeric date timestamp works too; an unreadable one renders nothing", () => {
    expect(adfToText(doc(p({ type: "date", attrs: { timestamp: 0 } })))).toBe("1970-01-01");
    expect(adfToText(doc(p(text("on "), { type: "date", attrs: { timestamp: "soon" } })))).toBe("on");
  });
});

describe("malformed input never throws", () => {
  test.each([
    ["null", null],
    ["undefined", undefined],
    ["a string", "plain text"],
    ["a number", 42],
    ["an array", [p(text("x"))]],
    ["an empty object", {}],
    ["a doc without content", { type: "doc" }],
    ["content that is not an array", { type: "doc", content: "x" }],
    ["content with nulls and scalars", { type: "doc", content: [null, 1, "s", []] }],
  ])("%s renders as empty text", (_name, value) => {
    expect(adfToText(value)).toBe("");
  });

  test("unknown nodes degrade to their children's text", () => {
    expect(adfToText(doc({ type: "extension", content: [p(text("inside"))] }))).toBe("inside");
    expect(adfToText(doc(p(text("a "), { type: "inlineThing", content: [text("b")] }, text(" c"))))).toBe(
      "a b c",
    );
    expect(adfToText(doc({ type: "mystery", text: "literal" }))).toBe("literal");
    expect(adfToText(doc({ type: 7, content: [p(text("typed wrong"))] }))).toBe("typed wrong");
  });

  test("wrong attribute and field types fall back", () => {
    const value = doc(
      { type: "heading", attrs: "nope", content: [text("H")] },
      p({ type: "text", text: 5 }, text("ok", "bold" as unknown as Node)),
      p(text("bold", { type: "strong" }), { type: "text", text: " plain", marks: "strong" }),
      { type: "codeBlock", attrs: { language: 3 }, content: [text("c")] },
      { type: "bulletList", content: [null, { type: "listItem" }, li(p(text("item")))] },
      { type: "table", content: [{ type: "tableRow", content: "x" }, null] },
      { type: "mention", attrs: null },
    );
    expect(() => adfToText(value)).not.toThrow();
    expect(adfToText(value)).toBe("# H\n\nok\n\n**bold** plain\n\n```\nc\n```\n\n-\n- item\n\n|  |");
  });

  test("a block node in inline position renders flattened on the line", () => {
    expect(adfToText(doc(p(text("see:"), bullets(li(p(text("a"))), li(p(text("b")))))))).toBe("see:- a - b");
  });

  test("inline nodes at the top level form a paragraph", () => {
    expect(adfToText(doc(text("loose "), text("text"), p(text("para"))))).toBe("loose text\n\npara");
  });

  test("absurd nesting is cut off instead of overflowing the stack", () => {
    let node: Node = p(text("deep"));
    for (let i = 0; i < 50_000; i++) node = { type: "blockquote", content: [node] };
    expect(() => adfToText(doc(node))).not.toThrow();
    let inline: Node = text("deep");
    for (let i = 0; i < 50_000; i++) inline = { type: "mystery", content: [inline] };
    expect(() => adfToText(doc(p(inline)))).not.toThrow();
  });

  test("trailing whitespace is trimmed from lines and the whole text", () => {
    expect(adfToText(doc(p(text("trailing   ")), p(text("  lead kept"))))).toBe("trailing\n\n  lead kept");
  });
});
