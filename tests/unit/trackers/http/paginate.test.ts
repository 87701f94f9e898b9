import { afterEach, describe, expect, test } from "bun:test";
import { SortieError } from "../../../../src/domain/errors.ts";
import { createHttpClient } from "../../../../src/trackers/http/client.ts";
import { collectLinkPages, paginateLink, paginateToken } from "../../../../src/trackers/http/paginate.ts";
import { type RecordingLogger, recordingLogger, rejectionOf } from "../support.ts";
import { type FakeServer, json, startFakeServer } from "./fake-server.ts";

const TOKEN = "tok_paginate_0123456789";
const servers: FakeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

/** A list endpoint of `pages` pages that links page to page with absolute self URLs. */
function pagedServer(pages: number): FakeServer {
  const server = startFakeServer();
  servers.push(server);
  server.handle((request) => {
    const page = Number(request.query.get("page") ?? "1");
    const links: string[] = [];
    if (page < pages) links.push(`<${server.url}/api/items?page=${page + 1}&per_page=2>; rel="next"`);
    links.push(`<${server.url}/api/items?page=${pages}&per_page=2>; rel="last"`);
    return json([`item-${page}a`, `item-${page}b`], { headers: { link: links.join(", ") } });
  });
  return server;
}

function client(server: FakeServer, logger: RecordingLogger = recordingLogger()) {
  return createHttpClient({
    baseUrl: `${server.url}/api`,
    fetch,
    headers: () => ({ authorization: `Bearer ${TOKEN}` }),
    secrets: [TOKEN],
    logger,
  });
}

const items = (body: unknown) => body as string[];

describe("Link pagination", () => {
  test("follows rel=next URLs verbatim, with the auth header on every page", async () => {
    const server = pagedServer(3);
    const all = await collectLinkPages(
      client(server),
      { path: "/items", query: { per_page: 2, state: "open" } },
      { maxPages: 200, items },
    );
    expect(all).toEqual(["item-1a", "item-1b", "item-2a", "item-2b", "item-3a", "item-3b"]);
    expect(server.requests.map((request) => request.query.toString())).toEqual([
      "per_page=2&state=open",
      "page=2&per_page=2",
      "page=3&per_page=2",
    ]);
    expect(
      server.requests.every((request) => request.headers.get("authorization") === `Bearer ${TOKEN}`),
    ).toBe(true);
  });

  test("stops at the page cap with one warning and returns what it has", async () => {
    const server = pagedServer(5);
    const logger = recordingLogger();
    const all = await collectLinkPages(client(server, logger), { path: "/items" }, { maxPages: 2, items });
    expect(all).toEqual(["item-1a", "item-1b", "item-2a", "item-2b"]);
    expect(server.requests.length).toBe(2);
    expect(logger.records).toEqual([
      {
        level: "warn",
        message: "pagination limit reached",
        properties: { max_pages: 2, endpoint: "/items" },
      },
    ]);
  });

  test("reaching the cap on the last page does not warn", async () => {
    const server = pagedServer(2);
    const logger = recordingLogger();
    const pages = [];
    for await (const page of paginateLink(client(server, logger), { path: "/items" }, { maxPages: 2 })) {
      pages.push(page.status);
    }
    expect(pages).toEqual([200, 200]);
    expect(logger.records).toEqual([]);
  });

  test("an error on a follow-up page names the full URL", async () => {
    const server = pagedServer(3);
    server.handle((request) =>
      request.query.get("page") === "2"
        ? new Response("gone", { status: 500 })
        : json(["x"], { headers: { link: `<${server.url}/api/items?page=2>; rel="next"` } }),
    );
    const err = await rejectionOf(
      collectLinkPages(client(server), { path: "/items" }, { maxPages: 10, items }),
    );
    expect(err).toBeInstanceOf(SortieError);
    expect((err as SortieError).message).toBe(`GET ${server.url}/api/items?page=2: server error 500: gone`);
  });
});

describe("token pagination", () => {
  test("re-sends the base query with nextPageToken until the token is absent", async () => {
    const server = startFakeServer();
    servers.push(server);
    server.handle((request) => {
      const token = request.query.get("nextPageToken");
      if (token === null) return json({ issues: [1], nextPageToken: "cursor_abc" });
      if (token === "cursor_abc") return json({ issues: [2], nextPageToken: "" });
      return new Response("unexpected", { status: 400 });
    });
    const seen: unknown[] = [];
    for await (const page of paginateToken(client(server), {
      path: "/rest/api/3/search/jql",
      query: { jql: "project = PROJ", fields: "summary" },
    })) {
      seen.push((page.body as { issues: number[] }).issues);
    }
    expect(seen).toEqual([[1], [2]]);
    expect(server.requests.map((request) => request.query.toString())).toEqual([
      "jql=project+%3D+PROJ&fields=summary",
      "jql=project+%3D+PROJ&fields=summary&nextPageToken=cursor_abc",
    ]);
  });

  test("a server that never stops handing out tokens is cut off at the guard", async () => {
    const server = startFakeServer(() => json({ issues: [], nextPageToken: "again" }));
    servers.push(server);
    const logger = recordingLogger();
    let pages = 0;
    for await (const _ of paginateToken(client(server, logger), { path: "/search" }, { maxPages: 3 }))
      pages++;
    expect(pages).toBe(3);
    expect(logger.messages("warn")).toEqual(["pagination limit reached"]);
  });
});
