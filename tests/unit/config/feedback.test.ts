import { describe, expect, test } from "bun:test";
import { type RecordedLog, recordingLogger } from "../../../src/config/logger.ts";
import { buildYaml, expectConfig, issueTexts } from "./helpers.ts";

describe("ci_feedback", () => {
  test("without a kind every other field is ignored", () => {
    expect(expectConfig(buildYaml("ci_feedback: {max_retries: bad, escalation: nope}")).ciFeedback.kind).toBe(
      "",
    );
  });

  test("defaults, explicit zero and null", () => {
    expect(expectConfig(buildYaml("ci_feedback: {kind: github}")).ciFeedback).toEqual({
      kind: "github",
      maxRetries: 2,
      maxLogLines: 50,
      escalation: "label",
      escalationLabel: "needs-human",
    });
    const zero = expectConfig(buildYaml("ci_feedback: {kind: github, max_retries: 0, max_log_lines: null}"));
    expect(zero.ciFeedback.maxRetries).toBe(0);
    expect(zero.ciFeedback.maxLogLines).toBe(0);
    const custom = expectConfig(
      buildYaml("ci_feedback: {kind: github, escalation: comment, escalation_label: '', max_log_lines: 10}"),
    );
    expect(custom.ciFeedback).toMatchObject({
      escalation: "comment",
      escalationLabel: "needs-human",
      maxLogLines: 10,
    });
  });

  test("errors in their order", () => {
    expect(
      issueTexts(
        buildYaml("ci_feedback: {kind: github, max_retries: -1, max_log_lines: -2, escalation: shout}"),
      ),
    ).toEqual([
      "ci_feedback.max_retries: must be non-negative",
      "ci_feedback.max_log_lines: must be non-negative",
      'ci_feedback.escalation: must be "label" or "comment", got "shout"',
    ]);
    expect(issueTexts(buildYaml("ci_feedback: {kind: github, max_retries: x, max_log_lines: y}"))).toEqual([
      "ci_feedback.max_retries: invalid integer value: x",
      "ci_feedback.max_log_lines: invalid integer value: y",
    ]);
  });
});

describe("reactions", () => {
  test("kinds are parsed in sorted order with defaults; other keys go to extra", () => {
    const config = expectConfig(
      buildYaml(
        "reactions:\n  review_comments: {provider: github, poll_interval_ms: 60000}\n  merge_conflicts: {max_retries: 1, escalation: comment, escalation_label: stuck}",
      ),
    );
    expect(Object.keys(config.reactions)).toEqual(["merge_conflicts", "review_comments"]);
    expect(config.reactions.review_comments).toEqual({
      provider: "github",
      maxRetries: 2,
      escalation: "label",
      escalationLabel: "needs-human",
      extra: { poll_interval_ms: 60000 },
    });
    expect(config.reactions.merge_conflicts).toEqual({
      provider: "",
      maxRetries: 1,
      escalation: "comment",
      escalationLabel: "stuck",
      extra: {},
    });
  });

  test("a non-map reactions section is empty", () => {
    expect(expectConfig(buildYaml("reactions: [a]")).reactions).toEqual({});
  });

  const errors: [string, string][] = [
    ["Review: {}", "reactions.Review: key must match [a-z][a-z0-9_-]*"],
    ["1bad: {}", "reactions.1bad: key must match [a-z][a-z0-9_-]*"],
    ["x: null", "reactions.x: expected map, got <nil>"],
    ["x: text", "reactions.x: expected map, got string"],
    ["x: {max_retries: no}", "reactions.x.max_retries: invalid integer value: no"],
    ["x: {max_retries: -1}", "reactions.x.max_retries: must be non-negative"],
    ["x: {escalation: 3}", "reactions.x.escalation: expected string, got int"],
    ["x: {escalation: email}", 'reactions.x.escalation: must be "label" or "comment", got "email"'],
    ["x: {escalation_label: [a]}", "reactions.x.escalation_label: expected string, got []interface {}"],
    ["x: {provider: true}", "reactions.x.provider: expected string, got bool"],
  ];
  for (const [yaml, want] of errors) {
    test(want, () => {
      expect(issueTexts(buildYaml(`reactions:\n  ${yaml}`))).toEqual([want]);
    });
  }

  test("issues of several kinds are all reported, kinds sorted", () => {
    expect(issueTexts(buildYaml("reactions:\n  zeta: {max_retries: -1}\n  alpha: {provider: 1}"))).toEqual([
      "reactions.alpha.provider: expected string, got int",
      "reactions.zeta.max_retries: must be non-negative",
    ]);
  });
});

