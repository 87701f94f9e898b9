// Errors of the configuration layer. Their text is user-facing and matches the Go original
// byte for byte (scripts grep it), so toString() is the message itself, without the
// `<layer>: <kind>:` prefix other SortieErrors carry.
import { SortieError } from "../domain/errors.ts";
import type { ConfigIssue } from "./types.ts";

export type WorkflowErrorKind =
  | "missing_workflow_file"
  | "workflow_parse_error"
  | "workflow_front_matter_not_a_map"
  | "config_error";

export interface SourcePosition {
  line: number;
  column: number;
}

/** A failure to load the workflow as a whole: missing file, YAML syntax, non-map front matter, .env file, promotion. */
export class WorkflowError extends SortieError {
  readonly path: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    kind: WorkflowErrorKind,
    message: string,
    options: { path: string; position?: SourcePosition; cause?: unknown },
  ) {
    super("config", kind, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WorkflowError";
    this.path = options.path;
    this.line = options.position?.line;
    this.column = options.position?.column;
  }

  override toString(): string {
    return this.message;
  }
}

/** Every ConfigIssue of one build; the message has one `config: <field>: <message>` line per issue. */
export class ConfigBuildError extends SortieError {
  readonly issues: readonly ConfigIssue[];
  readonly path: string | undefined;

  constructor(issues: readonly ConfigIssue[], path?: string) {
    super("config", "config_error", issues.map((issue) => formatConfigIssue(issue, path)).join("\n"));
    this.name = "ConfigBuildError";
    this.issues = issues;
    this.path = path;
  }

  /** One line per issue, as printed by the CLI. */
  lines(): string[] {
    return this.issues.map((issue) => formatConfigIssue(issue, this.path));
  }

  override toString(): string {
    return this.message;
  }
}

/** `config: <field>: <message>`, plus ` (<file>:<line>:<column>)` when the value came from the file. */
export function formatConfigIssue(issue: ConfigIssue, file?: string): string {
  const base = `config: ${issue.field}: ${issue.message}`;
  if (file === undefined || issue.line === undefined) return base;
  return `${base} (${file}:${issue.line}:${issue.column ?? 1})`;
}
