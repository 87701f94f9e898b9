// The recorded GitHub payloads, read from the project's fixtures for seeding the fake.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const GITHUB_FIXTURES = join(import.meta.dir, "../../fixtures/scm-github");

/** A recorded payload parsed, a fresh copy per call. */
export function githubFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(GITHUB_FIXTURES, name), "utf8")) as T;
}

/** `issues.json` then `issues_page2.json`: #1–#5, #2 a pull request. */
export function fixtureIssues(): Record<string, unknown>[] {
  return [
    ...githubFixture<Record<string, unknown>[]>("issues.json"),
    ...githubFixture<Record<string, unknown>[]>("issues_page2.json"),
  ];
}
