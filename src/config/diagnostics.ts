// Maps config-layer failures to `validate` diagnostics (check names and messages as catalogued).
import { ConfigBuildError, WorkflowError } from "./errors.ts";
import type { ConfigIssue, Diagnostic } from "./types.ts";

/** One error diagnostic per ConfigIssue: check `config.<field>`, the message without its prefix. */
export function configIssueDiagnostics(issues: readonly ConfigIssue[], file?: string): Diagnostic[] {
  return issues.map((issue) => {
    const diagnostic: Diagnostic = {
      severity: "error",
      check: `config.${issue.field}`,
      message: issue.message,
    };
    if (issue.line !== undefined) {
      if (file !== undefined) diagnostic.file = file;
      diagnostic.line = issue.line;
      diagnostic.column = issue.column ?? 1;
    }
    return diagnostic;
  });
}

/** A load failure: `workflow_front_matter` for a non-map front matter, else `workflow_load`. */
export function workflowErrorDiagnostic(error: WorkflowError): Diagnostic {
  const check = error.kind === "workflow_front_matter_not_a_map" ? "workflow_front_matter" : "workflow_load";
  const diagnostic: Diagnostic = { severity: "error", check, message: error.message };
  if (error.line !== undefined) {
    diagnostic.file = error.path;
    diagnostic.line = error.line;
    diagnostic.column = error.column ?? 1;
  }
  return diagnostic;
}

/** Diagnostics for any error thrown by the load pipeline (undefined for errors of other layers). */
export function loadErrorDiagnostics(error: unknown): Diagnostic[] | undefined {
  if (error instanceof WorkflowError) return [workflowErrorDiagnostic(error)];
  if (error instanceof ConfigBuildError) return configIssueDiagnostics(error.issues, error.path);
  return undefined;
}
