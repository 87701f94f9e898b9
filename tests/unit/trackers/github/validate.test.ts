import { describe, expect, test } from "bun:test";
import { Secret } from "../../../../src/config/secret.ts";
import type { TrackerConfig } from "../../../../src/config/types.ts";
import { validateGitHubConfig } from "../../../../src/trackers/github/validate.ts";
import { lookupTrackerKind } from "../../../../src/trackers/registry.ts";
import { trackerConfig } from "../support.ts";

function config(overrides: Partial<TrackerConfig> = {}): TrackerConfig {
  return trackerConfig({
    kind: "github",
    apiKey: new Secret("ghp_token"),
    project: "sortie-ai/sortie",
    activeStates: ["backlog", "in-progress", "review"],
    terminalStates: ["done", "wontfix"],
    ...overrides,
  });
}

const checks = (diagnostics: ReturnType<typeof validateGitHubConfig>) =>
  diagnostics.map((d) => [d.severity, d.check, d.message]);

describe("validateGitHubConfig", () => {
  test("a sound configuration has no findings", () => {
    expect(
      validateGitHubConfig(config({ handoffState: "human-review", inProgressState: "in-progress" }), {}),
    ).toEqual([]);
  });

  test.each(["sortie", "a/b/c", "/repo", "owner/", "/"])("project %p is not owner/repo", (project) => {
    expect(checks(validateGitHubConfig(config({ project }), {}))).toEqual([
      [
        "error",
        "tracker.project.format",
        'tracker.project must be in owner/repo format (e.g. "sortie-ai/sortie")',
      ],
    ]);
  });

  test.each(["my org/repo", "owner/re\tpo", "owner/repo\n", "own\rer/repo"])(
    "project %p contains whitespace",
    (project) => {
      expect(checks(validateGitHubConfig(config({ project }), {}))).toEqual([
        ["error", "tracker.project.format", "tracker.project owner and repo must not contain whitespace"],
      ]);
    },
  );

  test("an empty project is left to the generic required-field check", () => {
    expect(validateGitHubConfig(config({ project: "" }), {})).toEqual([]);
  });

  test("an empty api key hints at GITHUB_TOKEN when it is set", () => {
    expect(checks(validateGitHubConfig(config({ apiKey: new Secret(" ") }), { GITHUB_TOKEN: "x" }))).toEqual([
      [
        "warning",
        "tracker.api_key.github_token_hint",
        "tracker.api_key is empty but GITHUB_TOKEN environment variable is set; consider using api_key: $GITHUB_TOKEN",
      ],
    ]);
  });

  test("an empty api key without GITHUB_TOKEN says both are missing", () => {
    for (const env of [{}, { GITHUB_TOKEN: "" }]) {
      expect(checks(validateGitHubConfig(config({ apiKey: new Secret("") }), env))).toEqual([
        [
          "warning",
          "tracker.api_key.github_token_missing",
          "tracker.api_key is empty and GITHUB_TOKEN environment variable is not set",
        ],
      ]);
    }
  });

  test("blank list elements are named by field and index", () => {
    expect(
      checks(
        validateGitHubConfig(config({ activeStates: ["backlog", " "], terminalStates: ["", "done"] }), {}),
      ),
    ).toEqual([
      [
        "warning",
        "tracker.active_states.empty_element",
        "tracker.active_states[1]: empty state label will never match any issue",
      ],
      [
        "warning",
        "tracker.terminal_states.empty_element",
        "tracker.terminal_states[0]: empty state label will never match any issue",
      ],
    ]);
  });

  test("labels in both lists: one warning per label, sorted, compared case-insensitively", () => {
    expect(
      checks(
        validateGitHubConfig(
          config({
            activeStates: ["Review", "backlog", "Done"],
            terminalStates: ["done", "review", "wontfix"],
          }),
          {},
        ),
      ),
    ).toEqual([
      [
        "warning",
        "tracker.states.overlap",
        'tracker.active_states and tracker.terminal_states overlap on "done"; an issue in state "done" would match both sets',
      ],
      [
        "warning",
        "tracker.states.overlap",
        'tracker.active_states and tracker.terminal_states overlap on "review"; an issue in state "review" would match both sets',
      ],
    ]);
  });

  test("a handoff state in the active list and in the terminal list: two warnings", () => {
    expect(
      checks(
        validateGitHubConfig(
          config({ activeStates: ["backlog", "qa"], terminalStates: ["QA"], handoffState: "Qa" }),
          {},
        ),
      ).filter(([, check]) => check === "tracker.handoff_state.collision"),
    ).toEqual([
      [
        "warning",
        "tracker.handoff_state.collision",
        'tracker.handoff_state "Qa" must not appear in active_states (would cause immediate re-dispatch after handoff)',
      ],
      [
        "warning",
        "tracker.handoff_state.collision",
        'tracker.handoff_state "Qa" must not appear in terminal_states (handoff is not terminal)',
      ],
    ]);
  });

  test("an in-progress state that is terminal, or equals the handoff state", () => {
    expect(checks(validateGitHubConfig(config({ inProgressState: "Done" }), {}))).toEqual([
      [
        "warning",
        "tracker.in_progress_state.collision",
        'tracker.in_progress_state "Done" must not appear in terminal_states',
      ],
    ]);
    expect(checks(validateGitHubConfig(config({ inProgressState: "qa", handoffState: "QA" }), {}))).toEqual([
      [
        "warning",
        "tracker.in_progress_state.collision",
        'tracker.in_progress_state must not collide with tracker.handoff_state ("QA")',
      ],
    ]);
  });

  test("is the github kind's validator", () => {
    expect(lookupTrackerKind("github")?.validate).toBe(validateGitHubConfig);
  });
});
