// Early binding: the listener is up as soon as the config is loaded, so a slow start-up (here a
// before_remove hook of the start-up workspace cleanup that waits for the test) answers probes with
// "not ready" instead of refusing connections, and turns ready once start-up ends.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../helpers/sortie-process.ts";
import { useSortieRuns } from "../../helpers/sortie-runs.ts";
import { waitFor } from "../../helpers/wait.ts";
import { fileMockFrontMatter } from "../../helpers/workflow.ts";
import { HTML_TYPE, JSON_TYPE } from "./harness.ts";

setDefaultTimeout(60_000);

const runs = useSortieRuns();

const UNAVAILABLE = {
  error: { code: "snapshot_unavailable", message: "orchestrator state snapshot unavailable" },
};

describe("start-up", () => {
  test("probes answer 503 with startup failing until start-up ends, then the process turns ready", async () => {
    const w = runs.dir("sortie-http-");
    w.writeIssues([
      { id: "1", identifier: "OLD-1", title: "Finished while sortie was down", state: "Done" },
      { id: "2", identifier: "NEW-2", title: "New work", state: "To Do" },
    ]);
    // A leftover workspace of a terminal issue: start-up cleanup runs its before_remove hook.
    mkdirSync(join(w.workspaces, "OLD-1"), { recursive: true });
    const release = join(w.dir, "release");
    w.writeWorkflow(
      `${fileMockFrontMatter(w)}\nhooks:\n  before_remove: "i=0; while [ ! -f ${release} ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done"\n`,
    );
    const port = freePort();
    const p = runs.start(["--port", String(port), w.workflow], { cwd: w.dir });
    const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);

    await p.waitForLog("running hook", (r) => r.hook === "before_remove");
    expect(p.logs("sortie started")).toHaveLength(0);

    const livez = await get("/livez");
    expect([livez.status, await livez.json()]).toEqual([200, { status: "pass" }]);

    const readyz = await get("/readyz");
    expect(readyz.status).toBe(503);
    expect(readyz.headers.get("content-type")).toBe(JSON_TYPE);
    expect(await readyz.json()).toEqual({
      status: "fail",
      version: expect.any(String),
      uptime_seconds: expect.any(Number),
      checks: { database: "pass", preflight: "fail", workflow: "pass", startup: "fail" },
    });

    for (const path of ["/api/status", "/api/v1/state", "/api/v1/NEW-2", "/api/events"]) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 503]);
      expect(await res.json()).toEqual(UNAVAILABLE);
    }
    const page = await get("/");
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toBe(HTML_TYPE);
    const html = await page.text();
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).not.toContain("orchestrator state snapshot unavailable");

    // Not started yet: a refresh is not accepted.
    const refresh = await get("/api/v1/refresh", { method: "POST" });
    expect(refresh.status).toBe(409);
    expect(((await refresh.json()) as { queued: boolean }).queued).toBe(false);

    const metrics = await get("/metrics");
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("sortie_sessions_running 0");

    writeFileSync(release, "");
    await waitFor(async () => (await get("/readyz")).status === 200, { what: "ready after start-up" });
    expect(await (await get("/readyz")).json()).toMatchObject({
      status: "pass",
      checks: { database: "pass", preflight: "pass", workflow: "pass" },
    });
    expect((await (await get("/readyz")).json()) as object).not.toHaveProperty("checks.startup");
    expect((await get("/api/status")).status).toBe(200);
    await waitFor(() => w.issue("2")?.state === "Human Review", { what: "NEW-2 dispatched after start-up" });
    // The order in the log: bound first, start-up after.
    const msgs = p.records.map((r) => r.msg);
    expect(msgs.indexOf("http server listening")).toBeLessThan(msgs.indexOf("sortie started"));
  });
});
