// Builds the release artefacts: one compiled binary per platform (cross-compiled from this host;
// Bun fetches each target's runtime from the npm registry on first use and caches it), archived as
// sortie_<version>_<os>_<arch>.tar.gz with README.md (and LICENSE when present), plus
// checksums.txt in `sha256sum` format.
//
// Usage: bun run scripts/release.ts [--version 1.2.3] [--targets linux-amd64,darwin-arm64]
//                                   [--out dist/release]
// Env: SORTIE_VERSION, SORTIE_COMMIT, SORTIE_BUILD_DATE override what --version, `git` and the
// clock would give. A leading "v" in the version is dropped (tags may carry it, file names do not).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

interface Platform {
  /** Go-style names used in archive names and by install.sh. */
  os: "linux" | "darwin";
  arch: "amd64" | "arm64";
  /** `bun build --compile --target` value. */
  bunTarget: string;
}

export const PLATFORMS: readonly Platform[] = [
  { os: "linux", arch: "amd64", bunTarget: "bun-linux-x64" },
  { os: "linux", arch: "arm64", bunTarget: "bun-linux-arm64" },
  { os: "darwin", arch: "amd64", bunTarget: "bun-darwin-x64" },
  { os: "darwin", arch: "arm64", bunTarget: "bun-darwin-arm64" },
];

const REPO = resolve(import.meta.dir, "..");

export function archiveName(version: string, p: Pick<Platform, "os" | "arch">): string {
  return `sortie_${version}_${p.os}_${p.arch}.tar.gz`;
}

function hostPlatform(): string {
  const os = process.platform === "darwin" ? "darwin" : "linux";
  const arch = process.arch === "arm64" ? "arm64" : "amd64";
  return `${os}-${arch}`;
}

function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const proc = Bun.spawnSync(cmd, {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (proc.exitCode !== 0) {
    throw new Error(`${cmd.join(" ")} failed (exit ${proc.exitCode}): ${proc.stderr.toString().trim()}`);
  }
  return proc.stdout.toString();
}

function gitCommit(): string {
  const proc = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: REPO, stdout: "pipe", stderr: "ignore" });
  return proc.exitCode === 0 ? proc.stdout.toString().trim() : "unknown";
}

/** GNU tar can write reproducible archives (fixed owner, order and mtime); bsdtar cannot. */
function tarArgs(buildDate: string): string[] {
  const probe = Bun.spawnSync(["tar", "--version"], { stdout: "pipe", stderr: "ignore" });
  if (!probe.stdout.toString().includes("GNU tar")) return [];
  const mtime = Number.isNaN(Date.parse(buildDate)) ? "@0" : `@${Math.floor(Date.parse(buildDate) / 1000)}`;
  return ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", `--mtime=${mtime}`];
}

/** A 64-bit Mach-O with an LC_CODE_SIGNATURE load command (Apple Silicon kills unsigned code). */
async function hasCodeSignature(path: string): Promise<boolean> {
  const view = new DataView(
    await Bun.file(path)
      .slice(0, 64 * 1024)
      .arrayBuffer(),
  );
  if (view.getUint32(0, true) !== 0xfeedfacf) return false;
  const ncmds = view.getUint32(16, true);
  let offset = 32;
  for (let i = 0; i < ncmds && offset + 8 <= view.byteLength; i++) {
    if (view.getUint32(offset, true) === 0x1d) return true;
    offset += view.getUint32(offset + 4, true);
  }
  return false;
}

async function sha256(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(await Bun.file(path).arrayBuffer());
  return hasher.digest("hex");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      version: { type: "string" },
      targets: { type: "string" },
      out: { type: "string", default: "dist/release" },
    },
  });
  const pkg = (await Bun.file(join(REPO, "package.json")).json()) as { version: string };
  const version = (values.version || process.env.SORTIE_VERSION || pkg.version).replace(/^v/, "");
  const commit = process.env.SORTIE_COMMIT || gitCommit();
  const buildDate = process.env.SORTIE_BUILD_DATE || new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const wanted = (values.targets ?? PLATFORMS.map((p) => `${p.os}-${p.arch}`).join(","))
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => (t === "host" ? hostPlatform() : t));
  const platforms = wanted.map((t) => {
    const p = PLATFORMS.find((c) => `${c.os}-${c.arch}` === t);
    if (!p) {
      throw new Error(
        `unknown target "${t}": known ${PLATFORMS.map((c) => `${c.os}-${c.arch}`).join(", ")}, host`,
      );
    }
    return p;
  });

  const out = resolve(REPO, values.out);
  mkdirSync(out, { recursive: true });
  const extras = ["README.md", "LICENSE"].filter((f) => existsSync(join(REPO, f)));
  const tarExtra = tarArgs(buildDate);
  console.log(`release: sortie ${version} (commit ${commit.slice(0, 7)}, built ${buildDate}) → ${out}`);

  const sums: string[] = [];
  for (const p of platforms) {
    const stage = mkdtempSync(join(tmpdir(), `sortie-release-${p.os}-${p.arch}-`));
    try {
      const binary = join(stage, "sortie");
      run(["bun", "run", "scripts/build.ts", "--target", p.bunTarget, "--outfile", binary], {
        env: { SORTIE_VERSION: version, SORTIE_COMMIT: commit, SORTIE_BUILD_DATE: buildDate },
      });
      for (const f of extras) writeFileSync(join(stage, f), await Bun.file(join(REPO, f)).bytes());
      const name = archiveName(version, p);
      const archive = join(out, name);
      rmSync(archive, { force: true });
      run(["tar", ...tarExtra, "-czf", archive, "-C", stage, "sortie", ...extras]);
      const sum = await sha256(archive);
      sums.push(`${sum}  ${name}`);
      const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
      let banner = "";
      if (`${p.os}-${p.arch}` === hostPlatform()) banner = ` — ${run([binary, "--version"]).trim()}`;
      else if (p.os === "darwin") {
        banner = (await hasCodeSignature(binary))
          ? " — code signature present (LC_CODE_SIGNATURE)"
          : " — WARNING: no code signature; sign it on a Mac (codesign --force --sign -)";
      }
      console.log(
        `  ${name}  binary ${mib(statSync(binary).size)}, archive ${mib(statSync(archive).size)}${banner}`,
      );
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  sums.sort((a, b) => a.slice(66).localeCompare(b.slice(66)));
  writeFileSync(join(out, "checksums.txt"), `${sums.join("\n")}\n`);
  console.log(`  checksums.txt  ${sums.length} entries`);
  return 0;
}

if (import.meta.main) {
  try {
    process.exit(await main());
  } catch (err) {
    console.error(`release: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
