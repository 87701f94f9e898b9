import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigBuildError, WorkflowError } from "../../../src/config/errors.ts";
import { silentLogger } from "../../../src/config/logger.ts";
import {
  logReloadResult,
  PROMOTION_ERROR_MESSAGE,
  type ReloadResult,
  WorkflowManager,
} from "../../../src/config/manager.ts";
import { makeTempDir } from "./helpers.ts";

interface FakeTemplate {
  body: string;
  frontMatterLines: number;
}

function parseTemplate(body: string, source: { sourcePath: string; frontMatterLines: number }): FakeTemplate {
  if (body.includes("{{ bad")) throw new Error(`template parse error in ${source.sourcePath}`);
  return { body, frontMatterLines: source.frontMatterLines };
}

const GOOD =
  "---\ntracker:\n  kind: file\n  active_states: [todo]\npolling:\n  interval_ms: 1000\n---\nHello {{ .issue.title }}\n";

describe("WorkflowManager", () => {
  let dir: { path: string; cleanup: () => void };
  let path: string;
  let clock: number;

  beforeEach(() => {
    dir = makeTempDir();
    path = join(dir.path, "WORKFLOW.md");
    clock = 0;
  });
  afterEach(() => dir.cleanup());

  const manager = (extra: { envFilePath?: string; env?: Record<string, string> } = {}) =>
    new WorkflowManager<FakeTemplate>({
      workflowPath: path,
      env: extra.env ?? {},
      cwd: dir.path,
      homeDir: "/home/tester",
      parseTemplate,
      logger: silentLogger,
      now: () => new Date(++clock * 1000),
      ...(extra.envFilePath === undefined ? {} : { envFilePath: extra.envFilePath }),
    });

  test("load() swaps in config and template together and exposes file name and path", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    const snapshot = await m.load();
    expect(snapshot.config.polling.intervalMs).toBe(1000);
    expect(snapshot.template).toEqual({ body: "Hello {{ .issue.title }}", frontMatterLines: 7 });
    expect(snapshot.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshot.loadedAt).toEqual(new Date(1000));
    expect(m.current()).toBe(snapshot);
    expect(m.fileName()).toBe("WORKFLOW.md");
    expect(m.path).toBe(path);
    expect(m.lastError).toBeNull();
  });

  test("load() throws every config issue at once", async () => {
    writeFileSync(path, "---\npolling: {interval_ms: x}\nagent: {max_turns: y}\n---\n");
    const error = await manager()
      .load()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ConfigBuildError);
    expect((error as ConfigBuildError).lines()).toEqual([
      `config: polling.interval_ms: invalid integer value: x (${path}:2:24)`,
      `config: agent.max_turns: invalid integer value: y (${path}:3:20)`,
    ]);
  });

  test("load() rejects a workflow with no active and no terminal states", async () => {
    writeFileSync(path, "---\ntracker: {kind: file}\n---\nhi\n");
    const m = manager();
    await expect(m.load()).rejects.toThrow(PROMOTION_ERROR_MESSAGE);
    expect(m.lastError?.kind).toBe("validation");
    expect(() => m.current()).toThrow();
  });

  test("reload() reports unchanged when neither the file nor the .env changed", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    await m.load();
    expect(await m.reload("poll")).toEqual({ status: "unchanged" });
  });

  test("reload() applies a changed file and reports the restart-only fields that changed", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    const first = await m.load();
    writeFileSync(
      path,
      GOOD.replace("interval_ms: 1000", "interval_ms: 2000\ndb_path: other.db\nserver: {port: 1}"),
    );
    const result = await m.reload("watch");
    expect(result).toEqual({
      status: "reloaded",
      trigger: "watch",
      restartRequired: ["db_path", "server"],
      trackerChanged: false,
      agentChanged: false,
    });
    expect(m.current().config.polling.intervalMs).toBe(2000);
    expect(m.current().contentHash).not.toBe(first.contentHash);
  });

  test("reload() flags adapter input changes", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    await m.load();
    writeFileSync(
      path,
      GOOD.replace("[todo]", "[todo, doing]").replace("polling:", "agent: {command: x}\npolling:"),
    );
    expect(await m.reload("poll")).toMatchObject({
      status: "reloaded",
      trackerChanged: true,
      agentChanged: true,
    });
  });

  test("a failed reload keeps the last good config and template and records the error", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    const good = await m.load();
    writeFileSync(path, "---\npolling: [oops\n---\n");
    const failed = await m.reload("watch");
    expect(failed).toMatchObject({ status: "failed", trigger: "watch", kind: "load", repeated: false });
    expect((failed as Extract<ReloadResult, { status: "failed" }>).error).toBeInstanceOf(WorkflowError);
    expect(m.current()).toBe(good);
    expect(m.lastError?.message).toStartWith(`failed to parse YAML front matter in ${path}`);

    // Same broken content on the next tick: still failed, but marked as repeated.
    expect(await m.reload("poll")).toMatchObject({
      status: "failed",
      trigger: "poll",
      repeated: true,
      kind: "load",
    });

    // Fixing the file clears the error.
    writeFileSync(path, GOOD.replace("1000", "3000"));
    expect(await m.reload("poll")).toMatchObject({ status: "reloaded", trigger: "poll" });
    expect(m.lastError).toBeNull();
    expect(m.current().config.polling.intervalMs).toBe(3000);
  });

  test("a template error and a promotion failure are load and validation failures", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    const good = await m.load();
    writeFileSync(path, GOOD.replace("Hello", "{{ bad"));
    expect(await m.reload("poll")).toMatchObject({ status: "failed", kind: "load" });
    writeFileSync(path, "---\ntracker: {kind: file}\n---\nhi\n");
    expect(await m.reload("poll")).toMatchObject({
      status: "failed",
      kind: "validation",
      message: PROMOTION_ERROR_MESSAGE,
    });
    expect(m.current()).toBe(good);
  });

  test("a deleted workflow file fails the reload and keeps the last good config", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    const good = await m.load();
    dir.cleanup();
    const result = await m.reload("poll");
    expect(result).toMatchObject({ status: "failed", kind: "load", repeated: false });
    expect((result as { message: string }).message).toStartWith(
      `workflow file not found: ${path}: open ${path}:`,
    );
    expect(await m.reload("poll")).toMatchObject({ status: "failed", repeated: true });
    expect(m.current()).toBe(good);
  });

  test("a deleted workflow restored with its previous bytes clears the failure", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    await m.load();
    rmSync(path);
    expect(await m.reload("poll")).toMatchObject({ status: "failed", kind: "load" });
    writeFileSync(path, GOOD);
    expect(await m.reload("poll")).toMatchObject({ status: "reloaded" });
    expect(m.lastError).toBeNull();
  });

  test("the .env file is part of the content: changing it reloads", async () => {
    writeFileSync(path, GOOD);
    const envPath = join(dir.path, "sortie.env");
    writeFileSync(envPath, "SORTIE_POLLING_INTERVAL_MS=5000\n");
    const m = manager({ envFilePath: envPath });
    expect((await m.load()).config.polling.intervalMs).toBe(5000);
    writeFileSync(envPath, "SORTIE_POLLING_INTERVAL_MS=6000\n");
    expect(await m.reload("poll")).toMatchObject({ status: "reloaded" });
    expect(m.current().config.polling.intervalMs).toBe(6000);
    writeFileSync(envPath, "BROKEN LINE\n");
    expect(await m.reload("poll")).toMatchObject({
      status: "failed",
      kind: "load",
      message: `config: dotenv ${envPath}:1: missing '=' in line`,
    });
    expect(m.current().config.polling.intervalMs).toBe(6000);
  });

  test("SORTIE_ENV_FILE names the .env file when no path is given", async () => {
    writeFileSync(path, GOOD);
    writeFileSync(join(dir.path, "from-env.env"), "SORTIE_AGENT_MAX_TURNS=4\n");
    const m = manager({ env: { SORTIE_ENV_FILE: "from-env.env" } });
    expect((await m.load()).config.agent.maxTurns).toBe(4);
  });

  test("concurrent reloads run one after the other", async () => {
    writeFileSync(path, GOOD);
    const m = manager();
    await m.load();
    writeFileSync(path, GOOD.replace("1000", "4000"));
    const results = await Promise.all([m.reload("watch"), m.reload("poll")]);
    expect(results.map((r) => r.status)).toEqual(["reloaded", "unchanged"]);
  });
});

