// The published image for real: Dockerfile.distroless built with podman (no Docker engine needed)
// on a stand-in for the distroless base assembled from this machine's Debian files (exactly the
// libraries `ldd dist/sortie` lists, CA certificates, the passwd entries), then run the way the
// Deployment runs it: --read-only, uid 1000, the data volume, a ConfigMap-shaped config mount and a
// /tmp tmpfs. This proves the Dockerfile, the binary's library needs and the runtime contract; it
// cannot prove the upstream base image's own contents.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { freePort, REPO, requireBinary } from "../../helpers/sortie-process.ts";
import { waitFor } from "../../helpers/wait.ts";
import {
  type ContractDirs,
  containerWorkflow,
  httpJson,
  IN,
  type LoggedProcess,
  makeContractDirs,
  spawnLogged,
} from "./contract.ts";

setDefaultTimeout(120_000);

const PODMAN = Bun.which("podman");
const IS_ROOT = process.getuid?.() === 0;
const AVAILABLE = Boolean(PODMAN) && IS_ROOT && process.platform === "linux";
if (!AVAILABLE) {
  console.warn(
    `packaging/image: skipped: ${!PODMAN ? "podman is not installed (Debian packages podman and runc)" : "the image test runs as root (it chowns volumes to uid 1000)"}`,
  );
}
const BUSYBOX = Bun.which("busybox");
if (AVAILABLE && !BUSYBOX) {
  console.warn(
    "packaging/image: the fix-permissions init container check is skipped: busybox is not installed",
  );
}

const BASE = "gcr.io/distroless/base-debian12:nonroot";
const IMAGE = "localhost/sortie:packaging-test";
const BUSYBOX_IMAGE = "docker.io/library/busybox:1.36";

let work = "";
let podmanGlobal: string[] = [];
let podmanEnv: Record<string, string> = {};

