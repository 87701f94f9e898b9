// The feedback-loop sections: `ci_feedback` (deprecated), `reactions` (with `ci_failure` folded
// into the CI config) and `self_review`.
import { goQuote } from "../domain/go-format.ts";
import { type BuildContext, readInt, report } from "./build-context.ts";
import { goType, hasKey, isRawMap, type RawMap, setOwn, stringField, stringList, subMap } from "./coerce.ts";
import type { ConfigLogger } from "./logger.ts";
import type { CiFeedbackConfig, EscalationMode, ReactionConfig, SelfReviewConfig } from "./types.ts";

export const CI_DEFAULTS = {
  maxRetries: 2,
  maxLogLines: 50,
  escalation: "label" as EscalationMode,
  escalationLabel: "needs-human",
};

export const SELF_REVIEW_DEFAULTS: SelfReviewConfig = {
  enabled: false,
  maxIterations: 3,
  verificationCommands: [],
  verificationTimeoutMs: 120_000,
  maxDiffBytes: 102_400,
  reviewer: "same",
};

const REACTION_KEY = /^[a-z][a-z0-9_-]*$/;
const REACTION_FIELDS = new Set(["provider", "max_retries", "escalation", "escalation_label"]);

export function disabledCiFeedback(): CiFeedbackConfig {
  return { kind: "", ...CI_DEFAULTS };
}

export function buildCiFeedback(raw: RawMap, ctx: BuildContext): CiFeedbackConfig {
  const section = subMap(raw, "ci_feedback");
  const kind = stringField(section, "kind");
  if (kind === "") return disabledCiFeedback();
  const maxRetries = readInt(ctx, section, "max_retries", "ci_feedback.max_retries");
  const maxLogLines = readInt(ctx, section, "max_log_lines", "ci_feedback.max_log_lines");
  // Only an absent key means default; an explicit null reads as 0 (escalate at once / no logs).
  const retries = !hasKey(section, "max_retries")
    ? CI_DEFAULTS.maxRetries
    : maxRetries.state === "ok"
      ? maxRetries.value
      : 0;
  const logLines = !hasKey(section, "max_log_lines")
    ? CI_DEFAULTS.maxLogLines
    : maxLogLines.state === "ok"
      ? maxLogLines.value
      : 0;
  if (maxRetries.state === "ok" && retries < 0)
    report(ctx, "ci_feedback.max_retries", "must be non-negative");
  if (maxLogLines.state === "ok" && logLines < 0)
    report(ctx, "ci_feedback.max_log_lines", "must be non-negative");
  const escalation = stringField(section, "escalation") || "label";
  if (escalation !== "label" && escalation !== "comment") {
    report(ctx, "ci_feedback.escalation", `must be "label" or "comment", got ${goQuote(escalation)}`);
  }
  return {
    kind,
    maxRetries: retries,
    maxLogLines: logLines,
    escalation: escalation === "comment" ? "comment" : "label",
    escalationLabel: stringField(section, "escalation_label") || CI_DEFAULTS.escalationLabel,
  };
}

export function buildSelfReview(raw: RawMap, ctx: BuildContext): SelfReviewConfig {
  const section = subMap(raw, "self_review");
  // Disabled (or absent) means nothing else is validated: no errors for a feature that is off.
  if (section === undefined || section.enabled !== true) {
    return { ...SELF_REVIEW_DEFAULTS, verificationCommands: [] };
  }
  const iterations = readInt(ctx, section, "max_iterations", "self_review.max_iterations");
  const maxIterations = iterations.state === "ok" ? iterations.value : SELF_REVIEW_DEFAULTS.maxIterations;
  if (iterations.state !== "invalid" && (maxIterations < 1 || maxIterations > 10)) {
    report(ctx, "self_review.max_iterations", "must be between 1 and 10");
  }
  const verificationCommands = stringList(section.verification_commands);
  if (verificationCommands.length === 0) {
    report(ctx, "self_review.verification_commands", "required when self_review is enabled");
  }
  const positive = (key: string, fallback: number): number => {
    const field = `self_review.${key}`;
    const result = readInt(ctx, section, key, field);
    const value = result.state === "ok" ? result.value : fallback;
    if (result.state !== "invalid" && value <= 0) report(ctx, field, "must be greater than 0");
    return value;
  };
  const verificationTimeoutMs = positive(
    "verification_timeout_ms",
    SELF_REVIEW_DEFAULTS.verificationTimeoutMs,
  );
  const maxDiffBytes = positive("max_diff_bytes", SELF_REVIEW_DEFAULTS.maxDiffBytes);
  const reviewer = stringField(section, "reviewer") || "same";
  if (reviewer !== "same") report(ctx, "self_review.reviewer", 'only "same" is supported');
  return {
    enabled: true,
    maxIterations,
    verificationCommands,
    verificationTimeoutMs,
    maxDiffBytes,
    reviewer: "same",
  };
}

