import { describe, expect, test } from "bun:test";
import { adfToText } from "../../../../src/trackers/jira/adf-to-text.ts";
import { type AdfParagraph, textToAdf } from "../../../../src/trackers/jira/text-to-adf.ts";

const para = (line: string): AdfParagraph => ({
  type: "paragraph",
  content: line === "" ? [] : [{ type: "text", text: line }],
});

describe("textToAdf", () => {
  test("one paragraph per line, serialised with version, type, content in that order", () => {
    const adf = textToAdf("Sortie started work.\nAgent: mock");
    expect(JSON.stringify(adf)).toBe(
      '{"version":1,"type":"doc","content":[' +
        '{"type":"paragraph","content":[{"type":"text","text":"Sortie started work."}]},' +
        '{"type":"paragraph","content":[{"type":"text","text":"Agent: mock"}]}]}',
    );
  });

  test.each<[string, string[]]>([
    ["", [""]],
    ["one", ["one"]],
    ["a\n\nb", ["a", "", "b"]],
    ["trailing\n", ["trailing", ""]],
    ["\n", ["", ""]],
    ["windows\r\nline", ["windows\r", "line"]],
  ])("%j → paragraphs %j", (input, lines) => {
    expect(textToAdf(input).content).toEqual(lines.map(para));
  });

  test("text is carried verbatim, Markdown included", () => {
    expect(textToAdf("**not bold** <b>x</b>").content[0]?.content[0]?.text).toBe("**not bold** <b>x</b>");
  });

  test("rendering the document back gives the lines, blank-line separated", () => {
    expect(adfToText(textToAdf("Line 1\nLine 2"))).toBe("Line 1\n\nLine 2");
  });
});
