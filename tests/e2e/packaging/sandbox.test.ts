// The Deployment's container contract around the compiled binary, reproduced with bubblewrap:
// read-only root, uid/gid 1000 in a user namespace, a private /tmp, the data volume as the one
// writable mount, the workflow in a ConfigMap-shaped read-only directory, HOME=/home/sortie
// read-only, and sortie as PID 1 of its own PID namespace. It checks what the deployment guide
// promises there: readiness, writes only where allowed, the agent home on the data volume, ConfigMap
// updates without a restart, SIGTERM drain with exit 0, and a warm start that retries the
// interrupted run.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, requireBinary } from "../../helpers/sortie-process.ts";
import { waitFor } from "../../helpers/wait.ts";
import {
  type ContractDirs,
  containerWorkflow,
  httpJson,
  IN,
  type LoggedProcess,
  listTree,
  makeContractDirs,
  spawnLogged,
} from "./contract.ts";

setDefaultTimeout(90_000);

const BWRAP = Bun.which("bwrap");

/** bubblewrap is installed and may create user and PID namespaces here. */
function sandboxWorks(): boolean {
  if (!BWRAP) return false;
  const r = Bun.spawnSync(
    [BWRAP, "--ro-bind", "/", "/", "--unshare-user", "--uid", "1000", "--unshare-pid", "true"],
    { stdout: "ignore", stderr: "ignore" },
  );
  return r.exitCode === 0;
}
const AVAILABLE = sandboxWorks();
if (!AVAILABLE) {
  console.warn(
    "packaging/sandbox: skipped: bubblewrap (`bwrap`, Debian package bubblewrap) is missing or cannot create user namespaces here",
  );
}

/** The bwrap arguments that reproduce the pod's mounts and identity around `command`. */
function sandbox(dirs: ContractDirs, command: string[], env: Record<string, string> = {}): string[] {
  const setenv = Object.entries({ HOME: IN.home, PATH: "/usr/bin:/bin", ...env }).flatMap(([k, v]) => [
    "--setenv",
    k,
    v,
  ]);
  return [
    BWRAP!,
    // readOnlyRootFilesystem: the whole host tree, read-only.
    ...["--ro-bind", "/", "/"],
    // A minimal /dev owned by nobody the process can write to, with a writable /dev/shm as
    // container runtimes provide.
    ...["--dev", "/dev", "--tmpfs", "/dev/shm", "--remount-ro", "/dev"],
    ...["--proc", "/proc"],
    // The tmp emptyDir.
    ...["--tmpfs", "/tmp"],
    // /home/sortie exists in the image and is read-only; the volumes are mounted below it.
    ...["--tmpfs", "/home", "--dir", IN.home],
    ...["--bind", dirs.data, IN.data],
    ...["--ro-bind", dirs.config, IN.config],
    ...["--remount-ro", "/home"],
    // runAsUser/runAsGroup 1000, no capabilities, sortie as PID 1.
    ...["--unshare-user", "--uid", "1000", "--gid", "1000"],
    ...["--unshare-pid", "--as-pid-1", "--die-with-parent", "--new-session"],
    "--clearenv",
    ...setenv,
    ...["--chdir", IN.home],
    ...command,
  ];
}

interface Sandboxed extends LoggedProcess {
  port: number;
  /** sortie's PID on the host (it is PID 1 inside). */
  sortiePid(): number;
  /** SIGTERM to sortie from outside, as the kubelet does; SIGKILL after the 30 s grace. */
  terminate(): Promise<number>;
}

let running: Sandboxed[] = [];
let dirs: ContractDirs[] = [];

afterEach(async () => {
  for (const s of running) {
    if (s.proc.exitCode === null) {
      s.proc.kill("SIGKILL");
      await s.exited;
    }
  }
  for (const d of dirs) d.cleanup();
  running = [];
  dirs = [];
});

function newDirs(): ContractDirs {
  const d = makeContractDirs("sortie-sandbox-");
  dirs.push(d);
  return d;
}

function startSandboxed(d: ContractDirs, env: Record<string, string> = { SORTIE_DB_PATH: IN.db }): Sandboxed {
  const port = freePort();
  const cmd = sandbox(
    d,
    [requireBinary(), "--host", "127.0.0.1", "--port", String(port), "--log-format", "json", IN.workflow],
    env,
  );
  const p = spawnLogged(cmd);
  const sortiePid = () => {
    const children = readFileSync(`/proc/${p.proc.pid}/task/${p.proc.pid}/children`, "utf8").trim();
    const pid = Number(children.split(" ")[0]);
    if (!pid) throw new Error("sortie is not running inside the sandbox");
    return pid;
  };
  const s: Sandboxed = {
    ...p,
    port,
    sortiePid,
    terminate: async () => {
      process.kill(sortiePid(), "SIGTERM");
      const grace = setTimeout(() => p.proc.kill("SIGKILL"), 30_000);
      const code = await p.exited;
      clearTimeout(grace);
      return code;
    },
  };
  running.push(s);
  return s;
}

