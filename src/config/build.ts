// Builds the typed ServiceConfig from decoded front matter: SORTIE_* / .env overrides, then every
// section in the fixed evaluation order, collecting all ConfigIssues of the build (not only the first).
import { dirname } from "node:path";
import type { BuildContext } from "./build-context.ts";
import { buildCiFeedback, buildReactions, buildSelfReview, foldCiFailure } from "./build-feedback.ts";
import { buildAgent, buildDbPathSetting, buildHooks, buildPolling, buildWorkspace } from "./build-runtime.ts";
import { buildTracker, type StateDefaults } from "./build-tracker.ts";
import { type RawMap, setOwn } from "./coerce.ts";
import { resolveDbPath } from "./db-path.ts";
import { applyEnvOverrides } from "./env.ts";
import type { Env } from "./expand.ts";
import { type ConfigLogger, defaultConfigLogger } from "./logger.ts";
import { PositionIndex } from "./positions.ts";
import { assertServiceConfig } from "./schema.ts";
import type { ConfigIssue, ServiceConfig } from "./types.ts";

/** Top-level keys of the core schema; every other key is an extension. */
export const CORE_KEYS: readonly string[] = [
  "tracker",
  "polling",
  "workspace",
  "hooks",
  "agent",
  "db_path",
  "ci_feedback",
  "self_review",
  "reactions",
];

export interface BuildOptions {
  /** Absolute path of WORKFLOW.md (relative db_path and agent.home_dir resolve against its directory). */
  workflowPath: string;
  /** The process environment: SORTIE_* overrides and `$VAR` lookups. */
  env: Env;
  /** The process working directory (a relative workspace.root resolves against it). */
  cwd: string;
  /** `$HOME`, for `~` expansion; empty or undefined makes `~` an error. */
  homeDir: string | undefined;
  /** Parsed SORTIE_* values of the .env file; null/undefined when there is none. */
  dotenv?: Readonly<Record<string, string>> | null;
  /** Tracker-kind state defaults, filled in where the workflow leaves a list empty. */
  stateDefaults?: StateDefaults;
  /** Where each front-matter value sits in the file (from parseWorkflow). */
  positions?: PositionIndex;
  logger?: ConfigLogger;
}

interface BuildOutcome {
  /** The front matter after overrides were applied (what `validate`'s analysis reads). */
  raw: RawMap;
  /** Positions of values that still come from the file (overridden fields removed). */
  positions: PositionIndex;
  /** Field paths whose value came from a SORTIE_* variable or the .env file. */
  overridden: ReadonlySet<string>;
}

export type BuildResult =
  | (BuildOutcome & { ok: true; config: ServiceConfig })
  | (BuildOutcome & { ok: false; issues: ConfigIssue[] });

export function buildServiceConfig(frontMatter: RawMap, options: BuildOptions): BuildResult {
  const log = options.logger ?? defaultConfigLogger();
  const raw = structuredClone(frontMatter);
  const overrides = applyEnvOverrides(raw, options.env, options.dotenv ?? null, log);
  const positions = (options.positions ?? new PositionIndex()).without(overrides.overridden);
  const ctx: BuildContext = {
    env: options.env,
    homeDir: options.homeDir,
    cwd: options.cwd,
    workflowDir: dirname(options.workflowPath),
    overridden: overrides.overridden,
    failed: overrides.failed,
    issues: [...overrides.issues],
    positions,
  };

  const tracker = buildTracker(raw, ctx, options.stateDefaults);
  const polling = buildPolling(raw, ctx);
  const workspace = buildWorkspace(raw, ctx);
  const hooks = buildHooks(raw);
  const agent = buildAgent(raw, ctx);
  const dbPath = resolveDbPath(buildDbPathSetting(raw, ctx), ctx.workflowDir);
  const ciFeedbackSection = buildCiFeedback(raw, ctx);
  const selfReview = buildSelfReview(raw, ctx);
  const reactions = buildReactions(raw, ctx);
  const ciFeedback = foldCiFailure(raw, reactions, ciFeedbackSection, ctx, log);
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    if (!CORE_KEYS.includes(key)) setOwn(extensions, key, value);

  const outcome: BuildOutcome = { raw, positions, overridden: overrides.overridden };
  if (ctx.issues.length > 0) return { ...outcome, ok: false, issues: ctx.issues };
  const config = assertServiceConfig({
    tracker,
    polling,
    workspace,
    hooks,
    agent,
    dbPath,
    ciFeedback,
    selfReview,
    reactions,
    extensions,
  });
  return { ...outcome, ok: true, config };
}
