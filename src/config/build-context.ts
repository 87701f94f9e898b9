// What every section builder needs: the environment for expansion, which fields came from
// overrides, and a sink that collects ConfigIssues with their place in WORKFLOW.md.
import { goValue } from "../domain/go-format.ts";
import { coerceInt, presentValue, type RawMap } from "./coerce.ts";
import type { Env } from "./expand.ts";
import type { PositionIndex } from "./positions.ts";
import type { ConfigIssue } from "./types.ts";

export interface BuildContext {
  env: Env;
  homeDir: string | undefined;
  cwd: string;
  /** Directory of the absolute workflow path; relative db_path and home_dir resolve against it. */
  workflowDir: string;
  /** Field paths whose value came from a SORTIE_* variable or the .env file. */
  overridden: ReadonlySet<string>;
  /** Field paths whose override failed to coerce (already reported). */
  failed: ReadonlySet<string>;
  issues: ConfigIssue[];
  positions: PositionIndex;
}

/** Records an issue; its line/column are set only when the value came from the file. */
export function report(ctx: BuildContext, field: string, message: string): void {
  const fromOverride = [...ctx.overridden].some((p) => field === p || field.startsWith(`${p}.`));
  const position = fromOverride ? undefined : ctx.positions.nearest(field);
  ctx.issues.push(
    position === undefined
      ? { field, message }
      : { field, message, line: position.line, column: position.column },
  );
}

export type IntField = { state: "absent" } | { state: "invalid" } | { state: "ok"; value: number };

/** Reads an integer field (CFG-03): absent/null → absent; a bad value is reported as `invalid integer value`. */
export function readInt(ctx: BuildContext, map: RawMap | undefined, key: string, field: string): IntField {
  if (ctx.failed.has(field)) return { state: "invalid" };
  const value = presentValue(map, key);
  if (value === undefined) return { state: "absent" };
  const coerced = coerceInt(value);
  if (!coerced.ok) {
    report(ctx, field, `invalid integer value: ${goValue(value)}`);
    return { state: "invalid" };
  }
  return { state: "ok", value: coerced.value };
}

/** The integer, or fallback when absent, invalid or (zero means default) 0. */
export function intOrDefault(result: IntField, fallback: number): number {
  return result.state === "ok" && result.value !== 0 ? result.value : fallback;
}