const url = (s: Sandboxed, path: string) => `http://127.0.0.1:${s.port}${path}`;

async function ready(s: Sandboxed): Promise<void> {
  const outcome = await waitFor(
    async () =>
      s.proc.exitCode !== null ? "exited" : (await httpJson(url(s, "/readyz")))?.code === 200 && "ready",
    {
      timeoutMs: 60_000, // the startup probe's budget: 30 × 2 s
      what: () => `/readyz 200 (last log: ${s.records.at(-1)?.msg}; other output: ${s.plain.join(" | ")})`,
    },
  );
  if (outcome === "exited") {
    throw new Error(
      `sortie exited before it was ready: ${[...s.plain, ...s.records.map((r) => r.msg)].join(" | ")}`,
    );
  }
}

function issueState(d: ContractDirs, id: string): string | undefined {
  const issues = JSON.parse(readFileSync(join(d.data, "issues.json"), "utf8")) as {
    id: string;
    state: string;
  }[];
  return issues.find((i) => i.id === id)?.state;
}

/** Every directory or regular file the sandboxed uid 1000 may write, outside /proc, /sys, /dev/pts. */
function writablePaths(d: ContractDirs): string[] {
  const probe = Bun.spawnSync(
    sandbox(d, [
      "/bin/sh",
      "-c",
      "find / -maxdepth 5 \\( -path /proc -o -path /sys -o -path /dev/pts \\) -prune -o \\( -type d -o -type f \\) -writable -print 2>/dev/null; true",
    ]),
    { stdout: "pipe", stderr: "pipe" },
  );
  expect(probe.exitCode).toBe(0);
  return probe.stdout.toString().trim().split("\n").filter(Boolean);
}

