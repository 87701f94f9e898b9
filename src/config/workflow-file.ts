// Reads WORKFLOW.md and turns it into front matter (a raw map with source positions) and the
// prompt template text. Every expected failure is a WorkflowError with the catalogued message.
import { readFile } from "node:fs/promises";
import { goType, isRawMap, type RawMap } from "./coerce.ts";
import { WorkflowError } from "./errors.ts";
import { goPathErrorText } from "./os-error.ts";
import { PositionIndex } from "./positions.ts";
import { normalizeWorkflowText, splitWorkflow } from "./split.ts";
import { decodeYaml, YamlSyntaxError } from "./yaml.ts";

export interface WorkflowDocument {
  /** Absolute path of the workflow file. */
  path: string;
  /** The decoded front matter ({} when absent). */
  frontMatter: RawMap;
  positions: PositionIndex;
  /** The prompt template, trimmed. */
  promptTemplate: string;
  /** Lines through the closing `---` (0 without front matter); template line numbers add this. */
  frontMatterLines: number;
}

/** Parses the text of a workflow file; path is used in messages only. */
export function parseWorkflow(text: string, path: string): WorkflowDocument {
  const split = splitWorkflow(normalizeWorkflowText(text));
  if (split.yamlText === null) {
    const positions = new PositionIndex();
    return { path, frontMatter: {}, positions, promptTemplate: split.promptTemplate, frontMatterLines: 0 };
  }
  let decoded: ReturnType<typeof decodeYaml>;
  try {
    decoded = decodeYaml(split.yamlText, 1);
  } catch (err) {
    if (!(err instanceof YamlSyntaxError)) throw err;
    throw new WorkflowError(
      "workflow_parse_error",
      `failed to parse YAML front matter in ${path} (did you forget the closing '---' delimiter?): ${err.message}`,
      { path, ...(err.position === undefined ? {} : { position: err.position }), cause: err },
    );
  }
  const root = decoded.value;
  if (root !== null && !isRawMap(root)) {
    throw new WorkflowError(
      "workflow_front_matter_not_a_map",
      `workflow front matter in ${path} must be a YAML map: got ${goType(root)}`,
      { path, ...rootPosition(decoded.positions) },
    );
  }
  return {
    path,
    frontMatter: root ?? {},
    positions: decoded.positions,
    promptTemplate: split.promptTemplate,
    frontMatterLines: split.frontMatterLines,
  };
}

function rootPosition(positions: PositionIndex): { position?: { line: number; column: number } } {
  const position = positions.value("");
  return position === undefined ? {} : { position };
}

/** Reads the raw bytes of the workflow file (missing or unreadable → WorkflowError). */
export async function readWorkflowBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new WorkflowError(
      "missing_workflow_file",
      `workflow file not found: ${path}: ${goPathErrorText(err, path)}`,
      {
        path,
        cause: err,
      },
    );
  }
}

// ignoreBOM keeps a leading BOM in the text so that exactly one is stripped, as in the original.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Decodes file bytes as UTF-8 (invalid sequences become U+FFFD, as Go's string conversion keeps them printable). */
export function workflowText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
