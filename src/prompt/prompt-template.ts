// A WORKFLOW.md prompt body compiled once with the prompt function map, and rendering with errors
// wrapped the way operators see them: `template <parse|render> error in <file> (line <n>): ...`,
// where n counts lines of the whole WORKFLOW.md file.

import { SortieError } from "../domain/errors.ts";
import { PROMPT_FUNCS } from "./funcs.ts";
import { compileTemplate, executeTemplate, type Template, TemplateError } from "./template/index.ts";

/** A parsed prompt template. Immutable; safe to render concurrently. */
export interface PromptTemplate {
  /** The template body as it appeared after the front matter (trimmed). */
  readonly source: string;
  /** Lines of WORKFLOW.md before the body; added to template line numbers in errors. */
  readonly frontMatterLines: number;
  /** Absolute path of the workflow file, named in error messages. */
  readonly sourcePath: string;
  readonly tree: Template;
}

export interface PromptTemplateOptions {
  sourcePath: string;
  frontMatterLines: number;
}

const LINE = /template: [^:]+:(\d+)/;

/**
 * The operator-facing form of an engine error: `template <phase> error in <file> (line <n>): <go
 * message>`, n counting WORKFLOW.md lines; without `(line n)` when Go's message carries no line.
 */
export function wrapTemplateError(
  err: TemplateError,
  sourcePath: string,
  frontMatterLines: number,
): SortieError {
  const phase = err.phase === "parse" ? "parse" : "render";
  const match = LINE.exec(err.message);
  const line = match ? Number(match[1]) : 0;
  const where = line > 0 ? `${sourcePath} (line ${line + frontMatterLines})` : sourcePath;
  return new SortieError(
    "config",
    phase === "parse" ? "template_parse_error" : "template_render_error",
    // No `cause`: the engine's message is already part of this one and would print twice.
    `template ${phase} error in ${where}: ${err.message}`,
  );
}

/** Compiles a prompt body; throws SortieError(config, template_parse_error) on bad syntax. */
export function parsePromptTemplate(body: string, options: PromptTemplateOptions): PromptTemplate {
  try {
    const tree = compileTemplate(body, { name: "prompt", funcs: PROMPT_FUNCS });
    return { source: body, frontMatterLines: options.frontMatterLines, sourcePath: options.sourcePath, tree };
  } catch (err) {
    if (err instanceof TemplateError)
      throw wrapTemplateError(err, options.sourcePath, options.frontMatterLines);
    throw err;
  }
}

/** Renders with arbitrary root data; throws SortieError(config, template_render_error). */
export function renderPromptTemplate(tmpl: PromptTemplate, data: unknown): string {
  try {
    return executeTemplate(tmpl.tree, data);
  } catch (err) {
    if (err instanceof TemplateError) throw wrapTemplateError(err, tmpl.sourcePath, tmpl.frontMatterLines);
    throw err;
  }
}
