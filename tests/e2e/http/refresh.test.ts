// POST /api/v1/refresh on the running binary: accepted with 202, merged into a pending refresh while
// the loop is busy, and really followed by a poll that dispatches new work long before the next
// periodic tick.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { waitFor } from "../../helpers/wait.ts";
import { httpRuns, JSON_TYPE, RFC3339_UTC } from "./harness.ts";

setDefaultTimeout(60_000);

const runs = httpRuns();
afterEach(() => runs.cleanup());

interface RefreshBody {
  queued: boolean;
  coalesced: boolean;
  requested_at: string;
  operations: string[];
}

describe("POST /api/v1/refresh", () => {
  test("queues an immediate poll: a new issue is dispatched without waiting for the 60 s poll interval", async () => {
    const s = await runs.start({
      issues: [{ id: "1", identifier: "REF-1", title: "Parked", state: "Backlog" }],
      frontMatter: { pollMs: 60_000 },
    });
    await s.p.waitForLog("tick completed", (r) => r.candidates === 0);
    s.w.writeIssues([
      { id: "1", identifier: "REF-1", title: "Parked", state: "Backlog" },
      { id: "2", identifier: "REF-2", title: "New", state: "To Do" },
    ]);
    const before = Date.now();
    const res = await s.get("/api/v1/refresh", { method: "POST" });
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toBe(JSON_TYPE);
    const body = (await res.json()) as RefreshBody;
    expect(Object.keys(body)).toEqual(["queued", "coalesced", "requested_at", "operations"]);
    expect(body).toEqual({
      queued: true,
      coalesced: false,
      requested_at: expect.stringMatching(RFC3339_UTC),
      operations: ["poll", "reconcile"],
    });
    expect(Math.abs(Date.parse(body.requested_at) - before)).toBeLessThan(60_000);
    await waitFor(() => s.w.issue("2")?.state === "Human Review", {
      what: "REF-2 dispatched by the refresh",
    });
    expect(s.w.issue("1")?.state).toBe("Backlog");
  });

  test("a refresh arriving while one is pending is merged (202 coalesced) and the body is never parsed", async () => {
    const s = await runs.start({
      // A busy loop: a few thousand candidates make every tick take a while.
      issues: Array.from({ length: 3000 }, (_, i) => ({
        id: String(i + 1),
        identifier: `BUSY-${i + 1}`,
        title: `Busy ${i + 1}`,
        state: "Backlog",
        description: "x".repeat(200),
      })),
      frontMatter: { pollMs: 60_000 },
    });
    const seen: RefreshBody[] = [];
    const bodies: (string | undefined)[] = [undefined, "{}", "not json at all", '{"operations":["nuke"]}'];
    await waitFor(
      async () => {
        const burst = await Promise.all(
          Array.from({ length: 8 }, async (_, i) => {
            const body = bodies[i % bodies.length];
            const res = await s.get("/api/v1/refresh", {
              method: "POST",
              ...(body !== undefined ? { body, headers: { "Content-Type": "application/json" } } : {}),
            });
            expect(res.status).toBe(202);
            return (await res.json()) as RefreshBody;
          }),
        );
        seen.push(...burst);
        return burst.some((b) => b.coalesced);
      },
      { what: "a coalesced refresh", intervalMs: 10 },
    );
    for (const b of seen) {
      expect(b.queued).toBe(true);
      expect(b.operations).toEqual(["poll", "reconcile"]);
    }
    expect(seen.some((b) => !b.coalesced)).toBe(true);
    expect(seen.some((b) => b.coalesced)).toBe(true);
    // Refreshes ran as ticks (the periodic one is a minute away).
    await waitFor(() => s.p.logs("tick completed").length >= 2, { what: "refresh ticks" });
  });
});
