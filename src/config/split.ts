// Splits WORKFLOW.md into its YAML front matter and the prompt template body.
import { goTrimSpace } from "./go-scalar.ts";

export interface SplitWorkflow {
  /** The YAML text between the delimiters; null when the file has no front matter. */
  yamlText: string | null;
  /** The prompt template: the body after the closing delimiter, trimmed. */
  promptTemplate: string;
  /** Lines from the top of the file through the closing delimiter (0 without front matter). */
  frontMatterLines: number;
}

const BOM = "\uFEFF";

/** Strips one leading BOM and turns CRLF into LF, so delimiters and line numbers are stable. */
export function normalizeWorkflowText(text: string): string {
  const withoutBom = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  return withoutBom.replaceAll("\r\n", "\n");
}

function isDelimiter(line: string): boolean {
  return line.replace(/[ \t]+$/, "") === "---";
}

/** Splits already-normalised text (see normalizeWorkflowText). */
export function splitWorkflow(content: string): SplitWorkflow {
  const firstNewline = content.indexOf("\n");
  if (firstNewline === -1 || !isDelimiter(content.slice(0, firstNewline))) {
    return { yamlText: null, promptTemplate: goTrimSpace(content), frontMatterLines: 0 };
  }
  const rest = content.slice(firstNewline + 1);
  let offset = 0;
  while (offset < rest.length) {
    const newline = rest.indexOf("\n", offset);
    const line = newline === -1 ? rest.slice(offset) : rest.slice(offset, newline);
    if (isDelimiter(line)) {
      const yamlText = rest.slice(0, offset);
      const body = newline === -1 ? "" : rest.slice(newline + 1);
      return { yamlText, promptTemplate: goTrimSpace(body), frontMatterLines: 2 + countNewlines(yamlText) };
    }
    if (newline === -1) break;
    offset = newline + 1;
  }
  // No closing delimiter: everything after the opening line is YAML and the prompt is empty.
  return { yamlText: rest, promptTemplate: "", frontMatterLines: 1 + countNewlines(rest) };
}

function countNewlines(s: string): number {
  let count = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) count++;
  return count;
}
