import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { workflowJsonSchema, workflowJsonSchemaText } from "../../../src/config/json-schema.ts";

const COMMITTED = join(import.meta.dir, "../../../schemas/workflow.schema.json");

type Schema = {
  properties?: Record<string, Schema>;
  default?: unknown;
  description?: string;
  enum?: unknown[];
};

describe("workflow JSON Schema", () => {
  test("the committed schemas/workflow.schema.json equals workflowJsonSchema()", () => {
    // Regenerate with: bun -e 'import {workflowJsonSchemaText as t} from "./src/config/json-schema.ts";
    //   await Bun.write("schemas/workflow.schema.json", t())' && bunx biome format --write schemas
    expect(JSON.parse(readFileSync(COMMITTED, "utf8"))).toEqual(workflowJsonSchema());
  });

  test("is a draft-07 object schema whose text ends with a newline", () => {
    const schema = workflowJsonSchema();
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.type).toBe("object");
    expect(workflowJsonSchemaText().endsWith("}\n")).toBe(true);
  });

  test("documents every core section and the extension blocks with descriptions", () => {
    const properties = (workflowJsonSchema() as Schema).properties ?? {};
    for (const key of [
      "tracker",
      "polling",
      "workspace",
      "hooks",
      "agent",
      "db_path",
      "ci_feedback",
      "self_review",
      "reactions",
      "server",
      "logging",
      "worker",
      "token_rates",
    ]) {
      expect(properties[key]?.description ?? "").not.toBe("");
    }
  });

  test("carries the runtime defaults", () => {
    const p = (workflowJsonSchema() as Schema).properties ?? {};
    expect(p.polling?.properties?.interval_ms?.default).toBe(30_000);
    expect(p.agent?.properties?.kind?.default).toBe("claude-code");
    expect(p.agent?.properties?.max_concurrent_agents?.default).toBe(10);
    expect(p.agent?.properties?.stall_timeout_ms?.default).toBe(300_000);
    expect(p.hooks?.properties?.timeout_ms?.default).toBe(60_000);
    expect(p.server?.properties?.port?.default).toBe(7678);
    expect(p.tracker?.properties?.kind?.enum).toEqual(["file", "github", "jira"]);
  });
});
