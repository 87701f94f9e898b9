// The Jira Cloud v3 payloads the adapter reads, validated once at the boundary. Objects are loose
// (Jira adds fields freely) and every field the adapter does not strictly need may be absent or
// null; ADF bodies stay `unknown` because the renderer accepts any shape.
import * as v from "valibot";

const text = v.optional(v.nullable(v.string()));
const named = v.optional(v.nullable(v.looseObject({ name: text })));

const LinkedIssueSchema = v.looseObject({
  id: text,
  key: text,
  fields: v.optional(v.nullable(v.looseObject({ status: named }))),
});

const IssueLinkSchema = v.looseObject({
  type: named,
  inwardIssue: v.optional(v.nullable(LinkedIssueSchema)),
  outwardIssue: v.optional(v.nullable(LinkedIssueSchema)),
});

const FieldsSchema = v.looseObject({
  summary: text,
  status: named,
  priority: v.optional(v.nullable(v.looseObject({ id: text, name: text }))),
  labels: v.optional(v.nullable(v.array(v.nullable(v.string())))),
  assignee: v.optional(v.nullable(v.looseObject({ displayName: text }))),
  issuetype: named,
  parent: v.optional(v.nullable(v.looseObject({ id: text, key: text }))),
  issuelinks: v.optional(v.nullable(v.array(v.nullable(IssueLinkSchema)))),
  description: v.optional(v.unknown()),
  created: text,
  updated: text,
});

export const IssueSchema = v.looseObject({
  id: v.string(),
  key: text,
  fields: v.optional(v.nullable(FieldsSchema)),
});

export const SearchPageSchema = v.looseObject({
  issues: v.optional(v.nullable(v.array(IssueSchema))),
  nextPageToken: text,
});

const CommentSchema = v.looseObject({
  id: text,
  author: v.optional(v.nullable(v.looseObject({ displayName: text }))),
  body: v.optional(v.unknown()),
  created: text,
});

export const CommentsPageSchema = v.looseObject({
  startAt: v.optional(v.nullable(v.number())),
  maxResults: v.optional(v.nullable(v.number())),
  total: v.optional(v.nullable(v.number())),
  comments: v.optional(v.nullable(v.array(CommentSchema))),
});

const TransitionSchema = v.looseObject({
  id: v.string(),
  name: text,
  to: named,
});

export const TransitionsSchema = v.looseObject({
  transitions: v.optional(v.nullable(v.array(TransitionSchema))),
});

export type JiraIssue = v.InferOutput<typeof IssueSchema>;
export type JiraComment = v.InferOutput<typeof CommentSchema>;
export type JiraTransition = v.InferOutput<typeof TransitionSchema>;
