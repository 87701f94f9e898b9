// Shared test helpers for the config layer: real temp dirs and a deadline-bound wait.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuildOptions, type BuildResult, buildServiceConfig } from "../../../src/config/build.ts";
import { silentLogger } from "../../../src/config/logger.ts";
import type { ConfigIssue, ServiceConfig } from "../../../src/config/types.ts";
import { parseWorkflow } from "../../../src/config/workflow-file.ts";

export const WORKFLOW_PATH = "/srv/flows/WORKFLOW.md";

export function makeTempDir(prefix = "sortie-config-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls until check() is truthy or the deadline passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Builds a config from WORKFLOW.md text (front matter + body) with fake env/cwd/home. */
export function buildFromText(text: string, options: Partial<BuildOptions> = {}): BuildResult {
  const doc = parseWorkflow(text, WORKFLOW_PATH);
  return buildServiceConfig(doc.frontMatter, {
    workflowPath: WORKFLOW_PATH,
    env: {},
    cwd: "/work/dir",
    homeDir: "/home/tester",
    positions: doc.positions,
    logger: silentLogger,
    ...options,
  });
}

/** Builds from YAML front matter only. */
export function buildYaml(yaml: string, options: Partial<BuildOptions> = {}): BuildResult {
  return buildFromText(`---\n${yaml}\n---\nprompt\n`, options);
}

export function expectConfig(result: BuildResult): ServiceConfig {
  if (!result.ok) throw new Error(`expected a valid config, got issues: ${JSON.stringify(result.issues)}`);
  return result.config;
}

export function expectIssues(result: BuildResult): ConfigIssue[] {
  if (result.ok) throw new Error("expected config issues, got a valid config");
  return result.issues;
}

/** Issues as `field: message` strings (positions left out). */
export function issueTexts(result: BuildResult): string[] {
  return expectIssues(result).map((issue) => `${issue.field}: ${issue.message}`);
}
