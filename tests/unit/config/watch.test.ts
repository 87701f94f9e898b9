import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { silentLogger } from "../../../src/config/logger.ts";
import { WorkflowManager } from "../../../src/config/manager.ts";
import { type WorkflowWatcher, watchWorkflowDirectory } from "../../../src/config/watch.ts";
import { makeTempDir, waitFor } from "./helpers.ts";

const workflow = (interval: number) =>
  `---\ntracker: {kind: file, active_states: [todo]}\npolling: {interval_ms: ${interval}}\n---\nDo it.\n`;

describe("watchWorkflowDirectory", () => {
  let dir: { path: string; cleanup: () => void };
  let watcher: WorkflowWatcher | undefined;
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    dir.cleanup();
  });

  test("fires after a write to the workflow file", async () => {
    dir = makeTempDir();
    const path = join(dir.path, "WORKFLOW.md");
    writeFileSync(path, workflow(1000));
    let fired = 0;
    watcher = watchWorkflowDirectory(path, () => fired++);
    writeFileSync(path, workflow(2000));
    await waitFor(() => fired > 0, 5_000, "watch callback");
    expect(readFileSync(path, "utf8")).toContain("2000");
  });

  test("fires for any file in the directory (an atomic rename save)", async () => {
    dir = makeTempDir();
    const path = join(dir.path, "WORKFLOW.md");
    writeFileSync(path, workflow(1000));
    let fired = 0;
    watcher = watchWorkflowDirectory(path, () => fired++);
    writeFileSync(join(dir.path, ".WORKFLOW.md.swp"), workflow(3000));
    renameSync(join(dir.path, ".WORKFLOW.md.swp"), path);
    await waitFor(() => fired > 0, 5_000, "watch callback");
  });

  test("every event restarts one 50 ms debounce timer; the callback runs when it expires", async () => {
    dir = makeTempDir();
    const path = join(dir.path, "WORKFLOW.md");
    writeFileSync(path, workflow(1000));
    const pending = new Map<number, () => void>();
    const delays: number[] = [];
    let next = 0;
    let overlapping = false;
    const timers = {
      set: (fn: () => void, ms: number) => {
        if (pending.size > 0) overlapping = true;
        delays.push(ms);
        pending.set(++next, fn);
        return next;
      },
      clear: (handle: unknown) => {
        pending.delete(handle as number);
      },
    };
    let fired = 0;
    watcher = watchWorkflowDirectory(path, () => fired++, { timers });
    for (let i = 0; i < 5; i++) writeFileSync(path, workflow(1000 + i));
    await waitFor(() => delays.length > 0, 5_000, "a debounce timer");
    expect(fired).toBe(0);
    expect(overlapping).toBe(false);
    expect(pending.size).toBe(1);
    expect(new Set(delays)).toEqual(new Set([50]));
    for (const fn of [...pending.values()]) fn();
    expect(fired).toBe(1);
  });

  test("close() stops callbacks", async () => {
    dir = makeTempDir();
    const path = join(dir.path, "WORKFLOW.md");
    writeFileSync(path, workflow(1000));
    let fired = 0;
    const w = watchWorkflowDirectory(path, () => fired++, { debounceMs: 20 });
    w.close();
    writeFileSync(path, workflow(2000));
    // A control watcher proves events were delivered in the same period.
    let control = 0;
    watcher = watchWorkflowDirectory(path, () => control++, { debounceMs: 20 });
    writeFileSync(path, workflow(3000));
    await waitFor(() => control > 0, 5_000, "control watcher");
    expect(fired).toBe(0);
  });

  test("a replaced directory is watched again (the watch is re-created)", async () => {
    dir = makeTempDir();
    const flows = join(dir.path, "flows");
    mkdirSync(flows);
    const path = join(flows, "WORKFLOW.md");
    writeFileSync(path, workflow(1000));
    let fired = 0;
    const errors: unknown[] = [];
    watcher = watchWorkflowDirectory(path, () => fired++, { retryMs: 20, onError: (e) => errors.push(e) });
    rmSync(flows, { recursive: true });
    mkdirSync(flows);
    writeFileSync(path, workflow(2000));
    // The first callback comes after the re-created watch has started (its start also bumps).
    await waitFor(() => fired > 0, 5_000, "first callback");
    // A later write is only seen if the new directory is being watched.
    const before = fired;
    writeFileSync(path, workflow(3000));
    await waitFor(() => fired > before, 5_000, "a callback from the re-created watch");
    expect(errors).toEqual([]);
  });

  test("a missing directory is reported once and retried until it appears", async () => {
    dir = makeTempDir();
    const flows = join(dir.path, "later");
    const path = join(flows, "WORKFLOW.md");
    let fired = 0;
    const errors: unknown[] = [];
    watcher = watchWorkflowDirectory(path, () => fired++, { retryMs: 10, onError: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    mkdirSync(flows);
    await waitFor(() => fired > 0, 5_000, "callback after the directory appeared");
    expect(errors).toHaveLength(1);
  });

  test("detects a Kubernetes ConfigMap ..data symlink swap and the manager reloads the new content", async () => {
    dir = makeTempDir();
    const root = dir.path;
    mkdirSync(join(root, "..2026_01_01"));
    writeFileSync(join(root, "..2026_01_01", "WORKFLOW.md"), workflow(1000));
    symlinkSync("..2026_01_01", join(root, "..data"));
    symlinkSync("..data/WORKFLOW.md", join(root, "WORKFLOW.md"));
    const path = join(root, "WORKFLOW.md");

    const manager = new WorkflowManager({
      workflowPath: path,
      env: {},
      cwd: root,
      homeDir: "/home/tester",
      parseTemplate: (body) => body,
      logger: silentLogger,
    });
    expect((await manager.load()).config.polling.intervalMs).toBe(1000);
    const results: string[] = [];
    watcher = watchWorkflowDirectory(path, () => {
      void manager.reload("watch").then((result) => results.push(result.status));
    });

    // What the kubelet does: write a new timestamped dir, point a temp symlink at it, rename it over ..data.
    mkdirSync(join(root, "..2026_01_02"));
    writeFileSync(join(root, "..2026_01_02", "WORKFLOW.md"), workflow(2000));
    symlinkSync("..2026_01_02", join(root, "..data_tmp"));
    renameSync(join(root, "..data_tmp"), join(root, "..data"));

    await waitFor(() => results.includes("reloaded"), 5_000, "reload after the ..data swap");
    expect(readFileSync(path, "utf8")).toContain("interval_ms: 2000");
    expect(manager.current().config.polling.intervalMs).toBe(2000);
  });
});
