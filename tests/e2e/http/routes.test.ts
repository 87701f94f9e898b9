// The route table of the compiled binary: content types with charset, HEAD, 405 with Allow, the
// Go-compatible 404, query strings ignored, and no route that reads files or follows `..`.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  HTML_TYPE,
  type HttpSortie,
  httpRuns,
  JSON_TYPE,
  METRICS_TYPE,
  rawRequest,
  TEXT_TYPE,
} from "./harness.ts";

setDefaultTimeout(60_000);

const runs = httpRuns();
let s: HttpSortie;
const CANARY = `canary-${crypto.randomUUID()}`;

beforeAll(async () => {
  s = await runs.start({
    issues: [{ id: "1", identifier: "ROUTE-1", title: "Long job", state: "To Do" }],
    frontMatter: { mock: "  turn_delay_ms: 600000" },
  });
  // Files a path-traversing route could leak: one in the process's working directory, the
  // workflow next to it, and the system password file.
  writeFileSync(join(s.w.dir, "secret.txt"), `${CANARY}\n`);
});

afterAll(() => runs.cleanup());

function expectNoFileContent(body: string): void {
  expect(body).not.toContain(CANARY);
  expect(body).not.toContain("root:x:0:0");
  expect(body).not.toContain("interval_ms:");
}

