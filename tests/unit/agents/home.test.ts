import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentHomeError, defaultAgentHomeDir, resolveAgentHome } from "../../../src/agents/home.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sortie-home-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("resolveAgentHome", () => {
  test("keeps a writable HOME and leaves no probe file behind", () => {
    const home = join(dir, "home");
    mkdirSync(home);
    expect(resolveAgentHome({ home, configuredHomeDir: "", dbPath: join(dir, "sortie.db") })).toEqual({
      home,
      redirected: false,
    });
    expect(readdirSync(home)).toEqual([]);
  });

  test("an unset HOME is redirected next to the database with mode 0700", () => {
    const dbPath = join(dir, "data", "sortie.db");
    const result = resolveAgentHome({ home: undefined, configuredHomeDir: "", dbPath });
    expect(result).toEqual({
      home: join(dir, "data", "agent-home"),
      redirected: true,
      reason: "HOME is not set",
    });
    expect(statSync(result.home).mode & 0o777).toBe(0o700);
    expect(defaultAgentHomeDir(dbPath)).toBe(result.home);
  });

  test("an unwritable HOME is redirected to agent.home_dir with the reason", () => {
    // A path below a regular file can never be written, even by root.
    const file = join(dir, "file");
    writeFileSync(file, "");
    const home = join(file, "home");
    const configured = join(dir, "configured-home");
    const result = resolveAgentHome({ home, configuredHomeDir: configured, dbPath: join(dir, "x.db") });
    expect(result.home).toBe(configured);
    expect(result.redirected).toBe(true);
    expect(result.reason).toStartWith(`HOME ${home} is not writable: ENOTDIR`);
  });

  test("fails with a hint when the agent home cannot be created either", () => {
    const file = join(dir, "file");
    writeFileSync(file, "");
    let err: unknown;
    try {
      resolveAgentHome({ home: "", configuredHomeDir: join(file, "agent-home"), dbPath: join(dir, "x.db") });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgentHomeError);
    const e = err as AgentHomeError;
    expect(e.home).toBe(join(file, "agent-home"));
    expect(e.hint).toContain("agent.home_dir");
    expect(e.kind).toBe("config_error");
  });
});
