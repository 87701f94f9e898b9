// GitHub issue payloads → the normalized Issue. The id and identifier are both the issue number,
// the state comes from the labels, and displayId is `owner/repo#N`.
import type { BlockerRef, Issue, IssueComment, ParentRef } from "../../domain/issue.ts";
import { normalizeLabels } from "../normalize.ts";
import { type GitHubComment, type GitHubIssue, labelNames } from "./payloads.ts";
import { deriveState, type StateLabels } from "./states.ts";

/** A list entry: no comments fetched, no blockers or parent (those need per-issue requests). */
export function toIssue(raw: GitHubIssue, states: StateLabels, project: string): Issue {
  const labels = labelNames(raw);
  const number = String(raw.number);
  return {
    id: number,
    identifier: number,
    displayId: `${project}#${number}`,
    title: raw.title ?? "",
    description: raw.body ?? "",
    priority: null,
    state: deriveState(labels, raw.state ?? "", states),
    branchName: "",
    url: raw.html_url ?? "",
    labels: normalizeLabels(labels),
    assignee: raw.assignees?.[0]?.login ?? "",
    issueType: raw.type?.name ?? "",
    parent: null,
    comments: null,
    blockedBy: [],
    createdAt: raw.created_at ?? "",
    updatedAt: raw.updated_at ?? "",
  };
}

/** A blocking issue: its number twice and its derived state. */
export function toBlocker(raw: GitHubIssue, states: StateLabels): BlockerRef {
  const number = String(raw.number);
  return { id: number, identifier: number, state: deriveState(labelNames(raw), raw.state ?? "", states) };
}

/** The parent issue by number (not GitHub's global id). */
export function toParent(raw: GitHubIssue): ParentRef {
  const number = String(raw.number);
  return { id: number, identifier: number };
}

export function toComment(raw: GitHubComment): IssueComment {
  return {
    id: String(raw.id),
    author: raw.user?.login ?? "",
    body: raw.body ?? "",
    createdAt: raw.created_at ?? "",
  };
}
