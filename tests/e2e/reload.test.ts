// Live reload of WORKFLOW.md: plain edits, a broken edit (last good config keeps running and
// /readyz turns 503 until it is fixed), and the Kubernetes ConfigMap `..data` symlink swap.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../helpers/sortie-process.ts";
import { useSortieRuns } from "../helpers/sortie-runs.ts";
import { waitFor } from "../helpers/wait.ts";
import { fileMockFrontMatter } from "../helpers/workflow.ts";

setDefaultTimeout(60_000);

const runs = useSortieRuns();

async function readyz(port: number): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("workflow reload", () => {
  test("an edit applies without a restart; a broken edit keeps the last good config and fails /readyz until fixed", async () => {
    const w = runs.dir();
    w.writeIssues([]);
    w.writeWorkflow(fileMockFrontMatter(w, { pollMs: 200 }));
    const port = freePort();
    const p = runs.start(["--port", String(port), w.workflow], { cwd: w.dir });
    await waitFor(async () => (await readyz(port)).code === 200, { what: "ready" });

    w.writeWorkflow(fileMockFrontMatter(w, { pollMs: 250, maxAgents: 5 }));
    await p.waitForLog("workflow reloaded");
    await waitFor(async () => {
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as {
        slots: { max_concurrent_agents: number };
      };
      return status.slots.max_concurrent_agents === 5;
    });

    writeFileSync(w.workflow, "---\ntracker: [this is: not valid\n---\nprompt\n");
    await p.waitForLog("workflow reload failed");
    await waitFor(async () => (await readyz(port)).code === 503, { what: "/readyz 503 after a bad edit" });
    expect((await readyz(port)).body.checks).toMatchObject({ preflight: "fail", database: "pass" });
    await p.waitForLog("dispatch preflight failed");
    expect(p.proc.exitCode).toBeNull();

    w.writeWorkflow(fileMockFrontMatter(w, { pollMs: 200 }));
    await waitFor(async () => (await readyz(port)).code === 200, { what: "ready again after the fix" });
  });

  test("a ConfigMap update (..data symlink swap) is applied without a restart", async () => {
    const w = runs.dir();
    w.writeIssues([{ id: "1", identifier: "CM-1", title: "After the swap", state: "To Do" }]);
    // The config dir as the kubelet lays it out: WORKFLOW.md → ..data/WORKFLOW.md → ..<ts>/WORKFLOW.md.
    const config = join(w.dir, "config");
    const v1 = join(config, "..2026_11_26_10_00_00.000000001");
    mkdirSync(v1, { recursive: true });
    // Version 1 has no active states: nothing is dispatched.
    writeFileSync(
      join(v1, "WORKFLOW.md"),
      `---\n${fileMockFrontMatter(w).replace("active_states: [To Do, In Progress]", "active_states: [Ready]").replace("  in_progress_state: In Progress\n", "")}\n---\nprompt\n`,
    );
    symlinkSync("..2026_11_26_10_00_00.000000001", join(config, "..data"));
    symlinkSync("..data/WORKFLOW.md", join(config, "WORKFLOW.md"));

    const p = runs.start(["--port", "0", join(config, "WORKFLOW.md")], { cwd: w.dir });
    await p.waitForLog("tick completed", (r) => r.candidates === 0);

    const v2 = join(config, "..2026_11_26_10_05_00.000000002");
    mkdirSync(v2);
    writeFileSync(
      join(v2, "WORKFLOW.md"),
      `---\n${fileMockFrontMatter(w, { pollMs: 60_000 })}\n---\nprompt\n`,
    );
    symlinkSync("..2026_11_26_10_05_00.000000002", join(config, "..data_tmp"));
    renameSync(join(config, "..data_tmp"), join(config, "..data"));
    rmSync(v1, { recursive: true });

    const reloaded = await p.waitForLog("workflow reloaded");
    expect(reloaded.trigger).toBe("watch");
    // The new active states dispatch the issue (well before the new 60 s poll interval could).
    await waitFor(() => w.issue("1")?.state === "Human Review", { what: "issue dispatched after the swap" });
  });

  test("deleting the workflow file while running keeps the last good config and the process alive", async () => {
    const w = runs.dir();
    w.writeIssues([]);
    w.writeWorkflow(fileMockFrontMatter(w, { pollMs: 200 }));
    const p = runs.start(["--port", "0", w.workflow], { cwd: w.dir });
    await p.waitForLog("sortie started");
    rmSync(w.workflow);
    await p.waitForLog("dispatch preflight failed", (r) =>
      String(r.error).includes("workflow file cannot be loaded"),
    );
    expect(p.proc.exitCode).toBeNull();
    w.writeWorkflow(fileMockFrontMatter(w, { pollMs: 200 }));
    await p.waitForLog("workflow reloaded");
    expect(await p.stop()).toBe(0);
  });
});
