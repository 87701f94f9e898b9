// GET /api/events on the running binary: the state document and dashboard fragments on connect,
// live updates after orchestrator changes, and the cap of 16 concurrent streams.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../../helpers/wait.ts";
import { type HttpSortie, httpRuns, JSON_TYPE } from "./harness.ts";

setDefaultTimeout(60_000);

const runs = httpRuns();
const aborts: AbortController[] = [];
afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await runs.cleanup();
});

interface SseMessage {
  event: string;
  data: string;
}

/** An open event stream whose messages are collected as they arrive. */
async function openStream(s: HttpSortie): Promise<{ res: Response; messages: SseMessage[]; close(): void }> {
  const abort = new AbortController();
  aborts.push(abort);
  const res = await s.get("/api/events", { signal: abort.signal });
  const messages: SseMessage[] = [];
  if (res.status === 200 && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      let buf = "";
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buf += decoder.decode(value, { stream: true });
          for (let end = buf.indexOf("\n\n"); end !== -1; end = buf.indexOf("\n\n")) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== undefined && data !== undefined) messages.push({ event, data });
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return { res, messages, close: () => abort.abort() };
}

describe("GET /api/events", () => {
  test("sends the state document and the dashboard fragments on connect, then live updates", async () => {
    const s = await runs.start({
      issues: [{ id: "1", identifier: "EV-1", title: "Parked", state: "Backlog" }],
      frontMatter: { pollMs: 60_000, mock: "  turn_delay_ms: 600000" },
    });
    const stream = await openStream(s);
    expect(stream.res.status).toBe(200);
    await waitFor(() => stream.messages.length >= 2, { what: "the first two events" });
    const [state, dashboard] = stream.messages;
    expect(state?.event).toBe("state");
    const first = JSON.parse(state?.data ?? "{}");
    expect(first).toMatchObject({ counts: { running: 0, retrying: 0 }, running: [], retrying: [] });
    // The same document as /api/v1/state, minus its timestamp.
    const direct = (await s.json("/api/v1/state")) as Record<string, unknown>;
    expect({ ...first, generated_at: "", agent_totals: {} }).toEqual({
      ...direct,
      generated_at: "",
      agent_totals: {},
    });
    expect(dashboard?.event).toBe("dashboard");
    const fragments = JSON.parse(dashboard?.data ?? "{}") as Record<string, string>;
    expect(Object.keys(fragments)).toEqual(expect.arrayContaining(["cards", "running", "retry", "footer"]));
    expect(fragments.running).toContain("No running sessions");

    // A change in the orchestrator reaches the open stream: EV-1 becomes active and is dispatched.
    s.w.writeIssues([{ id: "1", identifier: "EV-1", title: "Now active", state: "To Do" }]);
    expect((await s.get("/api/v1/refresh", { method: "POST" })).status).toBe(202);
    const update = await waitFor(
      () =>
        stream.messages.find((m) => m.event === "state" && JSON.parse(m.data).counts.running === 1) ?? null,
      { what: "a state event with EV-1 running" },
    );
    expect(JSON.parse(update.data).running[0].issue_identifier).toBe("EV-1");
    await waitFor(
      () =>
        stream.messages.some(
          (m) =>
            m.event === "dashboard" &&
            (JSON.parse(m.data) as Record<string, string>).running?.includes("EV-1"),
        ),
      { what: "a dashboard fragment listing EV-1" },
    );
  });

  test("at most 16 streams are open at once; the 17th gets 503 until one closes", async () => {
    const s = await runs.start({ issues: [], frontMatter: { pollMs: 60_000 } });
    const streams: Awaited<ReturnType<typeof openStream>>[] = [];
    for (let i = 0; i < 16; i++) {
      const st = await openStream(s);
      expect([i, st.res.status]).toEqual([i, 200]);
      streams.push(st);
    }
    await waitFor(() => streams.every((st) => st.messages.length > 0), { what: "all 16 streams served" });
    const extra = await s.get("/api/events");
    expect(extra.status).toBe(503);
    expect(extra.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await extra.json()).toEqual({
      error: { code: "snapshot_unavailable", message: "orchestrator state snapshot unavailable" },
    });
    // Probes are unaffected by the open streams.
    expect((await s.get("/livez")).status).toBe(200);

    streams[0]?.close();
    const again = await waitFor(
      async () => {
        const st = await openStream(s);
        if (st.res.status === 200) return st;
        st.close();
        return null;
      },
      { what: "a stream slot freed by the closed client" },
    );
    expect(again.res.headers.get("content-type")).toBe("text/event-stream");
  });
});
