// Release artefacts and the install script: scripts/release.ts builds this machine's archive plus a
// cross-compiled macOS one with checksums.txt, and install.sh (run by POSIX shells) installs from
// that local release directory, verifying the checksum, and refuses tampered or unknown downloads.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../../helpers/sortie-process.ts";

setDefaultTimeout(180_000);

const VERSION = "9.8.7-test.1";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const BUILT = "2026-01-02T03:04:05Z";
const HOST = {
  os: process.platform === "darwin" ? "darwin" : "linux",
  arch: process.arch === "arm64" ? "arm64" : "amd64",
};
const HOST_ARCHIVE = `sortie_${VERSION}_${HOST.os}_${HOST.arch}.tar.gz`;
const MAC_ARCHIVE = `sortie_${VERSION}_darwin_arm64.tar.gz`;
const SHELLS = [Bun.which("dash"), Bun.which("bash") && `${Bun.which("bash")} --posix`].filter(
  Boolean,
) as string[];

let work = "";
let release = "";
let releaseLog = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "sortie-release-"));
  release = join(work, "release");
  const targets = HOST.os === "darwin" && HOST.arch === "arm64" ? "host" : "host,darwin-arm64";
  const r = Bun.spawnSync(
    ["bun", "run", "scripts/release.ts", "--version", `v${VERSION}`, "--targets", targets, "--out", release],
    {
      cwd: REPO,
      env: { ...process.env, SORTIE_COMMIT: COMMIT, SORTIE_BUILD_DATE: BUILT },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  releaseLog = r.stdout.toString() + r.stderr.toString();
  if (r.exitCode !== 0) throw new Error(`release failed: ${releaseLog}`);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function tarList(archive: string): string[] {
  const r = Bun.spawnSync(["tar", "-tzvf", archive], { stdout: "pipe" });
  return r.stdout.toString().trim().split("\n");
}

function install(
  env: Record<string, string>,
  shell = SHELLS[0]!,
  path = process.env.PATH ?? "/usr/bin:/bin",
): { code: number; out: string } {
  const r = Bun.spawnSync([...shell.split(" "), join(REPO, "install.sh")], {
    env: { PATH: path, HOME: join(work, "home"), TERM: "dumb", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: r.exitCode ?? 1, out: r.stdout.toString() + r.stderr.toString() };
}

describe("scripts/release.ts", () => {
  test("writes Go-style archive names and a sha256sum-format checksums.txt", () => {
    const sums = readFileSync(join(release, "checksums.txt"), "utf8");
    const lines = sums.trim().split("\n");
    const names = lines.map((l) => l.split("  ")[1]).sort();
    expect(names).toEqual([HOST_ARCHIVE, ...(HOST_ARCHIVE === MAC_ARCHIVE ? [] : [MAC_ARCHIVE])].sort());
    for (const line of lines)
      expect(line).toMatch(/^[0-9a-f]{64} {2}sortie_9\.8\.7-test\.1_(linux|darwin)_(amd64|arm64)\.tar\.gz$/);
    const check = Bun.spawnSync(["sha256sum", "-c", "checksums.txt"], { cwd: release, stdout: "pipe" });
    expect(check.stdout.toString()).toContain(`${HOST_ARCHIVE}: OK`);
    expect(check.exitCode).toBe(0);
  });

  test("each archive holds the executable sortie and the README at its root", () => {
    for (const archive of [HOST_ARCHIVE, MAC_ARCHIVE]) {
      const entries = tarList(join(release, archive));
      expect(entries.map((e) => e.split(/\s+/).at(-1)).sort()).toEqual(["README.md", "sortie"]);
      expect(entries.find((e) => e.endsWith(" sortie"))).toMatch(/^-rwxr-xr-x 0\/0 /);
    }
  });

  test("the host binary prints the injected version, commit and build date; the macOS one is a signed arm64 Mach-O", async () => {
    expect(releaseLog).toContain(
      `sortie ${VERSION} (commit: 0123456, built: ${BUILT}, bun${Bun.version}, ${HOST.os}/${HOST.arch})`,
    );
    const unpack = join(work, "mac");
    mkdirSync(unpack);
    Bun.spawnSync(["tar", "-xzf", join(release, MAC_ARCHIVE), "-C", unpack]);
    const head = new DataView(await Bun.file(join(unpack, "sortie")).slice(0, 8).arrayBuffer());
    expect(head.getUint32(0, true)).toBe(0xfeedfacf); // 64-bit Mach-O
    expect(head.getUint32(4, true)).toBe(0x0100000c); // CPU_TYPE_ARM64
    expect(releaseLog).toContain(`${MAC_ARCHIVE}`);
    expect(releaseLog).toMatch(/darwin_arm64\.tar\.gz .*code signature present/);
  });
});

describe.each(SHELLS)("install.sh under %s", (shell) => {
  test("installs this machine's archive from a local release directory and verifies its checksum", () => {
    const dir = join(work, `bin-${shell.replace(/\W/g, "")}`);
    const r = install(
      { SORTIE_VERSION: `v${VERSION}`, SORTIE_DOWNLOAD_URL: release, SORTIE_INSTALL_DIR: dir },
      shell,
    );
    expect(r.out).toContain("checksum verified");
    expect(r.code).toBe(0);
    expect(statSync(join(dir, "sortie")).mode & 0o777).toBe(0o755);
    const v = Bun.spawnSync([join(dir, "sortie"), "--version"], { stdout: "pipe" });
    expect(v.stdout.toString()).toStartWith(`sortie ${VERSION} (commit: 0123456, built: ${BUILT},`);
    expect(r.out).toContain(`${dir} is not on your PATH`);
  });
});

describe("install.sh", () => {
  test("without SORTIE_VERSION it takes the version from the release's checksums.txt (file:// URL)", () => {
    const dir = join(work, "bin-latest");
    const r = install({ SORTIE_DOWNLOAD_URL: `file://${release}`, SORTIE_INSTALL_DIR: dir });
    expect(r.out).toContain(`installing sortie ${VERSION} for ${HOST.os}/${HOST.arch}`);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "sortie"))).toBeTrue();
  });

  test("a tampered archive is refused and nothing is installed", () => {
    const bad = join(work, "tampered");
    mkdirSync(bad);
    copyFileSync(join(release, "checksums.txt"), join(bad, "checksums.txt"));
    copyFileSync(join(release, MAC_ARCHIVE), join(bad, HOST_ARCHIVE)); // a real archive, the wrong one
    const dir = join(work, "bin-tampered");
    const r = install({ SORTIE_VERSION: VERSION, SORTIE_DOWNLOAD_URL: bad, SORTIE_INSTALL_DIR: dir });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`checksum mismatch for ${HOST_ARCHIVE}`);
    expect(existsSync(join(dir, "sortie"))).toBeFalse();
  });

  test("an archive missing from checksums.txt is refused; SORTIE_NO_VERIFY=1 skips the check knowingly", () => {
    const partial = join(work, "unlisted");
    mkdirSync(partial);
    copyFileSync(join(release, HOST_ARCHIVE), join(partial, HOST_ARCHIVE));
    writeFileSync(join(partial, "checksums.txt"), `${"0".repeat(64)}  sortie_${VERSION}_plan9_mips.tar.gz\n`);
    const dir = join(work, "bin-unlisted");
    const refused = install({
      SORTIE_VERSION: VERSION,
      SORTIE_DOWNLOAD_URL: partial,
      SORTIE_INSTALL_DIR: dir,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain(`checksums.txt has no entry for ${HOST_ARCHIVE}`);
    expect(existsSync(join(dir, "sortie"))).toBeFalse();

    const skipped = install({
      SORTIE_VERSION: VERSION,
      SORTIE_DOWNLOAD_URL: partial,
      SORTIE_INSTALL_DIR: dir,
      SORTIE_NO_VERIFY: "1",
    });
    expect(skipped.out).toContain("skipping the checksum check");
    expect(skipped.code).toBe(0);
  });

  test("an unknown version or platform fails with a message that says what is missing", () => {
    const missing = install({
      SORTIE_VERSION: "0.0.1",
      SORTIE_DOWNLOAD_URL: release,
      SORTIE_INSTALL_DIR: join(work, "bin-missing"),
    });
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain(`is 0.0.1 released for ${HOST.os}/${HOST.arch}?`);

    // A fake uname first on PATH plays other machines.
    const fake = join(work, "fake-uname");
    mkdirSync(fake, { recursive: true });
    const uname = (s: string, m: string) => {
      writeFileSync(join(fake, "uname"), `#!/bin/sh\ncase "$1" in -s) echo ${s} ;; -m) echo ${m} ;; esac\n`);
      chmodSync(join(fake, "uname"), 0o755);
    };
    const path = `${fake}:${process.env.PATH ?? "/usr/bin:/bin"}`;
    const env = {
      SORTIE_VERSION: VERSION,
      SORTIE_DOWNLOAD_URL: release,
      SORTIE_INSTALL_DIR: join(work, "bin-fake"),
    };
    uname("FreeBSD", "amd64");
    const os = install(env, SHELLS[0], path);
    expect(os.code).not.toBe(0);
    expect(os.out).toContain('unsupported operating system "FreeBSD"');
    uname("Linux", "riscv64");
    const arch = install(env, SHELLS[0], path);
    expect(arch.code).not.toBe(0);
    expect(arch.out).toContain('unsupported CPU architecture "riscv64"');
    uname("Darwin", "arm64");
    const mac = install({ ...env, SORTIE_DOWNLOAD_URL: release }, SHELLS[0], path);
    // The right asset is chosen (and verified); only running a macOS binary here fails.
    expect(mac.out).toContain(`installing sortie ${VERSION} for darwin/arm64`);
    expect(mac.out).toContain("checksum verified");
  });
});
