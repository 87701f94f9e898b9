import { afterEach, describe, expect, test } from "bun:test";
import { mkdir, readFile, realpath, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isAbortError } from "../../../src/domain/errors.ts";
import { HookError, WorkspacePathError } from "../../../src/workspace/errors.ts";
import { prepareWorkspace, runAfterRun } from "../../../src/workspace/prepare.ts";
import { readStatusSignal } from "../../../src/workspace/status-file.ts";
import {
  captureLogs,
  findLog,
  hooksConfig,
  removeTempDirs,
  resetLogs,
  tempDir,
  thrown,
  waitFor,
} from "../../unit/workspace/support.ts";

afterEach(async () => {
  await resetLogs();
  await removeTempDirs();
});

const parentEnv = { PATH: process.env.PATH, SORTIE_TRACKER_API_KEY: "tok", UNRELATED: "x" };
const issue = { id: "10001", identifier: "PROJ-1" };
const exists = (path: string) => Bun.file(path).exists();
const dirExists = (path: string) =>
  stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );

async function setup() {
  const base = await realpath(await tempDir());
  const root = join(base, "workspaces");
  const log = join(base, "hooks.log");
  return { base, root, log, ws: join(root, "PROJ-1") };
}

describe("prepareWorkspace", () => {
  test("runs after_create only when the directory is new and before_run every time", async () => {
    const { root, log, ws } = await setup();
    const hooks = hooksConfig({
      afterCreate: `echo "create $SORTIE_ATTEMPT" >> ${log}`,
      beforeRun: `echo "run $SORTIE_ATTEMPT $SORTIE_ISSUE_ID $SORTIE_WORKSPACE $PWD" >> ${log}`,
    });
    const first = await prepareWorkspace({ root, issue, attempt: null, hooks, parentEnv });
    expect(first).toEqual({ path: ws, key: "PROJ-1", createdNow: true });
    const second = await prepareWorkspace({ root, issue, attempt: 2, hooks, parentEnv });
    expect(second.createdNow).toBe(false);
    expect(await readFile(log, "utf8")).toBe(`create 0\nrun 0 10001 ${ws} ${ws}\nrun 2 10001 ${ws} ${ws}\n`);
  });

  test("rolls the new directory back when after_create fails", async () => {
    const logs = await captureLogs();
    const { root, ws } = await setup();
    const hooks = hooksConfig({
      afterCreate: "touch made-it; echo clone failed >&2; exit 7",
      beforeRun: "touch ran",
    });
    const err = await thrown(prepareWorkspace({ root, issue, attempt: null, hooks, parentEnv }));
    expect(err).toBeInstanceOf(HookError);
    expect((err as HookError).exitCode).toBe(7);
    expect(await dirExists(ws)).toBe(false);
    const warn = findLog(logs, "after_create hook failed, rolling back workspace");
    expect(warn?.level).toBe("warning");
    expect(warn?.props.workspace).toBe(ws);
    expect(warn?.props.output).toBe("clone failed\n");
    expect(String(warn?.props.error)).toContain("hook run: exit_code=7");
    expect(findLog(logs, "workspace rollback failed after after_create hook error")).toBeUndefined();
  });

  test("logs an error when the rollback itself fails, and still throws the hook error", async () => {
    const logs = await captureLogs();
    const { root } = await setup();
    const hooks = hooksConfig({ afterCreate: "exit 1" });
    const removeTree = async () => {
      throw new Error("EBUSY: resource busy");
    };
    const err = await thrown(prepareWorkspace({ root, issue, attempt: null, hooks, parentEnv, removeTree }));
    expect(err).toBeInstanceOf(HookError);
    const record = findLog(logs, "workspace rollback failed after after_create hook error");
    expect(record?.level).toBe("error");
    expect(record?.props.error).toBe("EBUSY: resource busy");
  });

  test("does not run after_create for an existing directory", async () => {
    const { root, ws } = await setup();
    await mkdir(ws, { recursive: true });
    const result = await prepareWorkspace({
      root,
      issue,
      attempt: 1,
      hooks: hooksConfig({ afterCreate: "exit 1" }),
      parentEnv,
    });
    expect(result.createdNow).toBe(false);
  });

  test("keeps the directory when before_run fails", async () => {
    const logs = await captureLogs();
    const { root, ws } = await setup();
    const hooks = hooksConfig({ beforeRun: "echo nope; exit 2" });
    const err = await thrown(prepareWorkspace({ root, issue, attempt: null, hooks, parentEnv }));
    expect((err as HookError).op).toBe("run");
    expect(await dirExists(ws)).toBe(true);
    const warn = findLog(logs, "before_run hook failed");
    expect(warn?.props.output).toBe("nope\n");
  });

  test("deletes a stale .sortie/status before before_run", async () => {
    const { root, ws, log } = await setup();
    await mkdir(join(ws, ".sortie"), { recursive: true });
    await writeFile(join(ws, ".sortie", "status"), "blocked\n");
    await prepareWorkspace({
      root,
      issue,
      attempt: 1,
      hooks: hooksConfig({ beforeRun: `test -e .sortie/status && echo present >> ${log}; true` }),
      parentEnv,
    });
    expect(await exists(join(ws, ".sortie", "status"))).toBe(false);
    expect(await exists(log)).toBe(false);
  });

  test("honours a status written by before_run", async () => {
    const { root, ws } = await setup();
    const hooks = hooksConfig({ beforeRun: "mkdir -p .sortie && echo needs-human-review > .sortie/status" });
    await prepareWorkspace({ root, issue, attempt: null, hooks, parentEnv });
    expect(await readStatusSignal(ws)).toBe("needs-human-review");
  });

  test("leaves a symlinked status file alone and warns", async () => {
    const logs = await captureLogs();
    const { root, ws, base } = await setup();
    await mkdir(join(ws, ".sortie"), { recursive: true });
    await writeFile(join(base, "target"), "blocked\n");
    await symlink(join(base, "target"), join(ws, ".sortie", "status"));
    await prepareWorkspace({ root, issue, attempt: null, hooks: hooksConfig(), parentEnv });
    expect(await readFile(join(base, "target"), "utf8")).toBe("blocked\n");
    expect(findLog(logs, "status file cleanup failed")?.props.reason).toBe(".sortie/status is a symlink");
  });

  test("kills after_create when the worker signal aborts and rolls back", async () => {
    const { root, ws } = await setup();
    const controller = new AbortController();
    const running = prepareWorkspace({
      root,
      issue,
      attempt: null,
      hooks: hooksConfig({ afterCreate: "touch started; sleep 1000", timeoutMs: 60_000 }),
      parentEnv,
      signal: controller.signal,
    });
    await waitFor(() => exists(join(ws, "started")), "after_create to start");
    controller.abort();
    const err = await thrown(running);
    expect((err as HookError).message).toBe("hook timeout: hook cancelled");
    expect(await dirExists(ws)).toBe(false);
  });

  test("does nothing when the worker signal is already aborted", async () => {
    const { root, ws } = await setup();
    const err = await thrown(
      prepareWorkspace({
        root,
        issue,
        attempt: null,
        hooks: hooksConfig(),
        parentEnv,
        signal: AbortSignal.abort(),
      }),
    );
    expect(isAbortError(err)).toBe(true);
    expect(await dirExists(ws)).toBe(false);
  });

  test("surfaces path errors without running hooks", async () => {
    const { root, log } = await setup();
    const err = await thrown(
      prepareWorkspace({
        root,
        issue: { id: "1", identifier: ".." },
        attempt: null,
        hooks: hooksConfig({ afterCreate: `echo x >> ${log}` }),
        parentEnv,
      }),
    );
    expect(err).toBeInstanceOf(WorkspacePathError);
    expect(await exists(log)).toBe(false);
  });
});

