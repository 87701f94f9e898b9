// The normalized issue every tracker adapter produces and every other layer consumes.

export interface BlockerRef {
  id: string;
  identifier: string;
  /** "" when the tracker did not say; an empty or non-terminal state blocks dispatch. */
  state: string;
}

export interface IssueComment {
  id: string;
  author: string;
  body: string;
  createdAt: string;
}

export interface ParentRef {
  id: string;
  identifier: string;
}

export interface Issue {
  /** Stable tracker-internal key. */
  id: string;
  /** Human key, used in logs and as the workspace name source. */
  identifier: string;
  /** Qualified form for the dashboard and API (GitHub `owner/repo#N`); "" means use `identifier`. */
  displayId: string;
  title: string;
  description: string;
  /** Lower is more urgent; integers only. */
  priority: number | null;
  /** Tracker casing; compared lower-cased everywhere. */
  state: string;
  branchName: string;
  url: string;
  /** Lower-cased, input order, never null. */
  labels: string[];
  assignee: string;
  issueType: string;
  parent: ParentRef | null;
  /** null = not fetched, [] = fetched and none. */
  comments: IssueComment[] | null;
  blockedBy: BlockerRef[];
  createdAt: string;
  updatedAt: string;
}

/** An issue with every optional field at its empty value; adapters and tests spread over it. */
export function emptyIssue(fields: Partial<Issue> & Pick<Issue, "id" | "identifier">): Issue {
  return {
    displayId: "",
    title: "",
    description: "",
    priority: null,
    state: "",
    branchName: "",
    url: "",
    labels: [],
    assignee: "",
    issueType: "",
    parent: null,
    comments: null,
    blockedBy: [],
    createdAt: "",
    updatedAt: "",
    ...fields,
  };
}
