// Dispatch preflight: the checks that must pass before any dispatch (and that `sortie validate`
// reports). Run at start-up and again on every tick after the defensive reload.
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Diagnostic, ServiceConfig, TrackerConfig } from "../config/types.ts";
import { isOnReadOnlyMount } from "../platform/mounts.ts";

/** What preflight needs to know about the registered adapters. */
export interface AdapterCatalog {
  trackerKinds: readonly string[];
  tracker(
    kind: string,
  ):
    | { requiresApiKey: boolean; requiresProject: boolean; validate?(config: TrackerConfig): Diagnostic[] }
    | undefined;
  agentKinds: readonly string[];
  agent(kind: string): { requiresCommand: boolean } | undefined;
}

export interface PreflightResult {
  ok: boolean;
  errors: Diagnostic[];
  /** Adapter validator warnings (validate prints them; the run loop does not log them). */
  warnings: Diagnostic[];
  /** `dispatch preflight failed: <m1>; <m2>` or "" when ok. */
  message: string;
}

function registryList(kinds: readonly string[]): string {
  return kinds.length === 0 ? "; no adapters registered" : `; registered: [${[...kinds].sort().join(", ")}]`;
}

function error(check: string, message: string): Diagnostic {
  return { severity: "error", check, message };
}

async function checkWorkspaceRoot(root: string): Promise<string | null> {
  try {
    await mkdir(root, { recursive: true, mode: 0o750 });
    const probe = join(root, `.sortie-preflight-${process.pid}-${Math.random().toString(36).slice(2)}`);
    await writeFile(probe, "");
    await rm(probe, { force: true });
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const detail =
      e.code && e.syscall
        ? `${e.syscall} ${e.path ?? root}: ${e.message.replace(/^[A-Z]+: /, "")}`
        : e.message;
    const hint = workspaceRootHint(root, e.code);
    return `workspace.root is not writable: ${root}: ${detail}${hint ? `; ${hint}` : ""}`;
  }
}

/** The fix for the usual container causes: a volume the user cannot write, or a read-only mount. */
function workspaceRootHint(root: string, code: string | undefined): string {
  let dir = resolve(root);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (code === "EROFS" || ((code === "EACCES" || code === "EPERM") && isOnReadOnlyMount(dir))) {
    return `${dir} is on a read-only file system: point workspace.root at a writable volume (in Kubernetes, the data volume)`;
  }
  if (code === "EACCES" || code === "EPERM") {
    const uid = process.getuid?.();
    const who = uid === undefined ? "the user sortie runs as" : `uid ${uid}, gid ${process.getgid?.()}`;
    return (
      `give ${who} write access to ${dir}: in Kubernetes set the pod's securityContext.fsGroup (storage that ` +
      "ignores fsGroup needs the volume chowned, e.g. by an init container), elsewhere chown the directory"
    );
  }
  return "";
}

export async function runPreflight(config: ServiceConfig, catalog: AdapterCatalog): Promise<PreflightResult> {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const t = config.tracker;
  if (t.kind === "") {
    errors.push(error("tracker.kind", "tracker.kind is required"));
  } else {
    const meta = catalog.tracker(t.kind);
    if (meta?.requiresApiKey && t.apiKey.isEmpty) {
      errors.push(
        error(
          "tracker.api_key",
          `tracker.api_key is required for tracker kind "${t.kind}" (value may be empty after environment variable expansion)`,
        ),
      );
    }
    if (meta?.requiresProject && t.project === "") {
      errors.push(error("tracker.project", `tracker.project is required for tracker kind "${t.kind}"`));
    }
    if (!meta) {
      errors.push(
        error(
          "tracker_adapter",
          `unknown tracker adapter kind "${t.kind}"${registryList(catalog.trackerKinds)}`,
        ),
      );
    } else if (meta.validate) {
      for (const d of meta.validate(t)) (d.severity === "error" ? errors : warnings).push(d);
    }
  }
  const a = config.agent;
  if (a.kind === "") errors.push(error("agent.kind", "agent.kind is required"));
  const agentMeta = a.kind === "" ? undefined : catalog.agent(a.kind);
  if (agentMeta?.requiresCommand && a.command.trim() === "") {
    errors.push(error("agent.command", `agent.command is required for agent kind "${a.kind}"`));
  }
  if (a.kind !== "" && !agentMeta) {
    errors.push(
      error("agent_adapter", `unknown agent adapter kind "${a.kind}"${registryList(catalog.agentKinds)}`),
    );
  }
  if (config.workspace.root !== "") {
    const problem = await checkWorkspaceRoot(config.workspace.root);
    if (problem) errors.push(error("workspace.root_writable", problem));
  }
  return {
    ok: errors.length === 0,
    errors,
    warnings,
    message:
      errors.length === 0 ? "" : `dispatch preflight failed: ${errors.map((e) => e.message).join("; ")}`,
  };
}
