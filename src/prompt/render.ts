// Per-turn prompt rendering: the full template every turn, a built-in prompt when a continuation
// turn renders blank, and on turn 1 the tool advertisement and the status-file protocol.

import type { Issue } from "../domain/issue.ts";
import { buildPromptData, type ContinuationContext } from "./data.ts";
import { type PromptTemplate, renderPromptTemplate } from "./prompt-template.ts";

/** Sent on a continuation turn whose template renders to nothing but whitespace. */
export const DEFAULT_CONTINUATION_PROMPT =
  "Continue working on the same issue as before. First check where things stand: review the changes " +
  "already made in this workspace and what is still missing. Then carry on with the next step until the " +
  "work is complete. When you believe it is done, verify the result (build, tests, linters as the project " +
  "uses them) and finish the task.";

/** Appended last to every first-turn prompt: how the agent tells the orchestrator to stop. */
export const RUNTIME_STATUS_SUFFIX =
  "## Signalling your status to Sortie\n\n" +
  "If you cannot proceed (missing access, unclear requirements, a blocker outside this repository), " +
  'stop and run `mkdir -p .sortie && echo "blocked" > .sortie/status`. If the work is finished but ' +
  "must wait for a human (for example a review or a decision), run " +
  '`mkdir -p .sortie && echo "needs-human-review" > .sortie/status` instead. Write only one of the ' +
  "two tokens, `blocked` or `needs-human-review`, and only in those situations: do not create or " +
  "change `.sortie/status` during normal work.";

/** A tool the orchestrator offers to the agent (for example `tracker_api`). */
export interface PromptTool {
  name: string;
  description: string;
  /** A JSON Schema; a string is used verbatim, anything else is serialised as compact JSON. */
  inputSchema: unknown;
}

/** The Markdown section advertising the orchestrator's tools on the first turn. */
export function buildToolAdvertisement(tools: readonly PromptTool[], project?: string): string {
  let out = "## Available Sortie tools\n\n";
  if (project) out += `All operations are scoped to project: ${project}\n\n`;
  for (const tool of tools) {
    const schema = typeof tool.inputSchema === "string" ? tool.inputSchema : JSON.stringify(tool.inputSchema);
    out += `### ${tool.name}\n\n${tool.description}\n\nInput schema:\n\`\`\`json\n${schema}\n\`\`\`\n\n`;
  }
  out +=
    'All responses are JSON: {"success": true, "data": ...} or ' +
    '{"success": false, "error": {"kind": "...", "message": "..."}}.\n';
  return out;
}

export interface RenderTurnOptions {
  issue: Issue;
  /** 0 on a first dispatch, ≥ 1 on retries; the same for every turn of a session. */
  attempt: number;
  /** 1-based. */
  turnNumber: number;
  maxTurns: number;
  /** Only honoured on turn 1 (continuation dispatches inject CI or review context there). */
  continuation?: ContinuationContext;
  /** The orchestrator's tool registry; advertised on turn 1 when non-empty. */
  tools?: readonly PromptTool[];
  /** Tracker project the tools are scoped to. */
  project?: string;
}

/**
 * The prompt for one turn. Throws SortieError(config, template_render_error) when the template
 * fails; the worker reports that as `prompt render (turn N): <message>`.
 */
export function renderTurnPrompt(tmpl: PromptTemplate, options: RenderTurnOptions): string {
  const { turnNumber } = options;
  const data = buildPromptData(
    options.issue,
    options.attempt,
    { turnNumber, maxTurns: options.maxTurns },
    turnNumber === 1 ? options.continuation : undefined,
  );
  const rendered = renderPromptTemplate(tmpl, data);
  if (turnNumber > 1) return rendered.trim() === "" ? DEFAULT_CONTINUATION_PROMPT : rendered;
  let prompt = rendered;
  if (options.tools && options.tools.length > 0) {
    prompt += `\n\n${buildToolAdvertisement(options.tools, options.project)}`;
  }
  return `${prompt}\n\n${RUNTIME_STATUS_SUFFIX}`;
}

export { type PromptTemplate, parsePromptTemplate } from "./prompt-template.ts";