describe.skipIf(!AVAILABLE)("sortie inside the Deployment's container contract (bubblewrap)", () => {
  test("becomes ready as uid 1000 on a read-only root, moves the agent home to the data volume and writes nowhere else", async () => {
    const d = newDirs();
    d.publish(containerWorkflow());
    d.writeIssues([{ id: "1", identifier: "RO-1", title: "Read-only root", state: "To Do" }]);
    const configBefore = listTree(d.config);

    const s = startSandboxed(d);
    await ready(s);
    await waitFor(() => issueState(d, "1") === "Human Review", { what: "RO-1 handed off" });

    expect(await s.waitForLog("cold start: initialized new database")).toMatchObject({ db_path: IN.db });
    const redirected = await s.waitForLog("agent home redirected");
    expect(redirected.home).toBe(IN.agentHome);
    expect(String(redirected.reason)).toContain(`HOME ${IN.home} is not writable`);
    expect(String(redirected.reason)).toContain("EROFS");
    expect(s.logs("workspace prepared")[0]?.workspace).toBe(`${IN.workspaces}/RO-1`);
    const status = await httpJson(url(s, "/api/status"));
    expect(status?.code).toBe(200);

    // Only the data volume, /tmp and /dev/shm are writable for the process (besides the standard
    // device nodes, which find lists because their mount points are files).
    const writable = writablePaths(d);
    expect(writable).toContain(IN.data);
    expect(writable).toContain("/tmp");
    const devices = /^\/dev\/(null|zero|full|random|urandom|tty)$/;
    const allowed = /^(\/home\/sortie\/data|\/tmp|\/dev\/shm)(\/|$)/;
    expect(writable.filter((p) => !allowed.test(p) && !devices.test(p))).toEqual([]);

    expect(await s.terminate()).toBe(0);
    expect(s.logs("signal received, initiating shutdown")[0]).toMatchObject({ signal: "terminated", pid: 1 });
    expect(s.records.at(-1)?.msg).toBe("shutting down");
    // Every stderr line was a JSON record.
    expect(s.plain).toEqual([]);

    // What sortie left on the data volume, and nothing in the ConfigMap.
    const top = readdirSync(d.data).sort();
    for (const name of top) {
      expect([
        ".sortie.db",
        ".sortie.db-shm",
        ".sortie.db-wal",
        "agent-home",
        "issues.json",
        "workspaces",
      ]).toContain(name);
    }
    expect(top).toEqual(expect.arrayContaining([".sortie.db", "agent-home", "issues.json", "workspaces"]));
    expect(listTree(d.data).filter((p) => p.startsWith("workspaces/"))).toContain("workspaces/RO-1/");
    expect(listTree(d.config)).toEqual(configBefore);
  });

  test("applies ConfigMap updates (..data swaps) without a restart; a broken one fails /readyz until fixed", async () => {
    const d = newDirs();
    // Version 1 has no matching active state: nothing is dispatched.
    d.publish(containerWorkflow({ activeStates: ["Ready", "In Progress"] }));
    d.writeIssues([{ id: "2", identifier: "CM-2", title: "After the swap", state: "To Do" }]);
    const s = startSandboxed(d);
    await ready(s);
    await s.waitForLog("tick completed", (r) => r.candidates === 0);

    // Version 2 activates "To Do".
    d.publish(containerWorkflow({ maxAgents: 3 }));
    const reloaded = await s.waitForLog("workflow reloaded");
    expect(reloaded.trigger).toBe("watch");
    await waitFor(() => issueState(d, "2") === "Human Review", { what: "CM-2 handed off after the swap" });
    await waitFor(
      async () =>
        (
          (await httpJson(url(s, "/api/status")))?.body.slots as
            | { max_concurrent_agents?: number }
            | undefined
        )?.max_concurrent_agents === 3,
      { what: "/api/status showing the new max_concurrent_agents" },
    );

    // Version 3 is broken: the last good config keeps running; readiness fails from the next tick's
    // preflight on, liveness does not.
    d.publish("---\ntracker: [not valid\n---\nprompt\n");
    await s.waitForLog("workflow reload failed");
    await waitFor(async () => (await httpJson(url(s, "/readyz")))?.code === 503, { what: "/readyz 503" });
    expect((await httpJson(url(s, "/readyz")))?.body.checks).toMatchObject({
      preflight: "fail",
      database: "pass",
    });
    expect((await httpJson(url(s, "/livez")))?.code).toBe(200);

    // Version 4 fixes it.
    d.publish(containerWorkflow({ pollMs: 300 }));
    await ready(s);
    expect(s.logs("workflow reloaded").length).toBeGreaterThanOrEqual(2);
    expect(await s.terminate()).toBe(0);
  });

  test("SIGTERM to PID 1 mid-turn exits 0 within the grace period; the next start warm-starts and retries the run", async () => {
    const d = newDirs();
    d.publish(containerWorkflow({ turnDelayMs: 120_000 }));
    d.writeIssues([{ id: "3", identifier: "LONG-3", title: "A long turn", state: "To Do" }]);
    const first = startSandboxed(d);
    await ready(first);
    await first.waitForLog("turn started");

    expect(await first.terminate()).toBe(0);
    expect(first.logs("draining workers")[0]).toMatchObject({ count: 1 });
    expect(first.records.at(-1)?.msg).toBe("shutting down");
    expect(issueState(d, "3")).toBe("In Progress");

    // The pod comes back with the same volume and a quick agent.
    d.publish(containerWorkflow({ turnDelayMs: 50 }));
    const second = startSandboxed(d);
    const warm = await second.waitForLog("warm start: restored persisted state");
    expect(warm).toMatchObject({ db_path: IN.db, retries_restored: 1, retries_overdue: 1 });
    expect(Number(warm.run_history_entries)).toBeGreaterThanOrEqual(1);
    await waitFor(() => issueState(d, "3") === "Human Review", { what: "LONG-3 retried to hand-off" });
    expect(second.logs("agent session started").map((r) => r.session_id)).toEqual(["sess-contract"]);
    expect(await second.terminate()).toBe(0);
  });

  test("a database left at its default place inside the read-only ConfigMap mount fails with a SORTIE_DB_PATH hint", async () => {
    const d = newDirs();
    d.publish(containerWorkflow());
    d.writeIssues([]);
    const s = startSandboxed(d, {}); // no SORTIE_DB_PATH: the database would go next to WORKFLOW.md
    expect(await s.exited).toBe(1);
    const failed = s.logs("failed to open database")[0];
    expect(failed?.level).toBe("ERROR");
    expect(failed?.db_path).toBe(`${IN.config}/.sortie.db`);
    expect(String(failed?.error)).toContain(`${IN.config} is on a read-only file system`);
    expect(String(failed?.hint)).toContain("SORTIE_DB_PATH");
    expect(String(failed?.hint)).toContain("ConfigMap");
    expect(readdirSync(d.data).filter((f) => f.includes(".sortie.db"))).toEqual([]);
  });
});
