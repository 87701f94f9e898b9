// Validating a response body against a valibot schema at the adapter boundary, so the adapter
// trusts the typed value from then on.
import * as v from "valibot";
import { trackerError } from "../../domain/errors.ts";

/**
 * The body as the schema's output; a mismatch throws tracker_payload_error with `message`
 * (e.g. `failed to parse issues response`) and the first issues as the cause.
 */
export function decodeBody<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  body: unknown,
  message: string,
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  throw trackerError("tracker_payload_error", message, new Error(describeIssues(result.issues)));
}

/** `path.to.field: message; …` for the first few issues. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path === null ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}
