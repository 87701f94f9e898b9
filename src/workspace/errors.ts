// The workspace layer's two error shapes: a path error (sanitising, containment, creation) and a
// hook error (validation, start, non-zero exit, timeout). Both are SortieErrors whose message is
// already the complete Go-compatible text, so the cause is kept for inspection but not repeated.
import { SortieError } from "../domain/errors.ts";

export type PathOp = "sanitize" | "resolve" | "containment" | "create" | "stat" | "conflict" | "remove";

export class WorkspacePathError extends SortieError {
  readonly op: PathOp;
  readonly root: string;
  readonly identifier: string;
  /** The human reason, without the `workspace <op>: …` prefix. */
  readonly detail: string;

  constructor(op: PathOp, root: string, identifier: string, detail: string, cause?: unknown) {
    super(
      "workspace",
      "workspace_path_error",
      `workspace ${op}: root=${JSON.stringify(root)} identifier=${JSON.stringify(identifier)}: ${detail}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = "WorkspacePathError";
    this.op = op;
    this.root = root;
    this.identifier = identifier;
    this.detail = detail;
  }

  override toString(): string {
    return `${this.layer}: ${this.kind}: ${this.message}`;
  }
}

export type HookOp = "validate" | "start" | "run" | "timeout";

/** Longest script prefix quoted in errors, so a long inline script does not flood logs. */
const SCRIPT_DISPLAY_BYTES = 200;

export class HookError extends SortieError {
  readonly op: HookOp;
  /** First 200 bytes of the script, `...` appended when cut. */
  readonly script: string;
  /** -1 when the hook did not exit on its own (never started, timed out, cancelled). */
  readonly exitCode: number;
  /** Captured stdout+stderr (capped). */
  readonly output: string;
  readonly detail: string;

  constructor(fields: {
    op: HookOp;
    script: string;
    exitCode: number;
    output: string;
    detail: string;
    cause?: unknown;
  }) {
    const code = fields.exitCode === -1 ? "" : `exit_code=${fields.exitCode}: `;
    super(
      "workspace",
      "workspace_hook_error",
      `hook ${fields.op}: ${code}${fields.detail}`,
      fields.cause === undefined ? undefined : { cause: fields.cause },
    );
    this.name = "HookError";
    this.op = fields.op;
    this.script = truncateScript(fields.script);
    this.exitCode = fields.exitCode;
    this.output = fields.output;
    this.detail = fields.detail;
  }

  override toString(): string {
    return `${this.layer}: ${this.kind}: ${this.message}`;
  }
}

function truncateScript(script: string): string {
  const bytes = new TextEncoder().encode(script);
  if (bytes.length <= SCRIPT_DISPLAY_BYTES) return script;
  // A cut inside a multi-byte character decodes to U+FFFD; acceptable for a display string.
  return `${new TextDecoder().decode(bytes.subarray(0, SCRIPT_DISPLAY_BYTES))}...`;
}
