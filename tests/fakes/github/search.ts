// Enough of GitHub's issue-search syntax for the tracker: `repo:`, `type:`/`is:`, `state:`,
// `label:` (quoted or bare, `-label:` to exclude), `no:assignee`, `assignee:`, and free words
// matched against title and body. Unknown qualifiers are ignored, as GitHub ignores them too.
import { type IssueJson, labelNamesOf } from "./store.ts";

export interface SearchQuery {
  repo: string | null;
  type: "issue" | "pr" | null;
  state: "open" | "closed" | null;
  labels: string[];
  excludedLabels: string[];
  noAssignee: boolean;
  assignee: string | null;
  words: string[];
  /** Every qualifier as parsed, for assertions. */
  qualifiers: [string, string][];
}

/** Splits `q` on whitespace, keeping double-quoted values together. */
export function tokenize(q: string): string[] {
  return q.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

function unquote(value: string): string {
  return value.replace(/"/g, "");
}

export function parseSearch(q: string): SearchQuery {
  const query: SearchQuery = {
    repo: null,
    type: null,
    state: null,
    labels: [],
    excludedLabels: [],
    noAssignee: false,
    assignee: null,
    words: [],
    qualifiers: [],
  };
  for (const token of tokenize(q)) {
    const colon = token.indexOf(":");
    if (colon <= 0 || token.startsWith('"')) {
      query.words.push(unquote(token).toLowerCase());
      continue;
    }
    const key = token.slice(0, colon).toLowerCase();
    const value = unquote(token.slice(colon + 1));
    query.qualifiers.push([key, value]);
    if (key === "repo") query.repo = value.toLowerCase();
    else if ((key === "type" || key === "is") && (value === "issue" || value === "pr")) query.type = value;
    else if ((key === "state" || key === "is") && (value === "open" || value === "closed"))
      query.state = value;
    else if (key === "label") query.labels.push(value.toLowerCase());
    else if (key === "-label") query.excludedLabels.push(value.toLowerCase());
    else if (key === "no" && value === "assignee") query.noAssignee = true;
    else if (key === "assignee") query.assignee = value.toLowerCase();
  }
  return query;
}

export function matches(issue: IssueJson, query: SearchQuery, repo: string): boolean {
  if (query.repo !== null && query.repo !== repo.toLowerCase()) return false;
  const isPr = issue.pull_request !== undefined && issue.pull_request !== null;
  if (query.type === "issue" && isPr) return false;
  if (query.type === "pr" && !isPr) return false;
  if (query.state !== null && issue.state !== query.state) return false;
  const labels = labelNamesOf(issue).map((label) => label.toLowerCase());
  if (!query.labels.every((label) => labels.includes(label))) return false;
  if (query.excludedLabels.some((label) => labels.includes(label))) return false;
  const assignees = (Array.isArray(issue.assignees) ? issue.assignees : []).map((a) =>
    String((a as { login?: unknown }).login ?? "").toLowerCase(),
  );
  if (query.noAssignee && assignees.length > 0) return false;
  if (query.assignee !== null && !assignees.includes(query.assignee)) return false;
  const text = `${issue.title ?? ""} ${issue.body ?? ""}`.toLowerCase();
  return query.words.every((word) => text.includes(word));
}
