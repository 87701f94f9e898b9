import { describe, expect, test } from "bun:test";
import type { ServiceConfig } from "../../../src/config/types.ts";
import type { TrackerAdapter } from "../../../src/domain/tracker.ts";
import {
  buildSessionTools,
  orchestratorTools,
  sortieSelfCommand,
  TRACKER_API_INPUT_SCHEMA,
  toolRegistry,
} from "../../../src/mcp/index.ts";
import type { Store } from "../../../src/persistence/index.ts";
import { buildToolAdvertisement } from "../../../src/prompt/index.ts";
import { trackerConfig } from "../trackers/support.ts";

function configWithProject(project: string): ServiceConfig {
  return { tracker: trackerConfig({ project }) } as unknown as ServiceConfig;
}

const tracker = {} as TrackerAdapter;

describe("orchestrator registry", () => {
  test("offers tracker_api when tracker.project is set", () => {
    const tools = toolRegistry(configWithProject("PROJ"));
    expect(tools.map((t) => t.name)).toEqual(["tracker_api"]);
    expect(tools[0]?.inputSchema).toEqual(TRACKER_API_INPUT_SCHEMA);
    expect(orchestratorTools(configWithProject("PROJ"), tracker).map((t) => t.name)).toEqual(["tracker_api"]);
  });

  test("is empty without a project", () => {
    expect(toolRegistry(configWithProject(""))).toEqual([]);
    expect(orchestratorTools(configWithProject(""), tracker)).toEqual([]);
  });

  test("feeds the prompt's tool advertisement", () => {
    const text = buildToolAdvertisement(toolRegistry(configWithProject("PROJ")), "PROJ");
    expect(text).toContain("All operations are scoped to project: PROJ");
    expect(text).toContain("### tracker_api");
    expect(text).toContain('"enum":["fetch_issue","fetch_comments","search_issues","transition_issue"]');
  });
});

describe("session tools (the MCP server's registry)", () => {
  const store = { close: async () => {}, queryRunHistoryByIssue: async () => [] } as unknown as Store;
  const base = {
    tracker,
    project: "PROJ",
    workspace: "/ws",
    dbPath: "/db/sortie.db",
    issueId: "10",
    openReadonlyStore: async () => store,
  };

  test("all three tools, sorted by name, when everything is available", async () => {
    const warnings: unknown[] = [];
    const s = await buildSessionTools({ ...base, logger: { warn: (m, p) => warnings.push([m, p]) } });
    expect(s.tools.map((t) => t.name)).toEqual(["sortie_status", "tracker_api", "workspace_history"]);
    expect(warnings).toEqual([]);
  });

  test.each([
    ["no tracker", { tracker: null }, ["sortie_status", "workspace_history"]],
    ["no project", { project: "" }, ["sortie_status", "workspace_history"]],
    ["no workspace", { workspace: "" }, ["tracker_api", "workspace_history"]],
    ["no db path", { dbPath: "" }, ["sortie_status", "tracker_api"]],
    ["no issue id", { issueId: "" }, ["sortie_status", "tracker_api"]],
  ])("%s leaves its tool out", async (_label, patch, names) => {
    const s = await buildSessionTools({ ...base, ...patch, logger: { warn: () => {} } });
    expect(s.tools.map((t) => t.name)).toEqual(names);
  });

  test("a database that cannot be opened skips workspace_history with a warning", async () => {
    const warnings: unknown[] = [];
    let opened = "";
    const s = await buildSessionTools({
      ...base,
      openReadonlyStore: async (path) => {
        opened = path;
        throw new Error("unable to open database file");
      },
      logger: { warn: (m, p) => warnings.push([m, p]) },
    });
    expect(opened).toBe("/db/sortie.db");
    expect(s.tools.map((t) => t.name)).toEqual(["sortie_status", "tracker_api"]);
    expect(warnings).toEqual([
      [
        "failed to open read-only db for workspace_history",
        { db_path: "/db/sortie.db", error: "unable to open database file" },
      ],
    ]);
    await s.close();
  });

  test("close() closes the read-only store", async () => {
    let closed = 0;
    const s = await buildSessionTools({
      ...base,
      openReadonlyStore: async () => ({ ...store, close: async () => void closed++ }) as unknown as Store,
      logger: { warn: () => {} },
    });
    await s.close();
    expect(closed).toBe(1);
  });
});

describe("self command", () => {
  test("the compiled binary runs itself; from source the runtime runs the entry script", () => {
    expect(sortieSelfCommand({ execPath: "/usr/local/bin/sortie", main: "/$bunfs/root/sortie" })).toEqual({
      executable: "/usr/local/bin/sortie",
      args: [],
    });
    expect(sortieSelfCommand({ execPath: "/usr/bin/bun", main: "/src/sortie/src/main.ts" })).toEqual({
      executable: "/usr/bin/bun",
      args: ["/src/sortie/src/main.ts"],
    });
    expect(
      sortieSelfCommand({ execPath: "C:\\sortie.exe", main: "B:\\~BUN\\root\\sortie.exe" }).args,
    ).toEqual([]);
  });
});
