// Jira issues and comments → the normalized Issue and IssueComment every layer consumes.
import type { BlockerRef, Issue, IssueComment } from "../../domain/issue.ts";
import { integerStringPriority, normalizeLabels } from "../normalize.ts";
import { adfToText } from "./adf-to-text.ts";
import type { JiraComment, JiraIssue } from "./schema.ts";

/** The link type whose inward side blocks an issue; renamed link types are not recognised. */
const BLOCKS_LINK = "Blocks";

/**
 * `endpoint` is the site root, for `url` = `<endpoint>/browse/<key>`. Priority is the priority's
 * id (1 = Highest in the default scheme), never its name. `comments` is null: callers that
 * fetched comments set them.
 */
export function toIssue(raw: JiraIssue, endpoint: string): Issue {
  const fields = raw.fields ?? {};
  const key = raw.key ?? "";
  return {
    id: raw.id,
    identifier: key,
    displayId: "",
    title: fields.summary ?? "",
    description: adfToText(fields.description),
    priority: integerStringPriority(fields.priority?.id),
    state: fields.status?.name ?? "",
    branchName: "",
    url: key === "" ? "" : `${endpoint}/browse/${key}`,
    labels: normalizeLabels(fields.labels),
    assignee: fields.assignee?.displayName ?? "",
    issueType: fields.issuetype?.name ?? "",
    parent:
      fields.parent === null || fields.parent === undefined
        ? null
        : { id: fields.parent.id ?? "", identifier: fields.parent.key ?? "" },
    comments: null,
    blockedBy: blockers(raw),
    createdAt: fields.created ?? "",
    updatedAt: fields.updated ?? "",
  };
}

/** Inward `Blocks` links: the linked issue blocks this one. Outward and other links are ignored. */
function blockers(raw: JiraIssue): BlockerRef[] {
  const refs: BlockerRef[] = [];
  for (const link of raw.fields?.issuelinks ?? []) {
    const inward = link?.inwardIssue;
    if (link?.type?.name !== BLOCKS_LINK || inward === null || inward === undefined) continue;
    refs.push({
      id: inward.id ?? "",
      identifier: inward.key ?? "",
      state: inward.fields?.status?.name ?? "",
    });
  }
  return refs;
}

export function toComment(raw: JiraComment): IssueComment {
  return {
    id: raw.id ?? "",
    author: raw.author?.displayName ?? "",
    body: adfToText(raw.body),
    createdAt: raw.created ?? "",
  };
}
