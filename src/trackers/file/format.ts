// The file tracker's JSON format: a top-level array of issue objects. Parsing keeps the raw
// array (for write-back with key order and unknown keys intact) next to the validated view.
import * as v from "valibot";
import { trackerError } from "../../domain/errors.ts";
import { describeIssues } from "../http/decode.ts";

// Absent and null strings both read as "" (the original decodes null into the zero value).
const text = v.optional(v.nullable(v.string()));

const ParentSchema = v.looseObject({ id: text, identifier: text });
const CommentSchema = v.looseObject({ id: text, author: text, body: text, created_at: text });
const BlockerSchema = v.looseObject({ id: text, identifier: text, state: text });

const IssueSchema = v.looseObject({
  id: text,
  identifier: text,
  title: text,
  description: text,
  // Any JSON value: only an integer literal becomes a priority, everything else is null.
  priority: v.optional(v.unknown()),
  state: text,
  branch_name: text,
  url: text,
  labels: v.optional(v.nullable(v.array(v.nullable(v.string())))),
  assignee: text,
  issue_type: text,
  parent: v.optional(v.nullable(ParentSchema)),
  comments: v.optional(v.nullable(v.array(v.nullable(CommentSchema)))),
  blocked_by: v.optional(v.nullable(v.array(v.nullable(BlockerSchema)))),
  created_at: text,
  updated_at: text,
});

const FileSchema = v.nullable(v.array(v.nullable(IssueSchema)));

export type FileIssue = v.InferOutput<typeof IssueSchema>;
export type FileComment = NonNullable<v.InferOutput<typeof CommentSchema>>;

/** A JSON object as it sits in the file; mutated in place by write-back. */
export type RawIssue = Record<string, unknown>;

export interface IssuesFile {
  /** The top-level array as parsed; entries line up with `issues`. */
  raw: unknown[];
  /** Validated view of each entry; null entries stay null and are skipped by readers. */
  issues: (FileIssue | null)[];
}

/**
 * Parses the file text. Numbers whose text is not the canonical form (`2.0`, `1e2`, `-0`, digits
 * beyond double precision) are kept as raw JSON values, so they are written back byte for byte
 * and never mistaken for an integer priority.
 */
export function parseIssuesFile(source: string, path: string): IssuesFile {
  let raw: unknown;
  try {
    raw = JSON.parse(source, keepNonCanonicalNumbers);
  } catch (err) {
    throw trackerError("tracker_payload_error", `failed to parse file: ${path}`, err);
  }
  const result = v.safeParse(FileSchema, raw);
  if (!result.success) {
    throw trackerError(
      "tracker_payload_error",
      `failed to parse file: ${path}`,
      new Error(describeIssues(result.issues)),
    );
  }
  return { raw: (raw as unknown[] | null) ?? [], issues: result.output ?? [] };
}

/** Serialises the raw array as the file holds it: 2-space indent, trailing newline. */
export function serialiseIssuesFile(raw: unknown[]): string {
  return `${JSON.stringify(raw, null, 2)}\n`;
}

function keepNonCanonicalNumbers(
  this: unknown,
  _key: string,
  value: unknown,
  context?: { source?: string },
): unknown {
  if (typeof value !== "number" || context?.source === undefined) return value;
  return String(value) === context.source ? value : rawJson(context.source);
}

// JSON.rawJSON (from the JSON.parse source-text proposal, shipped by JavaScriptCore and V8) is not
// in TypeScript's lib yet.
function rawJson(text: string): unknown {
  return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(text);
}
