// A Go text/template-compatible template engine.

export { FuncError, TemplateError } from "./errors.ts";
export { sprint, sprintln } from "./fmt.ts";
export { BUILTINS, builtinFunc, type FuncMap, type ParamKind, type TemplateFunc } from "./funcs.ts";
export { toJSON } from "./json.ts";
export type * from "./nodes.ts";
export { nodeString } from "./nodes.ts";
export type { ParsedTemplate } from "./parser.ts";
export { sprintf } from "./printf.ts";
export { type CompileOptions, compileTemplate, executeTemplate, type Template } from "./template.ts";
export { GoFloat, sliceType, typeName, withGoType } from "./values.ts";
