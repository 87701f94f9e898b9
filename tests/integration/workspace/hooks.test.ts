import { afterEach, describe, expect, test } from "bun:test";
import { readdir, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { groupAlive, signalGroup } from "../../../src/platform/process-group.ts";
import { buildHookEnv } from "../../../src/workspace/env.ts";
import { HookError } from "../../../src/workspace/errors.ts";
import { HOOK_OUTPUT_CAP_BYTES, outputTail, runHook } from "../../../src/workspace/hooks.ts";
import {
  captureLogs,
  findLog,
  removeTempDirs,
  resetLogs,
  tempDir,
  thrown,
  waitFor,
} from "../../unit/workspace/support.ts";

const leaders: number[] = [];

afterEach(async () => {
  for (const pgid of leaders.splice(0)) signalGroup(pgid, "SIGKILL");
  await resetLogs();
  await removeTempDirs();
});

const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", ...extra });

/** Live (non-zombie) members of a process group, from /proc. */
async function liveGroupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z") members.push(Number(name));
  }
  return members;
}

async function readPid(path: string): Promise<number> {
  await waitFor(async () => (await readFile(path, "utf8").catch(() => "")).trim() !== "", `pid file ${path}`);
  const pid = Number((await readFile(path, "utf8")).trim());
  leaders.push(pid);
  return pid;
}

async function hookError(promise: Promise<unknown>): Promise<HookError> {
  const err = await thrown(promise);
  expect(err).toBeInstanceOf(HookError);
  return err as HookError;
}

