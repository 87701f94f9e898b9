import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { formatAddr, type HttpServerHandle, startHttpServer } from "../../../src/server/listener.ts";
import { captureLogger } from "../../unit/server/capture-logger.ts";

const handles: HttpServerHandle[] = [];
const blockers: Server[] = [];

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop(100)));
  await Promise.all(blockers.splice(0).map((b) => new Promise<void>((resolve) => b.close(() => resolve()))));
});

const app = { fetch: () => new Response("ok") };

/** Occupies a free loopback port the way another process would. */
async function occupyPort(): Promise<number> {
  const blocker = createServer();
  blockers.push(blocker);
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const address = blocker.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return address.port;
}

describe("startHttpServer", () => {
  test("binds, logs the listening address and serves the app", async () => {
    const { logger, records } = captureLogger();
    const handle = startHttpServer({ app, host: "127.0.0.1", port: 0, explicitPort: false, logger })!;
    handles.push(handle);
    expect(handle.port).toBeGreaterThan(0);
    expect(handle.addr).toBe(`127.0.0.1:${handle.port}`);
    expect(records).toContainEqual({
      level: "info",
      message: "http server listening",
      properties: { addr: handle.addr },
    });
    expect(await (await fetch(`http://${handle.addr}/`)).text()).toBe("ok");
  });

  test("brackets IPv6 addresses", async () => {
    const { logger, records } = captureLogger();
    const handle = startHttpServer({ app, host: "::1", port: 0, explicitPort: false, logger })!;
    handles.push(handle);
    expect(handle.addr).toBe(`[::1]:${handle.port}`);
    expect(records[0]?.properties).toEqual({ addr: handle.addr });
    expect(await (await fetch(`http://${handle.addr}/`)).text()).toBe("ok");
    expect(formatAddr("::", 7678)).toBe("[::]:7678");
    expect(formatAddr("0.0.0.0", 7678)).toBe("0.0.0.0:7678");
  });

  test("an implicit port in use logs a WARN and runs without a server", async () => {
    const port = await occupyPort();
    const { logger, records } = captureLogger();
    const handle = startHttpServer({ app, host: "127.0.0.1", port, explicitPort: false, logger });
    expect(handle).toBeNull();
    expect(records).toHaveLength(1);
    expect(records[0]!.level).toBe("warn");
    expect(records[0]!.message).toBe("http server listen failed; running without HTTP server");
    expect(records[0]!.properties.addr).toBe(`127.0.0.1:${port}`);
    expect(String(records[0]!.properties.error)).toContain(String(port));
  });

  test("an explicit port in use throws for the caller to report", async () => {
    const port = await occupyPort();
    const { logger, records } = captureLogger();
    expect(() => startHttpServer({ app, host: "127.0.0.1", port, explicitPort: true, logger })).toThrow();
    expect(records).toEqual([]);
  });

  test("a port held by another sortie listener conflicts too", async () => {
    const { logger } = captureLogger();
    const first = startHttpServer({ app, host: "127.0.0.1", port: 0, explicitPort: true, logger })!;
    handles.push(first);
    expect(
      startHttpServer({ app, host: "127.0.0.1", port: first.port, explicitPort: false, logger }),
    ).toBeNull();
  });

  test("stop is idempotent and releases the port", async () => {
    const { logger } = captureLogger();
    const handle = startHttpServer({ app, host: "127.0.0.1", port: 0, explicitPort: true, logger })!;
    await Promise.all([handle.stop(), handle.stop()]);
    const again = startHttpServer({ app, host: "127.0.0.1", port: handle.port, explicitPort: true, logger })!;
    handles.push(again);
    expect(again.port).toBe(handle.port);
  });
});
