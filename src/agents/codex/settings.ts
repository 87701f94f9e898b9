// The `codex:` block of WORKFLOW.md, read leniently into typed settings, and the two spellings
// of Codex sandbox names (kebab-case on `thread/start`, camelCase in a turn's sandbox policy).
import { type AdapterOptions, optBool, optRecord, optString, optStringList } from "../options.ts";

export interface CodexSettings {
  /** "" = the CLI's configured model. */
  model: string;
  /** Reasoning effort per turn; "" = not sent. */
  effort: string;
  approvalPolicy: string;
  /** Kebab-case sandbox mode for `thread/start`. */
  threadSandbox: string;
  /** Keys merged over the default turn sandbox policy; undefined = not configured. */
  turnSandboxPolicy: Record<string, unknown> | undefined;
  personality: string;
  /** Accepted for compatibility; the app-server protocol has no such switch. */
  skipGitRepoCheck: boolean;
  /** SORTIE_* variables the operator lets through to the agent. */
  envPassthrough: string[];
}

export const DEFAULT_APPROVAL_POLICY = "never";
export const DEFAULT_THREAD_SANDBOX = "workspace-write";

export function codexSettings(options: AdapterOptions): CodexSettings {
  const approvalPolicy = optString(options, "approval_policy");
  const threadSandbox = optString(options, "thread_sandbox");
  return {
    model: optString(options, "model"),
    effort: optString(options, "effort"),
    approvalPolicy: approvalPolicy !== "" ? approvalPolicy : DEFAULT_APPROVAL_POLICY,
    threadSandbox: threadSandbox !== "" ? toKebabSandbox(threadSandbox) : DEFAULT_THREAD_SANDBOX,
    turnSandboxPolicy: optRecord(options, "turn_sandbox_policy"),
    personality: optString(options, "personality"),
    skipGitRepoCheck: optBool(options, "skip_git_repo_check", false),
    envPassthrough: optStringList(options, "env_passthrough"),
  };
}

const KEBAB_TO_CAMEL: Readonly<Record<string, string>> = {
  "workspace-write": "workspaceWrite",
  "read-only": "readOnly",
  "danger-full-access": "dangerFullAccess",
  "external-sandbox": "externalSandbox",
};

const CAMEL_TO_KEBAB: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KEBAB_TO_CAMEL).map(([kebab, camel]) => [camel, kebab]),
);

/** `workspaceWrite` → `workspace-write`; kebab-case and unknown names pass through. */
export function toKebabSandbox(name: string): string {
  return Object.hasOwn(CAMEL_TO_KEBAB, name) ? (CAMEL_TO_KEBAB[name] ?? name) : name;
}

/** `workspace-write` → `workspaceWrite`; camelCase and unknown names pass through. */
export function toCamelSandbox(name: string): string {
  return Object.hasOwn(KEBAB_TO_CAMEL, name) ? (KEBAB_TO_CAMEL[name] ?? name) : name;
}

/**
 * The `sandboxPolicy` of `turn/start`: the thread's sandbox with the workspace as its only
 * writable root and no network, then every key of `turn_sandbox_policy` on top.
 */
export function turnSandboxPolicy(settings: CodexSettings, workspace: string): Record<string, unknown> {
  const type = toCamelSandbox(settings.threadSandbox);
  const policy = defaultPolicy(type, workspace);
  for (const [key, value] of Object.entries(settings.turnSandboxPolicy ?? {})) {
    policy[key] = key === "type" && typeof value === "string" ? toCamelSandbox(value) : value;
  }
  return policy;
}

/** Each policy type carries only the fields the app-server knows for it. */
function defaultPolicy(type: string, workspace: string): Record<string, unknown> {
  switch (type) {
    case "dangerFullAccess":
      return { type };
    case "readOnly":
      return { type, networkAccess: false };
    case "externalSandbox":
      return { type, networkAccess: "restricted" };
    default:
      return { type, writableRoots: [workspace], networkAccess: false };
  }
}
