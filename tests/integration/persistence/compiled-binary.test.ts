// The migrations are imported as text and must travel inside a `bun build --compile` binary,
// which runs from a directory where no .sql file exists.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDirs } from "../../unit/persistence/helpers.ts";

const ENTRY = join(import.meta.dir, "fixtures", "compiled-entry.ts");
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe("compiled binary", () => {
  test("a compiled binary creates and migrates a database from its embedded SQL", () => {
    const dir = dirs.make();
    const binary = join(dir, "store-probe");
    const build = Bun.spawnSync([process.execPath, "build", "--compile", ENTRY, "--outfile", binary], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(build.exitCode, build.stderr.toString()).toBe(0);

    const path = join(dir, "compiled.db");
    const run = Bun.spawnSync([binary, path], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    expect(run.exitCode, run.stderr.toString()).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toEqual({ version: 10, runs: 1 });

    const db = new Database(path, { readonly: true });
    try {
      const versions = db
        .query<{ v: number }, []>("SELECT version AS v FROM schema_migrations ORDER BY version")
        .all();
      expect(versions.map((r) => r.v)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      db.close();
    }
  }, 60_000);
});
