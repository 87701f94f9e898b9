// Every way the database can fail to open ends in one PersistenceError naming the path, with a
// hint, and leaves the files exactly as they were. Cases that need another user, a read-only mount
// or a full disk run the probe in a child process (setpriv / unshare; the tests run as root).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeConnection, openConnection } from "../../../src/persistence/db.ts";
import { openStore, PersistenceError } from "../../../src/persistence/index.ts";
import { migrate } from "../../../src/persistence/migrate.ts";
import { MIGRATIONS } from "../../../src/persistence/migrations.ts";
import { inspect, tempDirs } from "../../unit/persistence/helpers.ts";

const PROBE_SOURCE = join(import.meta.dir, "open-probe.ts");
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

// The probe runs compiled, from a world-readable directory, so another user can run it without
// access to this checkout (which may sit under a directory only root can enter).
let probeDir = "";
let PROBE = "";
beforeAll(() => {
  probeDir = mkdtempSync(join(tmpdir(), "sortie-open-probe-"));
  chmodSync(probeDir, 0o755);
  PROBE = join(probeDir, "open-probe");
  const build = Bun.spawnSync([process.execPath, "build", "--compile", PROBE_SOURCE, "--outfile", PROBE], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (build.exitCode !== 0) throw new Error(`cannot compile the probe: ${build.stderr.toString()}`);
});
afterAll(() => rmSync(probeDir, { recursive: true, force: true }));

/** Names and content hashes of everything under `dir`, to prove nothing was created or changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const full = join(dir, name);
    const st = statSync(full);
    out[name] = st.isDirectory()
      ? `dir ${st.mode.toString(8)}`
      : `${st.mode.toString(8)} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`;
  }
  return out;
}

async function openFailure(path: string): Promise<PersistenceError> {
  const err = await openStore(path).catch((e: unknown) => e);
  if (!(err instanceof PersistenceError)) throw new Error(`expected a PersistenceError, got ${String(err)}`);
  return err;
}

interface ProbeResult {
  ok: boolean;
  kind?: string;
  message?: string;
  hint?: string;
  after?: { versions?: number[]; integrity?: string; unreadable?: string } | null;
}

function probe(command: string[]): ProbeResult {
  const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
  const stdout = result.stdout.toString().trim();
  if (result.exitCode !== 0 || stdout === "") {
    throw new Error(`probe failed (${result.exitCode}): ${stdout} ${result.stderr.toString()}`);
  }
  return JSON.parse(stdout.split("\n").at(-1) ?? "") as ProbeResult;
}

/** A database at version 9, as the Go original leaves it. */
async function goDatabase(path: string): Promise<void> {
  const conn = openConnection(path);
  await migrate(conn.db, MIGRATIONS.slice(0, 9), { path, now: () => new Date("2026-01-01T00:00:00Z") });
  await closeConnection(conn);
}

function asUser1000(...args: string[]): string[] {
  return ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", PROBE, ...args];
}

describe("open failures", () => {
  test("a file of random bytes is reported as not a database and left untouched", async () => {
    const dir = dirs.make();
    const path = join(dir, "sortie.db");
    writeFileSync(path, crypto.getRandomValues(new Uint8Array(16 * 1024)));
    const before = snapshot(dir);
    const err = await openFailure(path);
    expect(err.kind).toBe("database_open_error");
    expect(err.message).toStartWith(`open database ${path}: `);
    expect(err.message).toContain("not a SQLite database");
    expect(err.hint).toContain("left untouched");
    expect(err.toString()).toStartWith("persistence: database_open_error: open database");
    expect(snapshot(dir)).toEqual(before);
  });

  test("a database whose schema page is corrupt fails to open and is not repaired or replaced", async () => {
    const dir = dirs.make();
    const path = join(dir, "sortie.db");
    await (await openStore(path)).close();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 100, 4096); // keep the 100-byte header, trash the rest of page 1 (sqlite_master)
    writeFileSync(path, bytes);
    const before = snapshot(dir);
    const err = await openFailure(path);
    expect(err.kind).toBe("database_open_error");
    expect(err.message).toContain(path);
    expect(err.hint).toContain("left untouched");
    expect(snapshot(dir)).toEqual(before);
  });

  test("a directory where the file should be is named as such", async () => {
    const dir = dirs.make();
    const path = join(dir, "sortie.db");
    mkdirSync(path);
    const before = snapshot(dir);
    const err = await openFailure(path);
    expect(err.kind).toBe("database_open_error");
    expect(err.message).toContain(`${path} is a directory`);
    expect(err.hint).toContain(".sortie.db");
    expect(snapshot(dir)).toEqual(before);
  });

  test("a missing parent directory is reported and not created", async () => {
    const dir = dirs.make();
    const path = join(dir, "missing", "sortie.db");
    const err = await openFailure(path);
    expect(err.kind).toBe("database_open_error");
    expect(err.message).toContain(`directory ${join(dir, "missing")} does not exist`);
    expect(err.hint).toContain("SORTIE_DB_PATH");
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a data directory owned by root is reported as a permission problem to a non-root user", () => {
    const dir = dirs.make();
    chmodSync(dir, 0o755); // traversable, not writable, for uid 1000
    const data = join(dir, "data");
    mkdirSync(data, { mode: 0o755 });
    const before = snapshot(dir);
    const result = probe(asUser1000(join(data, ".sortie.db")));
    expect(result.ok).toBe(false);
    expect(result.kind).toBe("database_open_error");
    expect(result.message).toContain(join(data, ".sortie.db"));
    expect(result.message).toContain(`permission denied: directory ${data} is not writable by uid 1000`);
    expect(result.message).toContain("owner uid 0");
    expect(result.hint).toContain("fsGroup");
    expect(result.hint).toContain("SORTIE_DB_PATH");
    expect(snapshot(dir)).toEqual(before);
  });

  test("an existing database the user may not write is reported and left as it was", async () => {
    const dir = dirs.make();
    chmodSync(dir, 0o777); // the directory is writable for everyone, the root-owned file is not
    const path = join(dir, "sortie.db");
    await goDatabase(path);
    chmodSync(path, 0o644);
    const before = snapshot(dir);
    const result = probe(asUser1000(path));
    expect(result.ok).toBe(false);
    expect(result.kind).toBe("database_open_error");
    expect(result.message).toContain(`permission denied: ${path} is not readable and writable by uid 1000`);
    expect(result.hint).toContain("fsGroup");
    expect(snapshot(dir)).toEqual(before);
    expect(inspect(path, (db) => db.query("SELECT MAX(version) AS v FROM schema_migrations").get())).toEqual({
      v: 9,
    });
  });

  test("a database path on a read-only mount suggests SORTIE_DB_PATH on a writable volume", () => {
    const dir = dirs.make();
    const before = snapshot(dir);
    const script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" "$1/.sortie.db"';
    const result = probe(["unshare", "--mount", "--fork", "sh", "-c", script, "sh", dir, PROBE]);
    expect(result.ok).toBe(false);
    expect(result.kind).toBe("database_open_error");
    expect(result.message).toContain(`${dir} is on a read-only file system`);
    expect(result.hint).toContain("SORTIE_DB_PATH");
    expect(result.hint).toContain("writable volume");
    expect(snapshot(dir)).toEqual(before);
  });

  test("a full disk fails the pending migration cleanly and leaves the database at its old version", async () => {
    const dir = dirs.make();
    const source = join(dir, "go.db");
    await goDatabase(source);
    const mountpoint = join(dir, "mnt");
    mkdirSync(mountpoint);
    // Leave room for the -shm file but not for migration 10's pages in the WAL.
    const script = [
      'mount -t tmpfs -o size=512k tmpfs "$1"',
      'cp "$2" "$1/sortie.db"',
      'dd if=/dev/zero of="$1/reserve" bs=1024 count=40 2>/dev/null',
      '{ dd if=/dev/zero of="$1/filler" bs=4096 2>/dev/null; true; }',
      'rm "$1/reserve"',
      'exec "$3" "$1/sortie.db" --inspect-after',
    ].join(" && ");
    const result = probe([
      "unshare",
      "--mount",
      "--fork",
      "sh",
      "-c",
      script,
      "sh",
      mountpoint,
      source,
      PROBE,
    ]);
    expect(result.ok).toBe(false);
    expect(result.kind).toBe("database_migration_error");
    expect(result.message).toMatch(
      /^migrate database .*sortie\.db: (execute|record|commit) migration 10 \(active runs and per-run token usage\): database or disk is full$/,
    );
    expect(result.hint).toContain("free space");
    expect(result.after).toEqual({ versions: [1, 2, 3, 4, 5, 6, 7, 8, 9], integrity: "ok" });
  });
});