/** Reaction kinds in sorted order; a kind with any issue is left out of the result. */
export function buildReactions(raw: RawMap, ctx: BuildContext): Record<string, ReactionConfig> {
  const section = subMap(raw, "reactions");
  const reactions: Record<string, ReactionConfig> = {};
  if (section === undefined) return reactions;
  for (const kind of Object.keys(section).sort()) {
    const reaction = buildReaction(kind, section[kind], ctx);
    if (reaction !== undefined) reactions[kind] = reaction;
  }
  return reactions;
}

function buildReaction(kind: string, value: unknown, ctx: BuildContext): ReactionConfig | undefined {
  const prefix = `reactions.${kind}`;
  if (!REACTION_KEY.test(kind)) {
    report(ctx, prefix, "key must match [a-z][a-z0-9_-]*");
    return undefined;
  }
  if (!isRawMap(value)) {
    report(ctx, prefix, `expected map, got ${goType(value)}`);
    return undefined;
  }
  const before = ctx.issues.length;
  const retries = readInt(ctx, value, "max_retries", `${prefix}.max_retries`);
  const maxRetries = retries.state === "ok" ? retries.value : CI_DEFAULTS.maxRetries;
  if (retries.state === "ok" && maxRetries < 0) report(ctx, `${prefix}.max_retries`, "must be non-negative");

  const escalationRaw = optionalString(value, "escalation", `${prefix}.escalation`, ctx);
  const escalation = typeof escalationRaw === "string" && escalationRaw !== "" ? escalationRaw : "label";
  if (escalationRaw !== null && escalation !== "label" && escalation !== "comment") {
    report(ctx, `${prefix}.escalation`, `must be "label" or "comment", got ${goQuote(escalation)}`);
  }
  const label = optionalString(value, "escalation_label", `${prefix}.escalation_label`, ctx);
  const extra: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (!REACTION_FIELDS.has(key)) setOwn(extra, key, item);
  const provider = optionalString(value, "provider", `${prefix}.provider`, ctx);
  if (ctx.issues.length > before) return undefined;
  return {
    provider: provider ?? "",
    maxRetries,
    escalation: escalation === "comment" ? "comment" : "label",
    escalationLabel:
      label === undefined || label === null || label === "" ? CI_DEFAULTS.escalationLabel : label,
    extra,
  };
}

/** undefined = absent or null; null = wrong type (reported); else the string. */
function optionalString(
  map: RawMap,
  key: string,
  field: string,
  ctx: BuildContext,
): string | null | undefined {
  const value = hasKey(map, key) ? map[key] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    report(ctx, field, `expected string, got ${goType(value)}`);
    return null;
  }
  return value;
}

/**
 * `reactions.ci_failure` replaces the CI feedback config (an empty provider disables it) and is
 * removed from the reactions; a `ci_feedback` section next to it is deprecated.
 */
export function foldCiFailure(
  raw: RawMap,
  reactions: Record<string, ReactionConfig>,
  ciFeedback: CiFeedbackConfig,
  ctx: BuildContext,
  log: ConfigLogger,
): CiFeedbackConfig {
  const reaction = reactions.ci_failure;
  if (reaction === undefined) return ciFeedback;
  delete reactions.ci_failure;
  let folded = disabledCiFeedback();
  if (reaction.provider !== "") {
    const field = "reactions.ci_failure.max_log_lines";
    const logLines = readInt(ctx, reaction.extra, "max_log_lines", field);
    const maxLogLines = logLines.state === "ok" ? logLines.value : CI_DEFAULTS.maxLogLines;
    if (logLines.state === "ok" && maxLogLines < 0) report(ctx, field, "must be non-negative");
    folded = {
      kind: reaction.provider,
      maxRetries: reaction.maxRetries,
      maxLogLines,
      escalation: reaction.escalation,
      escalationLabel: reaction.escalationLabel,
    };
  }
  if (hasKey(raw, "ci_feedback") && raw.ci_feedback !== null) {
    log.warn("ci_feedback section is deprecated; using reactions.ci_failure instead", {
      hint: "remove the ci_feedback section from your WORKFLOW.md",
    });
  }
  return folded;
}
