// Plain text → an Atlassian Document Format document, for the comments sortie posts: Jira Cloud's
// v3 API accepts only ADF bodies.

export interface AdfTextNode {
  type: "text";
  text: string;
}

export interface AdfParagraph {
  type: "paragraph";
  content: AdfTextNode[];
}

export interface AdfDocument {
  version: 1;
  type: "doc";
  content: AdfParagraph[];
}

/**
 * One paragraph per line (split on `\n`); an empty line is an empty paragraph, so blank lines
 * and a trailing newline survive. Text is carried verbatim — no Markdown interpretation, `\r`
 * kept — because ADF text nodes must not be empty, an empty line has no text node at all.
 */
export function textToAdf(text: string): AdfDocument {
  return {
    version: 1,
    type: "doc",
    content: text.split("\n").map((line) => ({
      type: "paragraph",
      content: line === "" ? [] : [{ type: "text", text: line }],
    })),
  };
}