describe("runHook", () => {
  test("runs in the workspace and returns combined stdout and stderr", async () => {
    const ws = await realpath(await tempDir());
    const result = await runHook({
      name: "before_run",
      script: "pwd; echo to-stderr >&2; printf 'héllo'",
      cwd: ws,
      env: env(),
      timeoutMs: 10_000,
    });
    expect(result.output).toContain(ws);
    expect(result.output).toContain("to-stderr");
    expect(result.output).toContain("héllo");
    expect(result.outputTruncated).toBe(false);
  });

  test("logs running hook with the hook name and workspace", async () => {
    const logs = await captureLogs();
    const ws = await tempDir();
    await runHook({ name: "after_create", script: "true", cwd: ws, env: env(), timeoutMs: 10_000 });
    const record = findLog(logs, "running hook");
    expect(record?.level).toBe("info");
    expect(record?.props).toEqual({ hook: "after_create", workspace: ws });
  });

  test("gives the hook exactly the environment it was handed", async () => {
    const ws = await tempDir();
    const hookEnv = buildHookEnv({
      parentEnv: { ...process.env, SORTIE_TRACKER_API_KEY: "tok", SECRET_NOT_ALLOWED: "leak" },
      issueId: "99",
      issueIdentifier: "PROJ-99",
      workspace: ws,
      attempt: 1,
    });
    await runHook({ name: "before_run", script: "env > env.txt", cwd: ws, env: hookEnv, timeoutMs: 10_000 });
    const lines = (await readFile(join(ws, "env.txt"), "utf8")).trim().split("\n");
    const seen = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(seen.SECRET_NOT_ALLOWED).toBeUndefined();
    expect(seen.SORTIE_TRACKER_API_KEY).toBe("tok");
    expect(seen.SORTIE_ISSUE_ID).toBe("99");
    expect(seen.SORTIE_ISSUE_IDENTIFIER).toBe("PROJ-99");
    expect(seen.SORTIE_WORKSPACE).toBe(ws);
    expect(seen.SORTIE_ATTEMPT).toBe("1");
    // The shell adds PWD/SHLVL/_ itself; nothing else may appear beyond what we passed.
    const shellOwn = new Set(["PWD", "SHLVL", "_", "OLDPWD"]);
    for (const name of Object.keys(seen)) {
      if (!shellOwn.has(name)) expect(Object.keys(hookEnv)).toContain(name);
    }
  });

  test("fails with op run and the exit code on a non-zero exit, keeping the output", async () => {
    const ws = await tempDir();
    const err = await hookError(
      runHook({ name: "before_run", script: "echo broken; exit 3", cwd: ws, env: env(), timeoutMs: 10_000 }),
    );
    expect(err.kind).toBe("workspace_hook_error");
    expect(err.op).toBe("run");
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe("hook run: exit_code=3: exit status 3");
    expect(err.toString()).toBe("workspace: workspace_hook_error: hook run: exit_code=3: exit status 3");
    expect(err.output).toBe("broken\n");
    expect(err.script).toBe("echo broken; exit 3");
  });

  test.each([
    ["an empty script", { script: "" }, "script must not be empty"],
    ["a non-positive timeout", { timeoutMs: 0 }, "timeout_ms must be positive"],
  ])("rejects %s before starting anything", async (_what, override, detail) => {
    const ws = await tempDir();
    const err = await hookError(
      runHook({ name: "before_run", script: "true", cwd: ws, env: env(), timeoutMs: 1000, ...override }),
    );
    expect(err.op).toBe("validate");
    expect(err.exitCode).toBe(-1);
    expect(err.message).toBe(`hook validate: ${detail}`);
  });

  test("rejects a missing or non-directory working directory", async () => {
    const ws = await tempDir();
    await writeFile(join(ws, "file"), "");
    for (const cwd of [join(ws, "missing"), join(ws, "file")]) {
      const err = await hookError(
        runHook({ name: "before_run", script: "true", cwd, env: env(), timeoutMs: 1000 }),
      );
      expect(err.op).toBe("validate");
    }
  });

  test("truncates the script quoted in errors to 200 bytes", async () => {
    const ws = await tempDir();
    const script = `exit 1 # ${"x".repeat(400)}`;
    const err = await hookError(
      runHook({ name: "before_run", script, cwd: ws, env: env(), timeoutMs: 10_000 }),
    );
    expect(err.script).toBe(`${script.slice(0, 200)}...`);
  });

  test("on timeout kills the whole process group, grandchildren included", async () => {
    const ws = await tempDir();
    const script = "echo $$ > leader.pid; sleep 1000 & echo $! > child.pid; echo started; wait";
    const err = await hookError(
      runHook({ name: "after_create", script, cwd: ws, env: env(), timeoutMs: 300 }),
    );
    expect(err.op).toBe("timeout");
    expect(err.exitCode).toBe(-1);
    expect(err.message).toBe("hook timeout: hook timed out after 300ms");
    expect(err.output).toBe("started\n");
    const leader = await readPid(join(ws, "leader.pid"));
    const child = await readPid(join(ws, "child.pid"));
    await waitFor(async () => (await liveGroupMembers(leader)).length === 0, "group members to die");
    await waitFor(() => !groupAlive(leader), "process group to disappear");
    const childState = await readFile(`/proc/${child}/stat`, "utf8").catch(() => "");
    expect(childState === "" || childState.slice(childState.lastIndexOf(")") + 2).startsWith("Z")).toBe(true);
  });

  test("an abort signal kills the group and reports hook cancelled", async () => {
    const ws = await tempDir();
    const controller = new AbortController();
    const script = "echo $$ > leader.pid; sleep 1000 & wait";
    const running = runHook({
      name: "before_run",
      script,
      cwd: ws,
      env: env(),
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    const leader = await readPid(join(ws, "leader.pid"));
    controller.abort();
    const err = await hookError(running);
    expect(err.op).toBe("timeout");
    expect(err.message).toBe("hook timeout: hook cancelled");
    await waitFor(async () => (await liveGroupMembers(leader)).length === 0, "group members to die");
  });

  test("does not start a hook whose signal is already aborted", async () => {
    const ws = await tempDir();
    const err = await hookError(
      runHook({
        name: "before_run",
        script: "touch ran",
        cwd: ws,
        env: env(),
        timeoutMs: 10_000,
        signal: AbortSignal.abort(),
      }),
    );
    expect(err.message).toBe("hook timeout: hook cancelled");
    expect(await Bun.file(join(ws, "ran")).exists()).toBe(false);
  });

  test("caps captured output at 256 KiB while draining both pipes to the end", async () => {
    const ws = await tempDir();
    // 128 MiB on each stream: a reader that stopped draining would block the hook into its
    // timeout, and one that kept everything would grow by at least 256 MiB.
    const script =
      "head -c 134217728 /dev/zero | tr '\\0' a; head -c 134217728 /dev/zero | tr '\\0' b >&2; echo done > finished";
    const before = process.memoryUsage().rss;
    const result = await runHook({ name: "before_run", script, cwd: ws, env: env(), timeoutMs: 120_000 });
    const grown = process.memoryUsage().rss - before;
    expect(result.outputTruncated).toBe(true);
    expect(new TextEncoder().encode(result.output).length).toBe(HOOK_OUTPUT_CAP_BYTES);
    expect(result.output).toBe("a".repeat(HOOK_OUTPUT_CAP_BYTES));
    expect(await Bun.file(join(ws, "finished")).text()).toBe("done\n");
    expect(grown).toBeLessThan(128 * 1024 * 1024);
  });

  test("returns once the hook exits even if a background child keeps the pipes open", async () => {
    const ws = await tempDir();
    const result = await runHook({
      name: "after_run",
      script: "echo $$ > leader.pid; sleep 1000 & echo bye",
      cwd: ws,
      env: env(),
      timeoutMs: 60_000,
    });
    await readPid(join(ws, "leader.pid"));
    expect(result.output).toBe("bye\n");
  });
});

describe("outputTail", () => {
  test("keeps the last bytes of long output", () => {
    expect(outputTail("abcdef", 3)).toBe("def");
    expect(outputTail("short")).toBe("short");
    expect(new TextEncoder().encode(outputTail("x".repeat(10_000))).length).toBe(4096);
  });
});
