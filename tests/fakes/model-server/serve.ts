// The HTTP front every fake model server shares: a local port and a log of every request. The
// agent under test also gets the fake as its HTTP(S) proxy, so a request for any other host
// arrives here too; it is logged as foreign and refused, and a test can prove that the agent
// contacted nobody else.

export interface LoggedRequest {
  method: string;
  /** The path; for a foreign request the whole URL (a CONNECT names only host:port). */
  path: string;
  host: string;
  /** A POST body as JSON, else as raw text; undefined when there is none. */
  body: unknown;
  /** Addressed to another host (the fake is also the agent's proxy). */
  foreign: boolean;
}

/** Answers one request for the fake's own host; `body` is what the log recorded. */
export type ModelRoute = (req: Request, url: URL, body: unknown) => Response | Promise<Response>;

export interface FakeModelServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: LoggedRequest[];
  stop(): Promise<void>;
}

export function serveFakeModel(route: ModelRoute): FakeModelServer {
  const requests: LoggedRequest[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    // A scripted delay keeps a response open for longer than Bun's default idle timeout.
    idleTimeout: 0,
    async fetch(req, srv) {
      const host = req.headers.get("host") ?? "";
      if (req.method === "CONNECT" || host !== `127.0.0.1:${srv.port}`) {
        requests.push({ method: req.method, path: req.url, host, body: undefined, foreign: true });
        return new Response("sortie fake: no other hosts", { status: 403 });
      }
      const url = new URL(req.url);
      const body = await readBody(req);
      requests.push({ method: req.method, path: url.pathname, host, body, foreign: false });
      return route(req, url, body);
    },
  });
  return {
    origin: `http://127.0.0.1:${server.port}`,
    requests,
    async stop() {
      await server.stop(true);
    },
  };
}

async function readBody(req: Request): Promise<unknown> {
  const text = req.method === "POST" ? await req.text() : "";
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
