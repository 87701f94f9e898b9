// The `tracker` section: connection fields with their `$VAR` modes, the state lists with the
// adapter's defaults resolved in, and the hand-off / in-progress state checks.
import { goQuote } from "../domain/go-format.ts";
import { type BuildContext, report } from "./build-context.ts";
import { goType, hasKey, isRawMap, type RawMap, stringField, stringList, subMap } from "./coerce.ts";
import { expandEnv, expandWholeValue } from "./expand.ts";
import { Secret } from "./secret.ts";
import type { TrackerCommentsConfig, TrackerConfig } from "./types.ts";

/** The states a tracker kind uses when the workflow leaves a list empty; undefined = no defaults. */
export type StateDefaults = (
  trackerKind: string,
) => { active: readonly string[]; terminal: readonly string[] } | undefined;

const COMMENT_KEYS = [
  ["on_dispatch", "onDispatch"],
  ["on_completion", "onCompletion"],
  ["on_failure", "onFailure"],
] as const;

export function buildTracker(raw: RawMap, ctx: BuildContext, stateDefaults?: StateDefaults): TrackerConfig {
  const section = subMap(raw, "tracker");
  const whole = (key: string): string => {
    const value = stringField(section, key);
    return ctx.overridden.has(`tracker.${key}`) ? value : expandWholeValue(value, ctx.env);
  };
  const apiKeyRaw = stringField(section, "api_key");
  const apiKey = ctx.overridden.has("tracker.api_key") ? apiKeyRaw : expandEnv(apiKeyRaw, ctx.env);

  const kind = stringField(section, "kind");
  let activeStates = stringList(section?.active_states);
  let terminalStates = stringList(section?.terminal_states);
  const defaults = stateDefaults?.(kind);
  if (defaults !== undefined) {
    if (activeStates.length === 0) activeStates = [...defaults.active];
    if (terminalStates.length === 0) terminalStates = [...defaults.terminal];
  }

  const handoff = optionalState(section, "handoff_state", whole, ctx);
  if (handoff.valid && handoff.value !== null) checkHandoff(handoff.value, activeStates, terminalStates, ctx);
  const inProgress = optionalState(section, "in_progress_state", whole, ctx);
  if (inProgress.valid && inProgress.value !== null) {
    checkInProgress(inProgress.value, activeStates, terminalStates, handoff.value, ctx);
  }

  return {
    kind,
    endpoint: whole("endpoint"),
    apiKey: new Secret(apiKey),
    project: whole("project"),
    activeStates,
    terminalStates,
    queryFilter: whole("query_filter"),
    handoffState: handoff.value,
    inProgressState: inProgress.value,
    comments: buildComments(section, ctx),
  };
}

interface OptionalState {
  /** null when absent or invalid. */
  value: string | null;
  /** False when a type/empty check failed (collision checks are then skipped). */
  valid: boolean;
}

function optionalState(
  section: RawMap | undefined,
  key: string,
  whole: (key: string) => string,
  ctx: BuildContext,
): OptionalState {
  const field = `tracker.${key}`;
  if (ctx.failed.has(field)) return { value: null, valid: false };
  const value = section === undefined || !hasKey(section, key) ? null : section[key];
  if (value === null || value === undefined) return { value: null, valid: true };
  if (typeof value !== "string") {
    report(ctx, field, `expected string, got ${goType(value)}`);
    return { value: null, valid: false };
  }
  if (value === "") {
    report(ctx, field, "must not be empty");
    return { value: null, valid: false };
  }
  const resolved = whole(key);
  if (resolved === "") {
    report(ctx, field, "resolved to empty (check environment variable)");
    return { value: null, valid: false };
  }
  return { value: resolved, valid: true };
}

function checkHandoff(handoff: string, active: string[], terminal: string[], ctx: BuildContext): void {
  const lower = handoff.toLowerCase();
  const activeHit = active.find((s) => s.toLowerCase() === lower);
  if (activeHit !== undefined) {
    report(
      ctx,
      "tracker.handoff_state",
      `${goQuote(handoff)} collides with active state ${goQuote(activeHit)}`,
    );
    return;
  }
  const terminalHit = terminal.find((s) => s.toLowerCase() === lower);
  if (terminalHit !== undefined) {
    report(
      ctx,
      "tracker.handoff_state",
      `${goQuote(handoff)} collides with terminal state ${goQuote(terminalHit)}`,
    );
  }
}

function checkInProgress(
  value: string,
  active: string[],
  terminal: string[],
  handoff: string | null,
  ctx: BuildContext,
): void {
  const field = "tracker.in_progress_state";
  const lower = value.toLowerCase();
  const terminalHit = terminal.find((s) => s.toLowerCase() === lower);
  if (terminalHit !== undefined) {
    report(ctx, field, `${goQuote(value)} collides with terminal state ${goQuote(terminalHit)}`);
    return;
  }
  if (!active.some((s) => s.toLowerCase() === lower)) {
    report(
      ctx,
      field,
      `${goQuote(value)} is not in active_states; reconciliation would immediately cancel the worker`,
    );
    return;
  }
  if (handoff !== null && handoff.toLowerCase() === lower) {
    report(ctx, field, `${goQuote(value)} collides with handoff_state ${goQuote(handoff)}`);
  }
}

function buildComments(section: RawMap | undefined, ctx: BuildContext): TrackerCommentsConfig {
  const comments: TrackerCommentsConfig = { onDispatch: false, onCompletion: false, onFailure: false };
  const value = section === undefined || !hasKey(section, "comments") ? null : section.comments;
  if (value === null || value === undefined) return comments;
  if (!isRawMap(value)) {
    report(ctx, "tracker.comments", `expected map, got ${goType(value)}`);
    return comments;
  }
  for (const [key, prop] of COMMENT_KEYS) {
    const field = `tracker.comments.${key}`;
    if (ctx.failed.has(field)) continue;
    const flag = hasKey(value, key) ? value[key] : null;
    if (flag === null || flag === undefined) continue;
    if (typeof flag !== "boolean") {
      report(ctx, field, `expected bool, got ${goType(flag)}`);
      continue;
    }
    comments[prop] = flag;
  }
  return comments;
}
