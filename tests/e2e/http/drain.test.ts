// The HTTP surface during a SIGTERM drain of the running binary. An after_run hook that waits for a
// file the test creates holds the drain open, so the probes can be polled for as long as needed:
// /livez and /readyz fail with 503, /api/status says draining, snapshots and metrics are still
// served, refreshes are refused with 409, event streams announce the drain and close, and the
// listener stays open until the drain ends.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/wait.ts";
import { type HttpSortie, httpRuns, JSON_TYPE, RFC3339_UTC } from "./harness.ts";

setDefaultTimeout(60_000);

const runs = httpRuns();
afterEach(() => runs.cleanup());

/** Reads an event stream until it ends; returns everything received. */
async function readStream(res: Response): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
}

async function startDraining(): Promise<{ s: HttpSortie; release: () => void }> {
  let releasePath = "";
  const s = await runs.start({
    issues: [
      { id: "1", identifier: "DRAIN-1", title: "Long one", state: "To Do" },
      { id: "2", identifier: "DRAIN-2", title: "Long two", state: "To Do" },
    ],
    frontMatter: { mock: "  turn_delay_ms: 600000" },
    edit: (fm) => {
      // The hook waits (at most 15 s, inside the 20 s drain budget) for the release file.
      const release = join(fm.match(/root: (.*)\n/)?.[1] ?? "/nonexistent", "..", "release");
      releasePath = release;
      return `${fm}\nhooks:\n  after_run: "i=0; while [ ! -f ${release} ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done"\n`;
    },
  });
  await waitFor(async () => ((await s.json("/api/status")).counts as { running: number }).running === 2, {
    what: "two long turns running",
  });
  await waitFor(() => s.p.logs("turn started").length === 2, { what: "both turns started" });
  return { s, release: () => writeFileSync(releasePath, "") };
}

describe("SIGTERM drain", () => {
  test("probes fail with 503 for the whole drain while snapshots, metrics and status are still served", async () => {
    const { s, release } = await startDraining();
    const before = await s.get("/api/events");
    expect(before.status).toBe(200);
    const beforeStream = readStream(before);

    s.p.signal("SIGTERM");
    await s.p.waitForLog("draining workers", (r) => r.count === 2);
    await waitFor(() => s.p.logs("running hook").filter((r) => r.hook === "after_run").length === 2, {
      what: "both after_run hooks holding the drain",
    });

    // The stream that was open announces the drain and ends.
    const streamed = await beforeStream;
    expect(streamed).toContain("event: draining\n");
    expect(streamed.trimEnd().endsWith('data: {"draining":true}')).toBe(true);

    // Poll every route repeatedly while the drain is held open.
    for (let round = 0; round < 10; round++) {
      const livez = await s.get("/livez");
      expect(livez.status).toBe(503);
      expect(livez.headers.get("content-type")).toBe(JSON_TYPE);
      expect(await livez.json()).toEqual({ status: "fail" });

      const readyz = await s.get("/readyz");
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toEqual({
        status: "fail",
        version: expect.any(String),
        uptime_seconds: expect.any(Number),
        checks: { database: "fail", preflight: "fail", workflow: "fail" },
      });

      const status = await s.get("/api/status");
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({
        status: "fail",
        draining: true,
        checks: { database: "fail", preflight: "fail", workflow: "fail" },
        counts: { running: 2, retrying: 0 },
      });

      const state = await s.get("/api/v1/state");
      expect(state.status).toBe(200);
      expect(((await state.json()) as { counts: unknown }).counts).toEqual({ running: 2, retrying: 0 });
      expect((await s.get("/api/v1/DRAIN-1")).status).toBe(200);
      expect((await s.get("/")).status).toBe(200);

      const metrics = await s.get("/metrics");
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("sortie_sessions_running 2");

      const refresh = await s.get("/api/v1/refresh", { method: "POST" });
      expect(refresh.status).toBe(409);
      expect(refresh.headers.get("content-type")).toBe(JSON_TYPE);
      expect(await refresh.json()).toEqual({
        queued: false,
        coalesced: false,
        requested_at: expect.stringMatching(RFC3339_UTC),
        operations: [],
      });

      // A stream opened during the drain gets the draining event and ends at once.
      const late = await s.get("/api/events");
      expect(late.status).toBe(200);
      expect(await readStream(late)).toBe('event: draining\ndata: {"draining":true}\n\n');

      await Bun.sleep(50);
    }
    expect(s.p.proc.exitCode).toBeNull();
    expect(s.p.logs("shutting down")).toHaveLength(0);

    // Release the hooks: the drain ends, the listener closes, the process exits 0. Every answer up
    // to the refused connection is still a 503.
    release();
    const answered: number[] = [];
    await waitFor(
      async () => {
        try {
          const res = await s.get("/livez");
          answered.push(res.status);
          await res.arrayBuffer();
          return false;
        } catch {
          return true;
        }
      },
      { what: "listener closed after the drain", intervalMs: 5 },
    );
    expect(answered.every((code) => code === 503)).toBe(true);
    expect(await s.p.exited).toBe(0);
    expect(s.p.records.at(-1)?.msg).toBe("shutting down");
    const msgs = s.p.records.map((r) => r.msg);
    expect(msgs.indexOf("http server listening")).toBeLessThan(msgs.indexOf("draining workers"));
  });

  test("the listener answers probes from the signal to the end of the drain, with no refused connection", async () => {
    const { s, release } = await startDraining();
    const answers: { at: number; status: number }[] = [];
    const refused: number[] = [];
    let polling = true;
    // Poll /readyz continuously from before the signal until the process has exited.
    const poller = (async () => {
      while (polling) {
        const at = Date.now();
        try {
          const res = await s.get("/readyz");
          await res.arrayBuffer();
          answers.push({ at, status: res.status });
        } catch {
          refused.push(at);
        }
        await Bun.sleep(5);
      }
    })();

    await waitFor(() => answers.some((a) => a.status === 200), { what: "ready answers before the signal" });
    const signalledAt = Date.now();
    s.p.signal("SIGTERM");
    await waitFor(() => s.p.logs("running hook").filter((r) => r.hook === "after_run").length === 2, {
      what: "drain held by the hooks",
    });
    await waitFor(() => answers.filter((a) => a.at > signalledAt && a.status === 503).length >= 20, {
      what: "503 answers during the drain",
    });
    const releasedAt = Date.now();
    release();
    expect(await s.p.exited).toBe(0);
    polling = false;
    await poller;

    // No refusal before the hooks were released: the socket stayed open for the whole drain.
    expect(refused.filter((at) => at < releasedAt)).toEqual([]);
    // After the signal, readiness never came back.
    const afterSignal = answers.filter((a) => a.at > signalledAt + 100);
    expect(afterSignal.length).toBeGreaterThan(0);
    expect(afterSignal.every((a) => a.status === 503)).toBe(true);
    expect(s.p.logs("shutting down")).toHaveLength(1);
  });
});
