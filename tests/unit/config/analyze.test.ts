import { describe, expect, test } from "bun:test";
import { analyzeFrontMatter } from "../../../src/config/analyze.ts";
import type { BuildOptions } from "../../../src/config/build.ts";
import { stringField, subMap } from "../../../src/config/coerce.ts";
import type { Diagnostic } from "../../../src/config/types.ts";
import { buildYaml, WORKFLOW_PATH } from "./helpers.ts";

/** Analysis reads the post-override raw map; it runs on front matter whose build may also have errors. */
function warnings(yaml: string, options: Partial<BuildOptions> = {}): Diagnostic[] {
  const result = buildYaml(yaml, options);
  const kinds = result.ok
    ? result.config
    : {
        tracker: { kind: stringField(subMap(result.raw, "tracker"), "kind") },
        agent: { kind: stringField(subMap(result.raw, "agent"), "kind") || "claude-code" },
      };
  return analyzeFrontMatter(result.raw, kinds, { file: WORKFLOW_PATH, positions: result.positions });
}

function texts(yaml: string, options: Partial<BuildOptions> = {}): string[] {
  return warnings(yaml, options).map((d) => `${d.check}: ${d.message}`);
}

describe("front-matter analysis", () => {
  test("a clean front matter has no warnings", () => {
    expect(
      texts(
        "tracker: {kind: jira, active_states: [a]}\nagent: {kind: claude-code, command: claude}\nserver: {port: 1}\nclaude-code: {model: x}\njira: {}",
      ),
    ).toEqual([]);
  });

  test("unknown top-level keys are sorted; the effective tracker and agent kinds are recognised", () => {
    expect(texts("zeta: 1\nalpha: 2\ntrackers: {}\nclaude-code: {}\ngithub: {}")).toEqual([
      'unknown_key: alpha: unknown top-level key "alpha"',
      'unknown_key: github: unknown top-level key "github"',
      'unknown_key: trackers: unknown top-level key "trackers"',
      'unknown_key: zeta: unknown top-level key "zeta"',
    ]);
    expect(texts("github: {}", { env: { SORTIE_TRACKER_KIND: "github" } })).toEqual([]);
  });

  test("warnings carry the file, line and column of the key or value (sections sorted)", () => {
    expect(warnings("tracker:\n  kind: file\n  bogus: 1\npolling:\n  interval_ms: [1]")).toEqual([
      {
        severity: "warning",
        check: "type_mismatch",
        message: "polling.interval_ms: expected integer, got []interface {}",
        file: WORKFLOW_PATH,
        line: 6,
        column: 16,
      },
      {
        severity: "warning",
        check: "unknown_sub_key",
        message: 'tracker.bogus: unknown key "bogus" in section "tracker"',
        file: WORKFLOW_PATH,
        line: 4,
        column: 3,
      },
    ]);
  });

  test("sections in sorted order: not-a-map, unknown sub-keys, nested unknown keys, field types", () => {
    const yaml = [
      "workspace: [x]",
      "tracker:",
      "  kind: jira",
      "  zzz: 1",
      "  aaa: 2",
      "  jira: {x: 1}",
      "  comments: {on_dispatch: 'yes', extra: 1}",
      "  active_states: [Todo, 3, null]",
      "  project: 5",
      "agent:",
      "  kind: mock",
      "  mock: {}",
      "  codex: {}",
      "  max_turns: '12'",
      "  read_timeout_ms: '1.5'",
      "  home_dir: 3",
      "hooks: {before_run: 1, timeout_ms: -5}",
      "self_review: {enabled: 1, verification_commands: none}",
      "ci_feedback: {kind: 1, escalationlabel: x}",
      "reactions: {any_thing: {weird: 1}}",
      "polling: {interval_ms: '30000'}",
    ].join("\n");
    expect(texts(yaml)).toEqual([
      'unknown_sub_key: agent.codex: unknown key "codex" in section "agent"',
      "type_mismatch: agent.read_timeout_ms: expected integer, got string",
      "type_mismatch: agent.home_dir: expected string, got int",
      'unknown_sub_key: ci_feedback.escalationlabel: unknown key "escalationlabel" in section "ci_feedback"',
      "type_mismatch: ci_feedback.kind: expected string, got int",
      "type_mismatch: hooks.before_run: expected string, got int",
      "type_mismatch: self_review.enabled: expected bool, got int",
      "type_mismatch: self_review.verification_commands: expected list of strings, got string",
      'unknown_sub_key: tracker.aaa: unknown key "aaa" in section "tracker"',
      'unknown_sub_key: tracker.zzz: unknown key "zzz" in section "tracker"',
      'unknown_sub_key: tracker.comments.extra: unknown key "extra" in section "tracker.comments"',
      "type_mismatch: tracker.project: expected string, got int",
      "type_mismatch: tracker.active_states[1]: expected string element, got int",
      "type_mismatch: tracker.active_states[2]: expected string element, got <nil>",
      "type_mismatch: tracker.comments.on_dispatch: expected bool, got string",
      "type_mismatch: workspace: expected map, got []interface {}",
      "type_mismatch: hooks.timeout_ms: non-positive value -5 will fall back to default 60000",
    ]);
  });

  test("db_path type, then hooks.timeout_ms, then per-state limits (sorted, original key case)", () => {
    expect(
      texts(
        "hooks: {timeout_ms: 0}\ndb_path: [x]\nagent:\n  max_concurrent_agents_by_state: {Zed: abc, Alpha: 0, beta: 2, Gamma: -1}",
      ),
    ).toEqual([
      "type_mismatch: db_path: expected string, got []interface {}",
      "type_mismatch: hooks.timeout_ms: non-positive value 0 will fall back to default 60000",
      "type_mismatch: agent.max_concurrent_agents_by_state.Alpha: non-positive value 0 will be ignored",
      "type_mismatch: agent.max_concurrent_agents_by_state.Gamma: non-positive value -1 will be ignored",
      "type_mismatch: agent.max_concurrent_agents_by_state.Zed: non-numeric value will be ignored",
    ]);
  });

  test("a section that is not a map and a map with non-string keys are both type mismatches", () => {
    expect(texts("polling: 5\nhooks:\n  1: x")).toEqual([
      "type_mismatch: hooks: expected map, got map[interface {}]interface {}",
      "type_mismatch: polling: expected map, got int",
    ]);
  });

  test("sections created by overrides cause no false positives and have no positions", () => {
    const found = warnings("{}", { env: { SORTIE_TRACKER_KIND: "jira", SORTIE_AGENT_MAX_TURNS: "3" } });
    expect(found).toEqual([]);
  });
});