describe("runAfterRun", () => {
  test("passes the self-review status and, when the summary exists, its path", async () => {
    const { root, log } = await setup();
    const ws = (await prepareWorkspace({ root, issue, attempt: 3, hooks: hooksConfig(), parentEnv })).path;
    const script = `echo "$SORTIE_SELF_REVIEW_STATUS|\${SORTIE_SELF_REVIEW_SUMMARY_PATH-unset}|$SORTIE_ATTEMPT" >> ${log}`;
    const hooks = hooksConfig({ afterRun: script });
    await runAfterRun({ workspace: ws, issue, attempt: 3, hooks, parentEnv });
    await mkdir(join(ws, ".sortie"));
    await writeFile(join(ws, ".sortie", "review_summary.md"), "# summary\n");
    await runAfterRun({
      workspace: ws,
      issue,
      attempt: 3,
      hooks,
      parentEnv,
      selfReviewStatus: "cap_reached",
    });
    expect(await readFile(log, "utf8")).toBe(
      `disabled|unset|3\ncap_reached|${join(ws, ".sortie", "review_summary.md")}|3\n`,
    );
  });

  test("does not offer a summary that is a symlink", async () => {
    const { root, log, base } = await setup();
    const ws = (await prepareWorkspace({ root, issue, attempt: null, hooks: hooksConfig(), parentEnv })).path;
    await mkdir(join(ws, ".sortie"));
    await writeFile(join(base, "elsewhere.md"), "x");
    await symlink(join(base, "elsewhere.md"), join(ws, ".sortie", "review_summary.md"));
    const hooks = hooksConfig({ afterRun: `echo "\${SORTIE_SELF_REVIEW_SUMMARY_PATH-unset}" >> ${log}` });
    await runAfterRun({ workspace: ws, issue, attempt: null, hooks, parentEnv, selfReviewStatus: "passed" });
    expect(await readFile(log, "utf8")).toBe("unset\n");
  });

  test("logs a failure with the last 4 KiB of output and never throws", async () => {
    const logs = await captureLogs();
    const { root } = await setup();
    const ws = (await prepareWorkspace({ root, issue, attempt: null, hooks: hooksConfig(), parentEnv })).path;
    const hooks = hooksConfig({ afterRun: "head -c 10000 /dev/zero | tr '\\0' x; echo END; exit 4" });
    await runAfterRun({ workspace: ws, issue, attempt: null, hooks, parentEnv });
    const warn = findLog(logs, "after_run hook failed");
    expect(warn?.level).toBe("warning");
    const output = String(warn?.props.output);
    expect(output.length).toBe(4096);
    expect(output.endsWith("xEND\n")).toBe(true);
  });

  test("is bounded by the extra deadline signal", async () => {
    const logs = await captureLogs();
    const { root } = await setup();
    const ws = (await prepareWorkspace({ root, issue, attempt: null, hooks: hooksConfig(), parentEnv })).path;
    const hooks = hooksConfig({ afterRun: "sleep 1000", timeoutMs: 60_000 });
    await runAfterRun({
      workspace: ws,
      issue,
      attempt: null,
      hooks,
      parentEnv,
      deadline: AbortSignal.timeout(200),
    });
    expect(String(findLog(logs, "after_run hook failed")?.props.error)).toContain("hook cancelled");
  });

  test("does nothing without an after_run hook, even for a missing workspace", async () => {
    const logs = await captureLogs();
    await runAfterRun({
      workspace: "/nonexistent/ws",
      issue,
      attempt: null,
      hooks: hooksConfig(),
      parentEnv,
    });
    expect(logs).toEqual([]);
  });
});