describe("reactions.ci_failure replaces ci_feedback", () => {
  test("its provider becomes the CI kind, max_log_lines comes from its extras", () => {
    const config = expectConfig(
      buildYaml(
        "reactions:\n  ci_failure: {provider: github, max_retries: 4, max_log_lines: 20, escalation: comment}",
      ),
    );
    expect(config.ciFeedback).toEqual({
      kind: "github",
      maxRetries: 4,
      maxLogLines: 20,
      escalation: "comment",
      escalationLabel: "needs-human",
    });
    expect(config.reactions).toEqual({});
  });

  test("an empty provider disables CI feedback even when ci_feedback is set, with a deprecation warning", () => {
    const records: RecordedLog[] = [];
    const config = expectConfig(
      buildYaml("ci_feedback: {kind: github}\nreactions:\n  ci_failure: {max_retries: 1}", {
        logger: recordingLogger(records),
      }),
    );
    expect(config.ciFeedback.kind).toBe("");
    expect(records).toEqual([
      {
        level: "warn",
        message: "ci_feedback section is deprecated; using reactions.ci_failure instead",
        properties: { hint: "remove the ci_feedback section from your WORKFLOW.md" },
      },
    ]);
  });

  test("no warning without a ci_feedback section", () => {
    const records: RecordedLog[] = [];
    buildYaml("reactions:\n  ci_failure: {provider: github}", { logger: recordingLogger(records) });
    expect(records).toEqual([]);
  });

  test("max_log_lines errors", () => {
    expect(
      issueTexts(buildYaml("reactions:\n  ci_failure: {provider: github, max_log_lines: lots}")),
    ).toEqual(["reactions.ci_failure.max_log_lines: invalid integer value: lots"]);
    expect(issueTexts(buildYaml("reactions:\n  ci_failure: {provider: github, max_log_lines: -1}"))).toEqual([
      "reactions.ci_failure.max_log_lines: must be non-negative",
    ]);
  });
});

describe("self_review", () => {
  test("disabled (absent, false, or not literally true) validates nothing", () => {
    for (const yaml of [
      "{}",
      "self_review: {enabled: false, max_iterations: 99}",
      "self_review: {enabled: 'true', reviewer: x}",
    ]) {
      expect(expectConfig(buildYaml(yaml)).selfReview.enabled).toBe(false);
    }
  });

  test("enabled with commands uses the defaults", () => {
    expect(
      expectConfig(buildYaml("self_review: {enabled: true, verification_commands: [make test]}")).selfReview,
    ).toEqual({
      enabled: true,
      maxIterations: 3,
      verificationCommands: ["make test"],
      verificationTimeoutMs: 120_000,
      maxDiffBytes: 102_400,
      reviewer: "same",
    });
  });

  test("errors are reported together in field order", () => {
    expect(
      issueTexts(
        buildYaml(
          "self_review: {enabled: true, max_iterations: 11, verification_timeout_ms: 0, max_diff_bytes: -1, reviewer: other}",
        ),
      ),
    ).toEqual([
      "self_review.max_iterations: must be between 1 and 10",
      "self_review.verification_commands: required when self_review is enabled",
      "self_review.verification_timeout_ms: must be greater than 0",
      "self_review.max_diff_bytes: must be greater than 0",
      'self_review.reviewer: only "same" is supported',
    ]);
    expect(
      issueTexts(
        buildYaml(
          "self_review: {enabled: true, verification_commands: [x], max_iterations: x, max_diff_bytes: y}",
        ),
      ),
    ).toEqual([
      "self_review.max_iterations: invalid integer value: x",
      "self_review.max_diff_bytes: invalid integer value: y",
    ]);
  });
});
