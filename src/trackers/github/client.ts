// The GitHub REST endpoints the tracker uses, over the shared HTTP client: fixed headers, the
// status mapping that tells rate limits from permission errors, per-resource pacing, `Link`
// pagination and payload validation. Everything returned is already typed.
import type * as v from "valibot";
import { createHttpClient, type HttpClient, type HttpRequest } from "../http/client.ts";
import { decodeBody } from "../http/decode.ts";
import { collectLinkPages } from "../http/paginate.ts";
import { apiPath } from "../http/path.ts";
import type { TrackerLogger } from "../registry.ts";
import {
  CommentListSchema,
  type GitHubComment,
  type GitHubIssue,
  IssueListSchema,
  IssueSchema,
  SearchSchema,
} from "./payloads.ts";
import type { Repository } from "./project.ts";
import {
  CORE_RESOURCE,
  GitHubRateLimiter,
  gitHubExhaustion,
  mapGitHubStatus,
  SEARCH_RESOURCE,
} from "./rate-limits.ts";

export const DEFAULT_ENDPOINT = "https://api.github.com";
export const API_VERSION = "2026-03-10";
export const ACCEPT = "application/vnd.github+json";
export const PAGE_SIZE = 50;
/** 10 000 items at 50 per page. */
export const MAX_PAGES = 200;

export interface GitHubClientOptions {
  /** API root (`https://api.github.com`, or `https://host/api/v3` for GitHub Enterprise). */
  endpoint: string;
  token: string;
  userAgent: string;
  repository: Repository;
  fetch: typeof fetch;
  logger: TrackerLogger;
  now: () => Date;
  /** Per request; the HTTP client's 30 s when absent. */
  timeoutMs?: number;
}

/** A conditional issue read: 304 (unchanged since `etag`) or the issue with its new ETag. */
export type ConditionalIssue =
  | { status: "not_modified" }
  | { status: "ok"; issue: GitHubIssue; etag: string | null };

export interface SearchResult {
  items: GitHubIssue[];
  /** GitHub said at least one page is incomplete (the search timed out on its side). */
  incomplete: boolean;
}

export interface GitHubClient {
  readonly limiter: GitHubRateLimiter;
  /** `/repos/{owner}/{repo}/issues/{n}`: the request path of an issue, also the ETag cache key. */
  issuePath(number: string): string;
  /** Open issues and pull requests, oldest first, every page. */
  listOpenIssues(signal?: AbortSignal): Promise<GitHubIssue[]>;
  /** Issue search, oldest first, every page; `q` as GitHub's search syntax. */
  searchIssues(q: string, signal?: AbortSignal): Promise<SearchResult>;
  getIssue(number: string, signal?: AbortSignal): Promise<GitHubIssue>;
  /** Sends `If-None-Match: <etag>` verbatim when an ETag is given. */
  getIssueIfChanged(
    number: string,
    etag: string | undefined,
    signal?: AbortSignal,
  ): Promise<ConditionalIssue>;
  listBlockedBy(number: string, signal?: AbortSignal): Promise<GitHubIssue[]>;
  getParent(number: string, signal?: AbortSignal): Promise<GitHubIssue>;
  listComments(number: string, signal?: AbortSignal): Promise<GitHubComment[]>;
  removeLabel(number: string, label: string, signal?: AbortSignal): Promise<void>;
  addLabels(number: string, labels: readonly string[], signal?: AbortSignal): Promise<void>;
  close(number: string, signal?: AbortSignal): Promise<void>;
  reopen(number: string, signal?: AbortSignal): Promise<void>;
  createComment(number: string, body: string, signal?: AbortSignal): Promise<void>;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { owner, repo } = options.repository;
  const limiter = new GitHubRateLimiter({ now: options.now, logger: options.logger });
  const endpoint = options.endpoint.replace(/\/+$/, "");
  const apiOrigin = new URL(endpoint).origin;
  const fixed = { accept: ACCEPT, "x-github-api-version": API_VERSION, "user-agent": options.userAgent };
  const http: HttpClient = createHttpClient({
    baseUrl: endpoint,
    fetch: options.fetch,
    // The token goes to the API's own origin only, whatever a `Link` header points at.
    headers: (url) =>
      url.origin === apiOrigin ? { ...fixed, authorization: `Bearer ${options.token}` } : fixed,
    secrets: [options.token],
    timeoutMs: options.timeoutMs,
    mapStatus: mapGitHubStatus,
    rateLimits: { limiter, defaultResource: CORE_RESOURCE, isExhausted: gitHubExhaustion(limiter) },
    logger: options.logger,
  });

