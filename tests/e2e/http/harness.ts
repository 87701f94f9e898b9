// Shared set-up for the HTTP surface tests: the compiled binary on a real port with the file tracker
// and the mock agent, plain fetch helpers, and a raw HTTP/1.1 client for request targets that fetch
// would normalise before sending (`/../`, `%2e%2e`).
import { connect } from "node:net";
import { freePort, type SortieProcess } from "../../helpers/sortie-process.ts";
import { sortieRuns } from "../../helpers/sortie-runs.ts";
import { waitFor } from "../../helpers/wait.ts";
import { type FileIssue, fileMockFrontMatter, type WorkflowDir } from "../../helpers/workflow.ts";

export const JSON_TYPE = "application/json; charset=utf-8";
export const TEXT_TYPE = "text/plain; charset=utf-8";
export const HTML_TYPE = "text/html; charset=utf-8";
export const METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
export const ZERO_TIME = "0001-01-01T00:00:00Z";
/** RFC 3339 UTC as the server writes it (toISOString). */
export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export interface HttpSortie {
  w: WorkflowDir;
  p: SortieProcess;
  port: number;
  url(path: string): string;
  get(path: string, init?: RequestInit): Promise<Response>;
  json<T = Record<string, unknown>>(path: string): Promise<T>;
}

export interface StartOptions {
  issues: FileIssue[];
  frontMatter?: Parameters<typeof fileMockFrontMatter>[1];
  /** Rewrites the generated front matter (e.g. to change a key it already sets). */
  edit?: (frontMatter: string) => string;
  args?: string[];
}

/** One test file's processes and temp dirs; call `cleanup` from afterEach. */
export function httpRuns() {
  const runs = sortieRuns();
  return {
    async start(opts: StartOptions): Promise<HttpSortie> {
      const w = runs.dir("sortie-http-");
      w.writeIssues(opts.issues);
      const frontMatter = fileMockFrontMatter(w, opts.frontMatter);
      w.writeWorkflow(opts.edit ? opts.edit(frontMatter) : frontMatter);
      const port = freePort();
      const p = runs.start(["--port", String(port), ...(opts.args ?? []), w.workflow], { cwd: w.dir });
      const url = (path: string) => `http://127.0.0.1:${port}${path}`;
      const run: HttpSortie = {
        w,
        p,
        port,
        url,
        get: (path, init) => fetch(url(path), init),
        json: async <T>(path: string) => (await (await fetch(url(path))).json()) as T,
      };
      await waitFor(async () => (await fetch(url("/readyz"))).status === 200, {
        what: () =>
          `sortie ready on :${port} (last log: ${p.records.at(-1)?.msg ?? "none"}; stderr: ${p.plain.slice(-3).join(" | ")})`,
      });
      return run;
    },
    cleanup: runs.cleanup,
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request with the target exactly as given (no dot-segment removal, no re-encoding) and
 * reads the answer until the server closes the connection.
 */
export function rawRequest(port: number, method: string, target: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${method} ${target}`)), 10_000);
    socket.on("connect", () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      if (split === -1) {
        reject(new Error(`incomplete answer to ${method} ${target}: ${JSON.stringify(text)}`));
        return;
      }
      const [statusLine = "", ...headerLines] = text.slice(0, split).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: text.slice(split + 4) });
    });
  });
}

/** `# TYPE` lines of a Prometheus exposition: family name → type. */
export function metricFamilies(exposition: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of exposition.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m?.[1] && m[2]) families.set(m[1], m[2]);
  }
  return families;
}

/** Value of one sample, e.g. `sortie_dispatches_total{outcome="success"}`; undefined when absent. */
export function sampleValue(exposition: string, sample: string): number | undefined {
  for (const line of exposition.split("\n")) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}
