// Entry points of the template engine: compile once, execute many times with different data.

import { execute } from "./exec.ts";
import { BUILTINS, type FuncMap } from "./funcs.ts";
import { type ParsedTemplate, parseTemplateText } from "./parser.ts";

/** A compiled template: its parse trees plus the functions it was compiled against. Immutable. */
export interface Template extends ParsedTemplate {
  readonly funcs: FuncMap;
}

export interface CompileOptions {
  /** Name used in error messages (`template: <name>:<line>: ...`); defaults to "prompt". */
  name?: string;
  /** Extra functions; they take precedence over the builtins of the same name. */
  funcs?: FuncMap;
}

/** Parses Go text/template source; throws TemplateError with phase "parse" on bad syntax. */
export function compileTemplate(text: string, options: CompileOptions = {}): Template {
  const funcs: FuncMap = { ...BUILTINS, ...options.funcs };
  const parsed = parseTemplateText(text, {
    name: options.name ?? "prompt",
    hasFunction: (name) => Object.hasOwn(funcs, name),
  });
  return { ...parsed, funcs };
}

/**
 * Executes a compiled template in strict mode (a missing map key is an error); throws TemplateError
 * with phase "exec". Pure: the same template can be executed concurrently with different data.
 */
export function executeTemplate(tmpl: Template, data: unknown): string {
  return execute(tmpl, data, tmpl.funcs);
}
