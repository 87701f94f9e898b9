// The valibot description of the resolved ServiceConfig. The hand-written section builders do
// the Go-compatible coercion and produce the catalogued messages; this schema is the typed gate
// their output passes through, so a shape mistake fails loudly instead of reaching the core.
import * as v from "valibot";
import { Secret } from "./secret.ts";
import type { ServiceConfig } from "./types.ts";

const int = v.pipe(v.number(), v.integer());
const nullableString = v.nullable(v.string());
const escalation = v.picklist(["label", "comment"]);

export const trackerConfigSchema = v.strictObject({
  kind: v.string(),
  endpoint: v.string(),
  apiKey: v.instance(Secret),
  project: v.string(),
  activeStates: v.array(v.string()),
  terminalStates: v.array(v.string()),
  queryFilter: v.string(),
  handoffState: nullableString,
  inProgressState: nullableString,
  comments: v.strictObject({ onDispatch: v.boolean(), onCompletion: v.boolean(), onFailure: v.boolean() }),
});

export const agentConfigSchema = v.strictObject({
  kind: v.pipe(v.string(), v.nonEmpty()),
  command: v.string(),
  turnTimeoutMs: int,
  readTimeoutMs: int,
  stallTimeoutMs: int,
  maxConcurrentAgents: int,
  maxTurns: int,
  maxRetryBackoffMs: int,
  maxConcurrentAgentsByState: v.record(v.string(), v.pipe(int, v.minValue(1))),
  maxSessions: v.pipe(int, v.minValue(0)),
  homeDir: v.string(),
});

export const serviceConfigSchema = v.strictObject({
  tracker: trackerConfigSchema,
  polling: v.strictObject({ intervalMs: int }),
  workspace: v.strictObject({ root: v.pipe(v.string(), v.startsWith("/")) }),
  hooks: v.strictObject({
    afterCreate: nullableString,
    beforeRun: nullableString,
    afterRun: nullableString,
    beforeRemove: nullableString,
    timeoutMs: v.pipe(int, v.minValue(1)),
  }),
  agent: agentConfigSchema,
  dbPath: v.pipe(v.string(), v.startsWith("/")),
  ciFeedback: v.strictObject({
    kind: v.string(),
    maxRetries: int,
    maxLogLines: int,
    escalation,
    escalationLabel: v.string(),
  }),
  selfReview: v.strictObject({
    enabled: v.boolean(),
    maxIterations: int,
    verificationCommands: v.array(v.string()),
    verificationTimeoutMs: int,
    maxDiffBytes: int,
    reviewer: v.literal("same"),
  }),
  reactions: v.record(
    v.string(),
    v.strictObject({
      provider: v.string(),
      maxRetries: int,
      escalation,
      escalationLabel: v.string(),
      extra: v.record(v.string(), v.unknown()),
    }),
  ),
  extensions: v.record(v.string(), v.unknown()),
});

/** Checks a built config against the schema; a failure is a bug in the builders, not a user error. */
export function assertServiceConfig(config: ServiceConfig): ServiceConfig {
  const result = v.safeParse(serviceConfigSchema, config);
  if (!result.success) {
    const detail = result.issues
      .map((issue) => `${v.getDotPath(issue) ?? "(root)"}: ${issue.message}`)
      .join("; ");
    throw new Error(`internal error: built configuration does not match its schema: ${detail}`);
  }
  // The schema output equals the input (no transforms); return the caller's object to keep identity.
  return config;
}
