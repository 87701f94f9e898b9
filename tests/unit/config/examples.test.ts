// The example workflows shipped in examples/ must build and raise no front-matter warnings.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeFrontMatter } from "../../../src/config/analyze.ts";
import { buildServiceConfig } from "../../../src/config/build.ts";
import { silentLogger } from "../../../src/config/logger.ts";
import { parseWorkflow } from "../../../src/config/workflow-file.ts";

const EXAMPLES = join(import.meta.dir, "../../../examples");
const files = readdirSync(EXAMPLES).filter((name) => /^WORKFLOW.*\.md$/.test(name));

describe("example workflows", () => {
  test("there are examples to check", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const name of files) {
    test(`${name} builds without errors or warnings`, () => {
      const path = join(EXAMPLES, name);
      const doc = parseWorkflow(readFileSync(path, "utf8"), path);
      const result = buildServiceConfig(doc.frontMatter, {
        workflowPath: path,
        env: {},
        cwd: EXAMPLES,
        homeDir: "/home/tester",
        positions: doc.positions,
        logger: silentLogger,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      expect(
        analyzeFrontMatter(result.raw, result.config, { file: path, positions: result.positions }),
      ).toEqual([]);
      expect(doc.promptTemplate).not.toBe("");
    });
  }
});
