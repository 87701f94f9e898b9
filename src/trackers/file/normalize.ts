// File issue objects → the normalized Issue every layer consumes.
import type { Issue, IssueComment } from "../../domain/issue.ts";
import { normalizeLabels, strictIntegerPriority } from "../normalize.ts";
import type { FileComment, FileIssue } from "./format.ts";

/** Labels lower-cased; priority only from an integer literal; comments null when absent or null. */
export function toIssue(raw: FileIssue): Issue {
  return {
    id: raw.id ?? "",
    identifier: raw.identifier ?? "",
    displayId: "",
    title: raw.title ?? "",
    description: raw.description ?? "",
    priority: strictIntegerPriority(raw.priority),
    state: raw.state ?? "",
    branchName: raw.branch_name ?? "",
    url: raw.url ?? "",
    labels: normalizeLabels(raw.labels),
    assignee: raw.assignee ?? "",
    issueType: raw.issue_type ?? "",
    parent:
      raw.parent === null || raw.parent === undefined
        ? null
        : { id: raw.parent.id ?? "", identifier: raw.parent.identifier ?? "" },
    comments: raw.comments === null || raw.comments === undefined ? null : raw.comments.map(toComment),
    blockedBy: (raw.blocked_by ?? []).map((blocker) => ({
      id: blocker?.id ?? "",
      identifier: blocker?.identifier ?? "",
      state: blocker?.state ?? "",
    })),
    createdAt: raw.created_at ?? "",
    updatedAt: raw.updated_at ?? "",
  };
}

function toComment(comment: FileComment | null): IssueComment {
  return {
    id: comment?.id ?? "",
    author: comment?.author ?? "",
    body: comment?.body ?? "",
    createdAt: comment?.created_at ?? "",
  };
}