describe("content types and caching headers", () => {
  test.each([
    ["/", HTML_TYPE],
    ["/livez", JSON_TYPE],
    ["/readyz", JSON_TYPE],
    ["/metrics", METRICS_TYPE],
    ["/api/status", JSON_TYPE],
    ["/api/v1/state", JSON_TYPE],
    ["/api/v1/ROUTE-1", JSON_TYPE],
  ])("GET %s answers 200 with Content-Type %s", async (path, type) => {
    const res = await s.get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    const body = await res.text();
    if (type === JSON_TYPE) {
      // One JSON document followed by a newline, as the original's encoder writes it.
      expect(body.endsWith("}\n")).toBe(true);
      expect(() => JSON.parse(body)).not.toThrow();
    }
  });

  test("the dashboard is never cached", async () => {
    const res = await s.get("/");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain("<title>Sortie Dashboard</title>");
  });

  test("the favicon is an embedded icon cached for a day", async () => {
    const res = await s.get("/favicon.ico");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/x-icon");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const bytes = new Uint8Array(await res.arrayBuffer());
    // ICONDIR header: reserved 0, type 1 (icon).
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]);
    expect(bytes.length).toBeGreaterThan(1000);
  });

  test("the event stream is text/event-stream, not cached, and starts with a state event", async () => {
    const abort = new AbortController();
    const res = await s.get("/api/events", { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    abort.abort();
    const [eventLine, dataLine] = text.split("\n");
    expect(eventLine).toBe("event: state");
    const state = JSON.parse(String(dataLine).replace(/^data: /, "")) as { counts: { running: number } };
    expect(state.counts.running).toBe(1);
  });

  test("query strings are ignored", async () => {
    const res = await s.get("/livez?verbose=1&x=%zz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "pass" });
  });
});

describe("HEAD", () => {
  test.each([
    ["/", HTML_TYPE],
    ["/livez", JSON_TYPE],
    ["/readyz", JSON_TYPE],
    ["/metrics", METRICS_TYPE],
    ["/favicon.ico", "image/x-icon"],
  ])("HEAD %s answers 200 with the GET headers and no body", async (path, type) => {
    const res = await s.get(path, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(await res.text()).toBe("");
  });
});

describe("405 Method Not Allowed", () => {
  test.each([
    ["POST", "/livez", "GET, HEAD"],
    ["PUT", "/readyz", "GET, HEAD"],
    ["POST", "/api/status", "GET"],
    ["DELETE", "/api/v1/state", "GET"],
    ["GET", "/api/v1/refresh", "POST"],
    ["PUT", "/api/v1/refresh", "POST"],
    ["POST", "/api/v1/ROUTE-1", "GET"],
    ["PATCH", "/api/v1/NOT-THERE", "GET"],
    ["POST", "/api/events", "GET"],
    ["HEAD", "/api/events", "GET"],
  ])("%s %s is a JSON envelope with Allow: %s", async (method, path, allow) => {
    const res = await s.get(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe(allow);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    const body = await res.text();
    if (method !== "HEAD") {
      expect(JSON.parse(body)).toEqual({
        error: { code: "method_not_allowed", message: `method ${method} is not allowed on this endpoint` },
      });
    }
  });

  test.each([
    ["POST", "/"],
    ["DELETE", "/metrics"],
    ["PUT", "/favicon.ico"],
  ])("%s %s is plain text with Allow: GET, HEAD", async (method, path) => {
    const res = await s.get(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect(res.headers.get("content-type")).toBe(TEXT_TYPE);
    expect(await res.text()).toBe("Method Not Allowed\n");
  });

  test("every 405 is logged as a warning with method and path", async () => {
    await s.get("/api/v1/state", { method: "OPTIONS" });
    const record = await s.p.waitForLog(
      "method not allowed",
      (r) => r.method === "OPTIONS" && r.path === "/api/v1/state",
    );
    expect(record.level).toBe("WARN");
  });
});

describe("404", () => {
  test.each([
    "/x",
    "/api",
    "/api/",
    "/api/v1",
    "/api/v1/",
    "/api/v1/state/",
    "/api/v1/refresh/",
    "/api/v2/state",
    "/livez/",
    "/index.html",
    "/dashboard",
    "/api/v1/ROUTE-1/extra",
  ])("GET %s answers the original's plain-text 404", async (path) => {
    const res = await s.get(path);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe(TEXT_TYPE);
    expect(await res.text()).toBe("404 page not found\n");
  });

  test("POST to an unknown path is a 404, not a 405", async () => {
    const res = await s.get("/nope", { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("404 page not found\n");
  });
});

describe("no route reads files or follows dot segments", () => {
  test.each([
    "/secret.txt",
    "/WORKFLOW.md",
    "/issues.json",
    "/.sortie.db",
    "/../../etc/passwd",
    "/../secret.txt",
    "/./secret.txt",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/secret.txt",
    "/favicon.ico/../secret.txt",
    "/api/v1/../../etc/passwd",
    "/api/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
    "/%2fetc%2fpasswd",
    "//etc/passwd",
    "/etc/passwd%00",
  ])("%s is a 404 without file content", async (target) => {
    const res = await rawRequest(s.port, "GET", target);
    expect(res.status).toBe(404);
    expectNoFileContent(res.body);
  });

  test("identifier segments that decode to paths are only ever looked up, never opened", async () => {
    for (const target of [
      "/api/v1/..%2F..%2Fetc%2Fpasswd",
      "/api/v1/..%2Fsecret.txt",
      "/api/v1/%2Fetc%2Fpasswd",
      "/api/v1/..%5C..%5Csecret.txt",
    ]) {
      const res = await rawRequest(s.port, "GET", target);
      expect(res.status).toBe(404);
      expect(res.headers["content-type"]).toBe(JSON_TYPE);
      const body = JSON.parse(res.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("issue_not_found");
      expect(body.error.message).toBe(
        `issue identifier "${decodeURIComponent(target.slice("/api/v1/".length))}" not found in current state`,
      );
      expectNoFileContent(res.body);
    }
  });

  test("a bare /%2e%2e/ is the dashboard or a 404, never a file", async () => {
    // The URL standard removes "%2e%2e" dot segments, and Bun applies it before the app sees the
    // request: the target is then "/" itself. Either way nothing from disk is served.
    const res = await rawRequest(s.port, "GET", "/%2e%2e/");
    expectNoFileContent(res.body);
    if (res.status === 200) {
      expect(res.headers["content-type"]).toBe(HTML_TYPE);
      expect(res.body).toContain("<title>Sortie Dashboard</title>");
    } else {
      expect(res.status).toBe(404);
    }
  });
});