function podman(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = Bun.spawnSync([PODMAN!, ...podmanGlobal, ...args], {
    env: { ...process.env, ...podmanEnv },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function mustPodman(args: string[]): string {
  const r = podman(args);
  if (r.code !== 0) throw new Error(`podman ${args.join(" ")} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Copies `src` into `root` at the same absolute path, following symlinks. */
function copyInto(root: string, src: string, dest = src): void {
  mkdirSync(join(root, dirname(dest)), { recursive: true });
  copyFileSync(src, join(root, dest));
}

/** A distroless-like root file system: glibc and the loader as ldd lists them, CA certificates, users. */
function buildStandInBase(dir: string): string {
  const root = join(dir, "rootfs");
  mkdirSync(root);
  const ldd = Bun.spawnSync(["ldd", requireBinary()], { stdout: "pipe" }).stdout.toString();
  const libs = [...ldd.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]!);
  expect(libs.some((l) => l.includes("libc.so"))).toBeTrue();
  for (const lib of libs) copyInto(root, lib);
  copyInto(root, "/etc/ssl/certs/ca-certificates.crt");
  mkdirSync(join(root, "usr/bin"), { recursive: true });
  mkdirSync(join(root, "home/nonroot"), { recursive: true });
  mkdirSync(join(root, "tmp"));
  chmodSync(join(root, "tmp"), 0o1777);
  writeFileSync(
    join(root, "etc/passwd"),
    "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
  );
  writeFileSync(join(root, "etc/group"), "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n");
  const tar = join(dir, "base.tar");
  const r = Bun.spawnSync(["tar", "-C", root, "-cf", tar, "."], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`tar: ${r.stderr.toString()}`);
  return tar;
}

/** busybox:1.36 stand-in: the static busybox as /bin/sh and /bin/chown. */
function buildBusyboxImage(dir: string): void {
  const root = join(dir, "busybox-rootfs");
  copyInto(root, BUSYBOX!, "/bin/busybox");
  for (const applet of ["sh", "chown", "ls", "id"]) {
    Bun.spawnSync(["ln", "-s", "busybox", join(root, "bin", applet)]);
  }
  const tar = join(dir, "busybox.tar");
  Bun.spawnSync(["tar", "-C", root, "-cf", tar, "."]);
  mustPodman(["import", tar, BUSYBOX_IMAGE]);
}

beforeAll(() => {
  if (!AVAILABLE) return;
  work = mkdtempSync(join(tmpdir(), "sortie-podman-"));
  // No default ulimits: raising RLIMIT_NOFILE is not permitted in some sandboxes.
  writeFileSync(join(work, "containers.conf"), "[containers]\ndefault_ulimits = []\n");
  podmanEnv = { CONTAINERS_CONF: join(work, "containers.conf") };
  // A private store, so the stand-in base never shadows a real image on this machine.
  podmanGlobal = [
    "--root",
    join(work, "storage"),
    "--runroot",
    join(work, "run"),
    "--storage-driver",
    "vfs",
    "--runtime",
    "runc",
    "--cgroup-manager",
    "cgroupfs",
    "--events-backend",
    "file",
  ];
  mustPodman(["import", "--change", "USER=65532", buildStandInBase(work), BASE]);
  if (BUSYBOX) buildBusyboxImage(work);
  const version = Bun.spawnSync([requireBinary(), "-dumpversion"], { stdout: "pipe" })
    .stdout.toString()
    .trim();
  // --pull=never: the Dockerfile's own FROM line resolves to the stand-in; the source stage (and its
  // oven/bun image) is not needed with BINARY_FROM=prebuilt.
  mustPodman([
    "build",
    "--pull=never",
    "--format",
    "docker",
    "-f",
    join(REPO, "Dockerfile.distroless"),
    "--build-arg",
    "BINARY_FROM=prebuilt",
    "--build-arg",
    `VERSION=${version}`,
    "--build-arg",
    "REVISION=packaging-test",
    "-t",
    IMAGE,
    REPO,
  ]);
});

afterAll(() => {
  if (!work) return;
  podman(["rm", "--all", "--force"]);
  podman(["rmi", "--all", "--force"]);
  rmSync(work, { recursive: true, force: true });
});

let containers: { name: string; p: LoggedProcess }[] = [];
let dirs: ContractDirs[] = [];

async function cleanupRuns(): Promise<void> {
  for (const c of containers) {
    if (c.p.proc.exitCode === null) {
      podman(["kill", c.name]);
      await c.p.exited;
    }
  }
  for (const d of dirs) d.cleanup();
  containers = [];
  dirs = [];
}

function newDirs(owner: number): ContractDirs {
  const d = makeContractDirs("sortie-image-");
  dirs.push(d);
  // fsGroup's effect in the cluster: the volume belongs to the pod's user. 0 = storage that ignores it.
  chownSync(d.data, owner, owner);
  return d;
}

/** `podman run` with the Deployment's security settings and volumes, attached so its logs stream. */
function runLikeTheDeployment(d: ContractDirs, env: Record<string, string> = { SORTIE_DB_PATH: IN.db }) {
  const name = `sortie-packaging-${process.pid}-${containers.length}`;
  const port = freePort();
  const envFlags = Object.entries({ HOME: IN.home, ...env }).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const p = spawnLogged(
    [
      PODMAN!,
      ...podmanGlobal,
      "run",
      "--rm",
      "--name",
      name,
      "--network",
      "host",
      "--read-only",
      "--tmpfs",
      "/tmp:size=64m",
      "--user",
      "1000:1000",
      "--cap-drop",
      "ALL",
      "--security-opt",
      "no-new-privileges",
      "-v",
      `${d.data}:${IN.data}`,
      "-v",
      `${d.config}:${IN.config}:ro`,
      ...envFlags,
      IMAGE,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--log-format",
      "json",
      IN.workflow,
    ],
    podmanEnv,
  );
  containers.push({ name, p });
  return { name, port, p };
}

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (e.isDirectory()) chownTree(join(path, e.name), uid);
    else chownSync(join(path, e.name), uid, uid);
  }
}

describe.skipIf(!AVAILABLE)("the distroless image (podman, stand-in base)", () => {
  test("adds exactly one file to the base, /usr/bin/sortie, and prints its banner when run bare", () => {
    const diff = mustPodman(["image", "diff", IMAGE, BASE]).trim().split("\n").sort();
    expect(diff).toEqual(["A /usr/bin/sortie", "C /usr", "C /usr/bin"]);
    const config = JSON.parse(mustPodman(["image", "inspect", IMAGE]))[0].Config as {
      Entrypoint: string[];
      Cmd: string[];
      Labels: Record<string, string>;
      User: string;
    };
    expect(config.Entrypoint).toEqual(["/usr/bin/sortie"]);
    expect(config.Cmd).toEqual(["--version"]);
    expect(config.Labels).toMatchObject({
      "org.opencontainers.image.title": "sortie",
      "org.opencontainers.image.revision": "packaging-test",
      "org.opencontainers.image.licenses": "Apache-2.0",
    });
    const bare = podman(["run", "--rm", "--network", "host", "--read-only", IMAGE]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(
      /^sortie \S+ \(commit: \w+, built: \S+, bun[\d.]+, linux\/(amd64|arm64)\)\n$/,
    );
    expect(config.Labels["org.opencontainers.image.version"]).toBe(bare.stdout.split(" ")[1]);
  });

  test("runs read-only as uid 1000 like the Deployment: ready, ConfigMap swap applied, podman stop drains to exit 0", async () => {
    try {
      const d = newDirs(1000);
      d.publish(containerWorkflow({ turnDelayMs: 120_000 }));
      d.writeIssues([{ id: "1", identifier: "IMG-1", title: "In the image", state: "To Do" }]);
      chownTree(d.data, 1000);
      const c = runLikeTheDeployment(d);
      await waitFor(async () => (await httpJson(`http://127.0.0.1:${c.port}/readyz`))?.code === 200, {
        timeoutMs: 60_000,
        what: () =>
          `/readyz 200 (last log: ${c.p.records.at(-1)?.msg}; other output: ${c.p.plain.join(" | ")})`,
      });
      expect((await c.p.waitForLog("agent home redirected")).home).toBe(IN.agentHome);
      await c.p.waitForLog("turn started");

      d.publish(containerWorkflow({ turnDelayMs: 120_000, maxAgents: 4 }));
      expect((await c.p.waitForLog("workflow reloaded")).trigger).toBe("watch");
      await waitFor(
        async () =>
          (
            (await httpJson(`http://127.0.0.1:${c.port}/api/status`))?.body.slots as
              | { max_concurrent_agents?: number }
              | undefined
          )?.max_concurrent_agents === 4,
        { what: "/api/status showing the swapped config" },
      );

      // SIGTERM via the runtime, with the pod's 30 s grace; sortie must be done well before SIGKILL.
      const stop = podman(["stop", "-t", "30", c.name]);
      expect(stop.code).toBe(0);
      expect(await c.p.exited).toBe(0);
      expect(c.p.logs("draining workers")[0]).toMatchObject({ count: 1 });
      expect(c.p.records.at(-1)?.msg).toBe("shutting down");
      expect(readdirSync(d.data).sort()).toEqual(
        expect.arrayContaining([".sortie.db", "agent-home", "issues.json", "workspaces"]),
      );
    } finally {
      await cleanupRuns();
    }
  });

  test("a root-owned data volume (fsGroup ignored) fails at once with one line naming the path and the fix", async () => {
    try {
      const d = newDirs(0);
      d.publish(containerWorkflow());
      d.writeIssues([]);
      const c = runLikeTheDeployment(d);
      expect(await c.p.exited).toBe(1);
      const errors = c.p.records.filter((r) => r.level === "ERROR");
      expect(errors).toHaveLength(1);
      const line = JSON.stringify(errors[0]);
      expect(line).toContain(IN.data);
      expect(line).toContain("permission denied");
      expect(line).toContain("fsGroup");
      expect(line).toContain("chown");
      expect(readdirSync(d.data)).toEqual(["issues.json"]);
    } finally {
      await cleanupRuns();
    }
  });

  test("the default database place inside the read-only ConfigMap mount is refused with a SORTIE_DB_PATH hint", async () => {
    try {
      const d = newDirs(1000);
      d.publish(containerWorkflow());
      d.writeIssues([]);
      chownTree(d.data, 1000);
      const c = runLikeTheDeployment(d, {});
      expect(await c.p.exited).toBe(1);
      const failed = c.p.logs("failed to open database")[0];
      expect(failed?.db_path).toBe(`${IN.config}/.sortie.db`);
      expect(String(failed?.error)).toContain("read-only file system");
      expect(String(failed?.hint)).toContain("SORTIE_DB_PATH");
    } finally {
      await cleanupRuns();
    }
  });

  test.skipIf(!BUSYBOX)(
    "the documented fix-permissions init container hands a root-owned volume to uid 1000 (needs busybox)",
    async () => {
      try {
        const d = newDirs(0);
        d.publish(containerWorkflow());
        d.writeIssues([{ id: "5", identifier: "FIX-5", title: "After chown", state: "To Do" }]);
        const patch = parseYaml(
          await Bun.file(join(REPO, "examples/k8s/patches/fix-permissions.yaml")).text(),
        ) as {
          spec: {
            template: {
              spec: {
                initContainers: {
                  command: string[];
                  securityContext: { runAsUser: number; capabilities: { add: string[] } };
                }[];
              };
            };
          };
        };
        const init = patch.spec.template.spec.initContainers[0]!;
        const sc = init.securityContext;
        // The init container exactly as the patch configures it: root, all capabilities dropped but
        // the ones it adds, no privilege escalation, read-only root.
        const fix = podman([
          "run",
          "--rm",
          "--network",
          "host",
          "--read-only",
          "--user",
          `${sc.runAsUser}:0`,
          "--cap-drop",
          "ALL",
          "--cap-add",
          sc.capabilities.add.join(","),
          "--security-opt",
          "no-new-privileges",
          "-v",
          `${d.data}:${IN.data}`,
          "--entrypoint",
          init.command[0]!,
          BUSYBOX_IMAGE,
          ...init.command.slice(1),
        ]);
        expect(fix.stderr).toBe("");
        expect(fix.code).toBe(0);

        const c = runLikeTheDeployment(d);
        await waitFor(async () => (await httpJson(`http://127.0.0.1:${c.port}/readyz`))?.code === 200, {
          timeoutMs: 60_000,
          what: () => `/readyz 200 after the fix (other output: ${c.p.plain.join(" | ")})`,
        });
        expect(podman(["stop", "-t", "30", c.name]).code).toBe(0);
        expect(await c.p.exited).toBe(0);
      } finally {
        await cleanupRuns();
      }
    },
  );
});
