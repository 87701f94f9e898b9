// The fake GitHub's endpoints: issues (list, read with ETags, PATCH), labels, comments,
// blocked-by dependencies, parents and issue search, with GitHub's status codes and `Link`
// pagination (absolute URLs back to the fake).
import { matches, parseSearch } from "./search.ts";
import { type IssueJson, publicIssue, type RepoStore } from "./store.ts";

export interface RouteContext {
  url: URL;
  recorded: { method: string; query: URLSearchParams; headers: Headers; body: string };
  /** Path segments below the API root, each percent-decoded. */
  segments: string[];
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouterDeps {
  repo: RepoStore;
  /** `http://127.0.0.1:<port>`, for Link URLs. */
  origin: () => string;
  incompleteResults: () => boolean;
  strictLabels?: boolean;
  dependencies?: boolean;
  weakEtags?: boolean;
  login?: string;
}

const SEARCH_RESULT_CAP = 1000;
const DOCS = "https://docs.github.com/rest";

/** Answers one authenticated request within budget. */
export function createRouter(deps: RouterDeps): (ctx: RouteContext) => Answer {
  const repo = deps.repo;
  type Context = RouteContext;

  function route(ctx: Context): Answer {
    const { segments, recorded } = ctx;
    const method = recorded.method;
    if (segments[0] === "search" && segments[1] === "issues" && segments.length === 2 && method === "GET") {
      return search(ctx);
    }
    if (segments[0] !== "repos" || segments.length < 4 || segments[3] !== "issues") {
      return { status: 404, body: notFound() };
    }
    const [, owner, name] = segments;
    if (
      owner?.toLowerCase() !== repo.owner.toLowerCase() ||
      name?.toLowerCase() !== repo.repo.toLowerCase()
    ) {
      return { status: 404, body: notFound() };
    }
    const rest = segments.slice(4);
    if (rest.length === 0) return method === "GET" ? listIssues(ctx) : methodNotAllowed();

    const number = /^\d+$/.test(rest[0] ?? "") ? Number(rest[0]) : Number.NaN;
    if (repo.isDeleted(number)) return { status: 410, body: { message: "This issue was deleted" } };
    const issue = repo.get(number);
    if (issue === undefined) return { status: 404, body: notFound() };
    const tail = rest.slice(1).join("/");

    if (tail === "") {
      if (method === "GET") return getIssue(ctx, issue);
      if (method === "PATCH") return patchIssue(ctx, issue);
      return methodNotAllowed();
    }
    if (tail === "comments") {
      if (method === "GET") return page(ctx, repo.comments(number));
      if (method === "POST") return postComment(ctx, issue);
      return methodNotAllowed();
    }
    if (tail === "labels") {
      if (method === "GET") return page(ctx, issue.labels as unknown[]);
      if (method === "POST") return postLabels(ctx, issue);
      return methodNotAllowed();
    }
    if (rest[1] === "labels" && rest.length === 3 && method === "DELETE") {
      const label = rest[2] ?? "";
      if (!repo.removeLabel(number, label)) return { status: 404, body: { message: "Label does not exist" } };
      return { status: 200, body: repo.get(number)?.labels };
    }
    if (tail === "dependencies/blocked_by" && method === "GET") {
      if (deps.dependencies === false) return { status: 404, body: notFound() };
      return page(ctx, repo.blockedBy(number).map(publicIssue));
    }
    if (tail === "parent" && method === "GET") {
      const parent = repo.parent(number);
      return parent === undefined
        ? { status: 404, body: notFound() }
        : { status: 200, body: publicIssue(parent) };
    }
    return { status: 404, body: notFound() };
  }

  function listIssues(ctx: Context): Answer {
    const query = ctx.recorded.query;
    const state = query.get("state") ?? "open";
    const labels = (query.get("labels") ?? "")
      .split(",")
      .map((label) => label.trim().toLowerCase())
      .filter((label) => label !== "");
    const issues = repo
      .all()
      .filter((issue) => state === "all" || issue.state === state)
      .filter((issue) => {
        const names = repo.labelsOf(issue.number).map((label) => label.toLowerCase());
        return labels.every((label) => names.includes(label));
      });
    sortIssues(issues, query.get("sort") ?? "created", query.get("direction") ?? "desc");
    return page(ctx, issues.map(publicIssue));
  }

  function search(ctx: Context): Answer {
    const query = ctx.recorded.query;
    const q = query.get("q");
    if (q === null || q.trim() === "") {
      return {
        status: 422,
        body: { message: "Validation Failed", errors: [{ field: "q", code: "missing" }] },
      };
    }
    const parsed = parseSearch(q);
    const found = repo.all().filter((issue) => matches(issue, parsed, `${repo.owner}/${repo.repo}`));
    const sort = query.get("sort");
    if (sort !== null) sortIssues(found, sort, query.get("order") ?? "desc");
    const { perPage, pageNumber } = pageParams(query);
    if ((pageNumber - 1) * perPage >= SEARCH_RESULT_CAP && found.length > 0) {
      return { status: 422, body: { message: "Only the first 1000 search results are available" } };
    }
    const reachable = found.slice(0, SEARCH_RESULT_CAP);
    const paged = page(ctx, reachable.map(publicIssue));
    return {
      ...paged,
      body: { total_count: found.length, incomplete_results: deps.incompleteResults(), items: paged.body },
    };
  }

  function getIssue(ctx: Context, issue: IssueJson): Answer {
    const tag = repo.etag(issue);
    const etag = deps.weakEtags ? `W/${tag}` : tag;
    const ifNoneMatch = ctx.recorded.headers.get("if-none-match");
    if (ifNoneMatch !== null && etagMatches(ifNoneMatch, tag)) {
      return { status: 304, headers: { etag } };
    }
    return { status: 200, body: publicIssue(issue), headers: { etag } };
  }

  function patchIssue(ctx: Context, issue: IssueJson): Answer {
    const body = parseBody(ctx);
    if (body === undefined) return problemsParsingJson();
    const state = body.state;
    if (state !== undefined && state !== "open" && state !== "closed") {
      return validationFailed("Issue", "state", "invalid");
    }
    const reason = body.state_reason;
    if (
      reason !== undefined &&
      reason !== null &&
      !["completed", "not_planned", "reopened"].includes(String(reason))
    ) {
      return validationFailed("Issue", "state_reason", "invalid");
    }
    if (state !== undefined)
      repo.setState(issue.number, state, (reason as string | null | undefined) ?? null);
    return { status: 200, body: publicIssue(repo.get(issue.number) as IssueJson) };
  }

  function postComment(ctx: Context, issue: IssueJson): Answer {
    const body = parseBody(ctx);
    if (body === undefined) return problemsParsingJson();
    if (typeof body.body !== "string" || body.body === "")
      return validationFailed("IssueComment", "body", "missing_field");
    return { status: 201, body: repo.addComment(issue.number, body.body, deps.login ?? "sortie-bot") };
  }

  function postLabels(ctx: Context, issue: IssueJson): Answer {
    const body = parseBody(ctx);
    if (body === undefined) return problemsParsingJson();
    const labels = Array.isArray(body) ? body : body.labels;
    if (!Array.isArray(labels) || !labels.every((label) => typeof label === "string")) {
      return validationFailed("Label", "labels", "invalid");
    }
    if (deps.strictLabels) {
      const unknown = labels.find((label) => repo.label(label) === undefined);
      if (unknown !== undefined) return validationFailed("Label", "name", "invalid", unknown);
    }
    repo.addLabels(issue.number, labels);
    return { status: 200, body: repo.get(issue.number)?.labels };
  }

  /** One page of `items` with GitHub's `Link` header: absolute URLs back to this server. */
  function page(ctx: Context, items: readonly unknown[]): Answer & { body: unknown[] } {
    const { perPage, pageNumber } = pageParams(ctx.recorded.query);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const body = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    const link = (n: number) => {
      const target = new URL(`${deps.origin()}${ctx.url.pathname}${ctx.url.search}`);
      target.searchParams.set("page", String(n));
      return target.toString();
    };
    const links: string[] = [];
    if (pageNumber < last) links.push(`<${link(pageNumber + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
    if (pageNumber > 1) links.push(`<${link(1)}>; rel="first"`, `<${link(pageNumber - 1)}>; rel="prev"`);
    return { status: 200, body, headers: links.length === 0 ? {} : { link: links.join(", ") } };
  }

  function parseBody(ctx: Context): Record<string, unknown> | undefined {
    try {
      const parsed = JSON.parse(ctx.recorded.body);
      return parsed !== null && typeof parsed === "object" ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  return route;
}

function pageParams(query: URLSearchParams): { perPage: number; pageNumber: number } {
  const perPage = Math.min(100, Math.max(1, Number.parseInt(query.get("per_page") ?? "30", 10) || 30));
  const pageNumber = Math.max(1, Number.parseInt(query.get("page") ?? "1", 10) || 1);
  return { perPage, pageNumber };
}

function sortIssues(issues: IssueJson[], sort: string, direction: string): void {
  const key = sort === "updated" ? "updated_at" : "created_at";
  const sign = direction === "asc" ? 1 : -1;
  issues.sort((a, b) => {
    const byTime = String(a[key] ?? "").localeCompare(String(b[key] ?? ""));
    return sign * (byTime !== 0 ? byTime : a.number - b.number);
  });
}

/** `If-None-Match` lists tags; weak comparison, as GitHub does for GETs. */
function etagMatches(header: string, tag: string): boolean {
  const strip = (value: string) => value.trim().replace(/^W\//, "");
  return header.split(",").some((candidate) => candidate.trim() === "*" || strip(candidate) === strip(tag));
}

function notFound(): Record<string, string> {
  return { message: "Not Found", documentation_url: DOCS };
}

function methodNotAllowed(): { status: number; body: unknown } {
  return { status: 404, body: notFound() };
}

function problemsParsingJson(): { status: number; body: unknown } {
  return { status: 400, body: { message: "Problems parsing JSON" } };
}

function validationFailed(
  resource: string,
  field: string,
  code: string,
  value?: unknown,
): { status: number; body: unknown } {
  return {
    status: 422,
    body: {
      message: "Validation Failed",
      errors: [{ resource, field, code, ...(value === undefined ? {} : { value }) }],
    },
  };
}
