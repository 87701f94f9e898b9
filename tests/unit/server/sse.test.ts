import { afterEach, describe, expect, test } from "bun:test";
import { type AppOptions, createApp, type HttpApp } from "../../../src/server/app.ts";
import { FRAGMENT_IDS } from "../../../src/server/dashboard/render.ts";
import { NO_HISTORY } from "../../../src/server/history.ts";
import { captureLogger } from "./capture-logger.ts";
import { FakeView, makeRunning, makeSnapshot } from "./fake-view.ts";
import { SseReader, waitFor } from "./sse-reader.ts";

const open: SseReader[] = [];
const apps: HttpApp[] = [];

afterEach(async () => {
  for (const reader of open.splice(0)) await reader.cancel();
  for (const app of apps.splice(0)) app.closeStreams("stop");
});

function setup(events: AppOptions["events"] = {}, view = new FakeView()) {
  const app = createApp({
    view,
    version: "1.0.0",
    startedAt: new Date("2026-04-26T10:00:00Z"),
    dbPing: () => true,
    history: NO_HISTORY,
    logger: captureLogger().logger,
    events: { throttleMs: 0, ...events },
  });
  apps.push(app);
  return { app, view };
}

async function connect(app: HttpApp): Promise<{ res: Response; reader: SseReader }> {
  const res = await app.request("/api/events");
  const reader = new SseReader(res.body!);
  open.push(reader);
  return { res, reader };
}

describe("GET /api/events", () => {
  test("sends the state document and the dashboard fragments on connect", async () => {
    const { app } = setup({}, new FakeView(makeSnapshot({ running: [makeRunning()] })));
    const { res, reader } = await connect(app);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const state = await reader.next();
    expect(state?.event).toBe("state");
    const doc = JSON.parse(state!.data);
    expect(doc.counts).toEqual({ running: 1, retrying: 0 });
    expect(doc.running[0].issue_identifier).toBe("PROJ-42");
    const dashboard = await reader.next();
    expect(dashboard?.event).toBe("dashboard");
    expect(Object.keys(JSON.parse(dashboard!.data))).toEqual([...FRAGMENT_IDS]);
  });

  test("delivers an update after the orchestrator reports a change", async () => {
    const { app, view } = setup();
    const { reader } = await connect(app);
    await reader.nextOf("dashboard");
    view.change(makeSnapshot({ running: [makeRunning({ identifier: "NEW-1" })] }));
    const update = await reader.nextOf("state");
    expect(JSON.parse(update.data).running[0].issue_identifier).toBe("NEW-1");
    const fragments = JSON.parse((await reader.nextOf("dashboard")).data);
    expect(fragments.running).toContain("NEW-1");
  });

  test("merges a burst of changes inside the throttle window without losing the last one", async () => {
    const { app, view } = setup({ throttleMs: 200 });
    const { reader } = await connect(app);
    await reader.nextOf("dashboard");
    for (let i = 1; i <= 50; i++)
      view.change(makeSnapshot({ running: [makeRunning({ identifier: `B-${i}` })] }));
    const seen: string[] = [];
    while (!seen.includes("B-50")) {
      const event = await reader.nextOf("state");
      seen.push(JSON.parse(event.data).running[0].issue_identifier);
    }
    // One broadcast when the burst starts, one merged broadcast when the window closes.
    expect(seen.length).toBeLessThanOrEqual(2);
    expect(seen.at(-1)).toBe("B-50");
  });

  test("sends heartbeat comments", async () => {
    const { app } = setup({ heartbeatMs: 10 });
    const { reader } = await connect(app);
    let event = await reader.next();
    while (event && event.event !== "comment") event = await reader.next();
    expect(event?.comment).toBe("ping");
  });

  test("allows 16 concurrent streams and answers further requests 503", async () => {
    const { app } = setup();
    for (let i = 0; i < 16; i++) expect((await connect(app)).res.status).toBe(200);
    const extra = await app.request("/api/events");
    expect(extra.status).toBe(503);
    expect(await extra.json()).toEqual({
      error: { code: "snapshot_unavailable", message: "orchestrator state snapshot unavailable" },
    });
  });

  test("frees a slot when a client disconnects", async () => {
    const { app } = setup({ maxStreams: 1 });
    const first = await connect(app);
    await first.reader.nextOf("state");
    expect((await app.request("/api/events")).status).toBe(503);
    await first.reader.cancel();
    await waitFor(async () => {
      const res = await app.request("/api/events");
      if (res.status === 200) open.push(new SseReader(res.body!));
      return res.status === 200;
    });
  });

  test("announces draining and closes the stream", async () => {
    const { app, view } = setup();
    const { reader } = await connect(app);
    await reader.nextOf("dashboard");
    view.flags.draining = true;
    view.change();
    expect((await reader.nextOf("draining")).data).toBe('{"draining":true}');
    expect(await reader.next()).toBeNull();
  });

  test("notices draining without a change notification", async () => {
    const { app, view } = setup({ heartbeatMs: 20 });
    const { reader } = await connect(app);
    await reader.nextOf("dashboard");
    view.flags.draining = true;
    expect((await reader.nextOf("draining")).event).toBe("draining");
    expect(await reader.next()).toBeNull();
  });

  test("answers HEAD 405 without opening a stream", async () => {
    const { app } = setup({ maxStreams: 1 });
    const head = await app.request("/api/events", { method: "HEAD" });
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("GET");
    expect((await connect(app)).res.status).toBe(200);
  });

  test("closes immediately with the draining event when connecting during drain", async () => {
    const view = new FakeView();
    view.flags.draining = true;
    const { app } = setup({}, view);
    const { res, reader } = await connect(app);
    expect(res.status).toBe(200);
    expect((await reader.next())?.event).toBe("draining");
    expect(await reader.next()).toBeNull();
  });

  test("answers 503 when no snapshot can be produced", async () => {
    const { app } = setup({}, new FakeView(null));
    expect((await app.request("/api/events")).status).toBe(503);
  });

  test("stopping the server ends every stream and refuses new ones", async () => {
    const { app } = setup();
    const a = await connect(app);
    const b = await connect(app);
    await a.reader.nextOf("dashboard");
    await b.reader.nextOf("dashboard");
    app.closeStreams("stop");
    expect(await a.reader.next()).toBeNull();
    expect(await b.reader.next()).toBeNull();
    expect((await app.request("/api/events")).status).toBe(503);
  });

  test("drops a client that stops reading instead of buffering without bound", async () => {
    const { app, view } = setup({ maxQueuedBytes: 64 * 1024 });
    const stalled = await connect(app);
    const reading = await connect(app);
    const big = makeSnapshot({
      running: Array.from({ length: 20 }, (_, i) =>
        makeRunning({ identifier: `SLOW-${i}`, lastMessage: "x".repeat(500) }),
      ),
    });
    // Each round queues far more than a kilobyte for the stalled client, which never reads.
    for (let round = 1; round <= 20; round++) {
      view.change({ ...big, generatedAt: new Date(big.generatedAt.getTime() + round) });
      await reading.reader.nextOf("dashboard");
    }
    const drain = async () => {
      while ((await stalled.reader.next()) !== null) {
        // keep reading whatever was queued
      }
    };
    await expect(drain()).rejects.toThrow("event stream client too slow");
    // The reading client is unaffected.
    view.change(makeSnapshot({ running: [makeRunning({ identifier: "STILL-HERE" })] }));
    let latest = "";
    while (latest !== "STILL-HERE") {
      latest = JSON.parse((await reading.reader.nextOf("state")).data).running[0].issue_identifier;
    }
  });
});
