// A local HTTP server on port 0 that records every request and answers through a handler the
// test sets, standing in for a tracker API.
import type { Server } from "bun";

export interface RecordedRequest {
  method: string;
  /** Decoded path. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}

export type FakeHandler = (request: RecordedRequest, url: URL) => Response | Promise<Response>;

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  handle(handler: FakeHandler): void;
  stop(): Promise<void>;
}

export function startFakeServer(handler: FakeHandler = () => new Response("{}")): FakeServer {
  const requests: RecordedRequest[] = [];
  let current = handler;
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const recorded: RecordedRequest = {
        method: request.method,
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: request.headers,
        body: await request.text(),
      };
      requests.push(recorded);
      return current(recorded, url);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    handle: (next) => {
      current = next;
    },
    stop: () => server.stop(true),
  };
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  });
}