describe("logReloadResult", () => {
  const records: { level: string; message: string; properties: Record<string, unknown> | undefined }[] = [];
  const log = {
    info: (message: string, properties?: Record<string, unknown>) =>
      records.push({ level: "info", message, properties }),
    warn: (message: string, properties?: Record<string, unknown>) =>
      records.push({ level: "warn", message, properties }),
    error: (message: string, properties?: Record<string, unknown>) =>
      records.push({ level: "error", message, properties }),
  };
  afterEach(() => {
    records.length = 0;
  });

  test("reloaded → INFO with trigger, plus WARN for restart-only fields", () => {
    logReloadResult(
      {
        status: "reloaded",
        trigger: "watch",
        restartRequired: ["db_path", "server"],
        trackerChanged: false,
        agentChanged: false,
      },
      "/w/WORKFLOW.md",
      log,
    );
    expect(records).toEqual([
      {
        level: "info",
        message: "workflow reloaded",
        properties: { path: "/w/WORKFLOW.md", trigger: "watch" },
      },
      {
        level: "warn",
        message: "workflow change requires restart",
        properties: { fields: "db_path,server", path: "/w/WORKFLOW.md" },
      },
    ]);
  });

  test("failures log once per content; validation failures are 'rejected by validation'", () => {
    const error = new Error("boom");
    logReloadResult(
      { status: "failed", trigger: "poll", repeated: false, kind: "load", error, message: "boom" },
      "/w",
      log,
    );
    logReloadResult(
      { status: "failed", trigger: "poll", repeated: true, kind: "load", error, message: "boom" },
      "/w",
      log,
    );
    logReloadResult(
      { status: "failed", trigger: "watch", repeated: false, kind: "validation", error, message: "v" },
      "/w",
      log,
    );
    logReloadResult({ status: "unchanged" }, "/w", log);
    expect(records).toEqual([
      {
        level: "error",
        message: "workflow reload failed",
        properties: { error: "boom", path: "/w", trigger: "poll" },
      },
      {
        level: "error",
        message: "workflow reload rejected by validation",
        properties: { error: "v", path: "/w", trigger: "watch" },
      },
    ]);
  });
});
