// Prompt templates: the Go-template engine, the data contract, static analysis and per-turn rendering.

export { type AnalyzeOptions, analyzePromptTemplate, analyzeTemplateTree } from "./analyze.ts";
export {
  buildPromptData,
  type CheckRunContext,
  type CIFailureContext,
  type ContinuationContext,
  issueData,
  type PromptData,
  type ReviewCommentContext,
  type RunContext,
} from "./data.ts";
export { PROMPT_FUNCS } from "./funcs.ts";
export {
  type PromptTemplate,
  type PromptTemplateOptions,
  parsePromptTemplate,
  renderPromptTemplate,
  wrapTemplateError,
} from "./prompt-template.ts";
export {
  buildToolAdvertisement,
  DEFAULT_CONTINUATION_PROMPT,
  type PromptTool,
  type RenderTurnOptions,
  RUNTIME_STATUS_SUFFIX,
  renderTurnPrompt,
} from "./render.ts";