  const issuePath = (number: string) => apiPath`/repos/${owner}/${repo}/issues/${number}`;

  function pages<T>(request: HttpRequest, schema: v.GenericSchema<unknown, T[]>, what: string): Promise<T[]> {
    const message = `failed to parse ${what} response`;
    return collectLinkPages(
      http,
      { ...request, parseErrorMessage: message },
      { maxPages: MAX_PAGES, items: (body) => decodeBody(schema, body, message) },
    );
  }

  async function getOne(path: string, what: string, signal: AbortSignal | undefined): Promise<GitHubIssue> {
    const message = `failed to parse ${what} response`;
    const response = await http.request({ path, signal, parseErrorMessage: message });
    return decodeBody(IssueSchema, response.body, message);
  }

  return {
    limiter,
    issuePath,

    listOpenIssues: (signal) =>
      pages(
        {
          path: apiPath`/repos/${owner}/${repo}/issues`,
          query: { state: "open", sort: "created", direction: "asc", per_page: PAGE_SIZE },
          signal,
        },
        IssueListSchema,
        "issues",
      ),

    async searchIssues(q, signal) {
      const message = "failed to parse search response";
      let incomplete = false;
      const items = await collectLinkPages(
        http,
        {
          path: "/search/issues",
          query: { q, sort: "created", order: "asc", per_page: PAGE_SIZE },
          resource: SEARCH_RESOURCE,
          signal,
          parseErrorMessage: message,
        },
        {
          maxPages: MAX_PAGES,
          items: (body) => {
            const page = decodeBody(SearchSchema, body, message);
            if (page.incomplete_results === true) incomplete = true;
            return page.items;
          },
        },
      );
      return { items, incomplete };
    },

    getIssue: (number, signal) => getOne(issuePath(number), "issue", signal),

    async getIssueIfChanged(number, etag, signal) {
      const message = "failed to parse issue response";
      const response = await http.request({
        path: issuePath(number),
        headers: etag === undefined ? undefined : { "if-none-match": etag },
        signal,
        parseErrorMessage: message,
      });
      if (response.status === 304) return { status: "not_modified" };
      const header = response.headers.get("etag");
      return {
        status: "ok",
        issue: decodeBody(IssueSchema, response.body, message),
        etag: header === null || header === "" ? null : header,
      };
    },

    listBlockedBy: (number, signal) =>
      pages(
        { path: `${issuePath(number)}/dependencies/blocked_by`, query: { per_page: PAGE_SIZE }, signal },
        IssueListSchema,
        "blockers",
      ),

    getParent: (number, signal) => getOne(`${issuePath(number)}/parent`, "parent", signal),

    listComments: (number, signal) =>
      pages(
        { path: `${issuePath(number)}/comments`, query: { per_page: PAGE_SIZE }, signal },
        CommentListSchema,
        "comments",
      ),

    async removeLabel(number, label, signal) {
      await http.request({
        method: "DELETE",
        path: `${issuePath(number)}/labels/${encodeURIComponent(label)}`,
        signal,
        responseType: "text",
      });
    },

    async addLabels(number, labels, signal) {
      await http.request({
        method: "POST",
        path: `${issuePath(number)}/labels`,
        json: { labels },
        signal,
        responseType: "text",
      });
    },

    async close(number, signal) {
      await http.request({
        method: "PATCH",
        path: issuePath(number),
        json: { state: "closed", state_reason: "completed" },
        signal,
        responseType: "text",
      });
    },

    async reopen(number, signal) {
      await http.request({
        method: "PATCH",
        path: issuePath(number),
        json: { state: "open" },
        signal,
        responseType: "text",
      });
    },

    async createComment(number, body, signal) {
      await http.request({
        method: "POST",
        path: `${issuePath(number)}/comments`,
        json: { body },
        signal,
        responseType: "text",
      });
    },
  };
}
