// Pagination over the shared HTTP client: `Link` rel="next" chains (GitHub) and page-token
// cursors (Jira search). Both stop at a page cap with a WARN and return what they have.
import type { HttpClient, HttpRequest, HttpResponse } from "./client.ts";

export interface LinkPaginationOptions {
  /** After this many pages, a remaining next link is logged and not followed. */
  maxPages: number;
}

/**
 * Yields the first response, then each page named by the previous response's `Link` rel="next"
 * URL, requested verbatim (no query re-added) with the same method, headers, resource and signal.
 */
export async function* paginateLink(
  client: HttpClient,
  first: HttpRequest,
  options: LinkPaginationOptions,
): AsyncGenerator<HttpResponse, void, undefined> {
  let response = await client.request(first);
  yield response;
  let pages = 1;
  while (response.nextLink !== null) {
    if (pages >= options.maxPages) {
      warnPageCap(client, first, options.maxPages);
      return;
    }
    const url = absoluteUrl(response.nextLink, client.baseUrl);
    response = await client.request({ ...first, path: undefined, query: undefined, url });
    yield response;
    pages++;
  }
}

/** Every page's items, in order; `items` extracts (and should validate) one page's body. */
export async function collectLinkPages<T>(
  client: HttpClient,
  first: HttpRequest,
  options: LinkPaginationOptions & { items: (body: unknown, response: HttpResponse) => readonly T[] },
): Promise<T[]> {
  const all: T[] = [];
  for await (const response of paginateLink(client, first, options)) {
    all.push(...options.items(response.body, response));
  }
  return all;
}

export interface TokenPaginationOptions {
  /** Query parameter carrying the token on follow-up requests; `nextPageToken`. */
  tokenParam?: string;
  /** Token for the next page from a page body; default: a string `nextPageToken` field. */
  nextToken?: (body: unknown) => string | null | undefined;
  /** Guard against a server that never stops; 1000 pages. */
  maxPages?: number;
}

const DEFAULT_TOKEN_PAGE_CAP = 1000;

/** Yields pages, re-sending the first request's query plus `<tokenParam>=<token>` until no token. */
export async function* paginateToken(
  client: HttpClient,
  first: HttpRequest,
  options: TokenPaginationOptions = {},
): AsyncGenerator<HttpResponse, void, undefined> {
  const tokenParam = options.tokenParam ?? "nextPageToken";
  const nextToken = options.nextToken ?? defaultNextToken;
  const maxPages = options.maxPages ?? DEFAULT_TOKEN_PAGE_CAP;
  let token: string | null | undefined = null;
  for (let pages = 0; ; ) {
    const query = token ? { ...first.query, [tokenParam]: token } : first.query;
    const response = await client.request({ ...first, query });
    yield response;
    pages++;
    token = nextToken(response.body);
    if (!token) return;
    if (pages >= maxPages) {
      warnPageCap(client, first, maxPages);
      return;
    }
  }
}

function defaultNextToken(body: unknown): string | null {
  if (body === null || typeof body !== "object") return null;
  const token = (body as { nextPageToken?: unknown }).nextPageToken;
  return typeof token === "string" ? token : null;
}

function warnPageCap(client: HttpClient, first: HttpRequest, maxPages: number): void {
  client.logger.warn("pagination limit reached", { max_pages: maxPages, endpoint: first.path ?? first.url });
}

/** Link targets are absolute in practice; a relative one resolves against the API root. */
function absoluteUrl(link: string, baseUrl: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(link) ? link : new URL(link, `${baseUrl}/`).toString();
}
