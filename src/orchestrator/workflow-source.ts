// The orchestrator's view of the loaded workflow: the last good config and template, and a reload.
import type { ServiceConfig } from "../config/types.ts";
import type { PromptTemplate } from "../prompt/index.ts";

export type ReloadOutcome =
  | { status: "unchanged" }
  | { status: "reloaded"; restartRequiredFields: string[] }
  | { status: "failed"; error: string; kind: "load" | "validation" };

export interface WorkflowSource {
  /** Absolute path of WORKFLOW.md. */
  readonly path: string;
  /** Base name, recorded in run history and the API. */
  readonly fileName: string;
  config(): ServiceConfig;
  template(): PromptTemplate;
  /** Re-reads the file (and .env); keeps the last good config on failure. */
  reload(trigger: "watch" | "poll"): ReloadOutcome;
}
