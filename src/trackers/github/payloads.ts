// The shapes of the GitHub REST payloads the adapter reads, validated once at the boundary.
// Schemas are loose: GitHub adds fields all the time and the adapter ignores what it does not use.
import * as v from "valibot";

const text = v.optional(v.nullable(v.string()));

/** Labels come as objects (`{name}`) and, in some older payloads, as bare strings. */
const LabelSchema = v.union([v.string(), v.looseObject({ name: text })]);

export const IssueSchema = v.looseObject({
  number: v.number(),
  title: text,
  body: text,
  state: text,
  html_url: text,
  labels: v.optional(v.nullable(v.array(LabelSchema))),
  assignees: v.optional(v.nullable(v.array(v.nullable(v.looseObject({ login: text }))))),
  type: v.optional(v.nullable(v.looseObject({ name: text }))),
  // Present and non-null only on pull requests, which the issues endpoints mix in.
  pull_request: v.optional(v.unknown()),
  created_at: text,
  updated_at: text,
});

export type GitHubIssue = v.InferOutput<typeof IssueSchema>;

export const IssueListSchema = v.array(IssueSchema);

export const SearchSchema = v.looseObject({
  total_count: v.optional(v.nullable(v.number())),
  incomplete_results: v.optional(v.nullable(v.boolean())),
  items: v.array(IssueSchema),
});

export const CommentSchema = v.looseObject({
  id: v.number(),
  user: v.optional(v.nullable(v.looseObject({ login: text }))),
  body: text,
  created_at: text,
});

export type GitHubComment = v.InferOutput<typeof CommentSchema>;

export const CommentListSchema = v.array(CommentSchema);

/** True for pull requests: the `pull_request` key is present and not null. */
export function isPullRequest(issue: GitHubIssue): boolean {
  return issue.pull_request !== undefined && issue.pull_request !== null;
}

/** Label names in payload order. */
export function labelNames(issue: GitHubIssue): string[] {
  return (issue.labels ?? []).map((label) => (typeof label === "string" ? label : (label.name ?? "")));
}
