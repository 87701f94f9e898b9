// The container contract of the Kubernetes Deployment, laid out on the host for a sandbox (bubblewrap)
// or a container (podman) to mount: a data volume, a config directory shaped like a ConfigMap mount
// (`WORKFLOW.md → ..data/WORKFLOW.md`, `..data → ..<timestamp>`), a workflow that uses only paths
// inside the container, and a runner that parses sortie's JSON log lines from any wrapper command.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogRecord } from "../../helpers/sortie-process.ts";
import { waitFor } from "../../helpers/wait.ts";

/** Paths inside the container, as the Deployment mounts them. */
export const IN = {
  home: "/home/sortie",
  data: "/home/sortie/data",
  config: "/home/sortie/config",
  workflow: "/home/sortie/config/WORKFLOW.md",
  db: "/home/sortie/data/.sortie.db",
  issues: "/home/sortie/data/issues.json",
  workspaces: "/home/sortie/data/workspaces",
  agentHome: "/home/sortie/data/agent-home",
} as const;

export interface ContractDirs {
  root: string;
  /** Host side of the data volume. */
  data: string;
  /** Host side of the ConfigMap mount. */
  config: string;
  /** Publishes a new WORKFLOW.md the way the kubelet updates a ConfigMap volume. */
  publish(workflow: string): void;
  writeIssues(issues: { id: string; identifier: string; title: string; state: string }[]): void;
  cleanup(): void;
}

export function makeContractDirs(prefix: string): ContractDirs {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const data = join(root, "data");
  const config = join(root, "config");
  mkdirSync(data);
  mkdirSync(config);
  let version = 0;
  let current: string | undefined;
  return {
    root,
    data,
    config,
    publish(workflow) {
      // The kubelet's atomic writer: new timestamped dir, `..data_tmp` → it, rename over `..data`,
      // delete the old dir. `WORKFLOW.md → ..data/WORKFLOW.md` never changes.
      version += 1;
      const dir = `..2026_11_26_10_${String(version).padStart(2, "0")}_00.${1000 + version}`;
      mkdirSync(join(config, dir));
      writeFileSync(join(config, dir, "WORKFLOW.md"), workflow);
      symlinkSync(dir, join(config, "..data_tmp"));
      renameSync(join(config, "..data_tmp"), join(config, "..data"));
      if (current) rmSync(join(config, current), { recursive: true });
      else symlinkSync("..data/WORKFLOW.md", join(config, "WORKFLOW.md"));
      current = dir;
    },
    writeIssues(issues) {
      writeFileSync(join(data, "issues.json"), `${JSON.stringify(issues, null, 2)}\n`);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A file-tracker + mock-agent workflow using only in-container paths (the DB path comes from
 * SORTIE_DB_PATH, as in the Deployment). */
export function containerWorkflow(
  opts: { pollMs?: number; turnDelayMs?: number; activeStates?: string[]; maxAgents?: number } = {},
): string {
  const active = opts.activeStates ?? ["To Do", "In Progress"];
  return `---
tracker:
  kind: file
  active_states: [${active.join(", ")}]
  in_progress_state: In Progress
  handoff_state: Human Review
  terminal_states: [Done, Cancelled]
file:
  path: ${IN.issues}
polling:
  interval_ms: ${opts.pollMs ?? 300}
workspace:
  root: ${IN.workspaces}
agent:
  kind: mock
  max_concurrent_agents: ${opts.maxAgents ?? 2}
  max_turns: 1
  max_retry_backoff_ms: 500
mock:
  turn_delay_ms: ${opts.turnDelayMs ?? 50}
  session_id: sess-contract
---
Work on {{ .issue.identifier }}: {{ .issue.title }}
`;
}

export interface LoggedProcess {
  proc: ReturnType<typeof Bun.spawn>;
  records: LogRecord[];
  plain: string[];
  exited: Promise<number>;
  logs(msg: string): LogRecord[];
  waitForLog(msg: string, match?: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
}

/** Runs a command whose stderr carries sortie's JSON log lines. */
export function spawnLogged(cmd: string[], env: Record<string, string> = {}): LoggedProcess {
  const proc = Bun.spawn(cmd, {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const records: LogRecord[] = [];
  const plain: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let buf = "";
    const line = (l: string) => {
      if (l.startsWith("{")) {
        try {
          records.push(JSON.parse(l) as LogRecord);
          return;
        } catch {
          // not JSON after all
        }
      }
      if (l.trim()) plain.push(l);
    };
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
        line(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
    if (buf) line(buf);
  };
  const done = Promise.all([
    pump(proc.stderr as ReadableStream<Uint8Array>),
    pump(proc.stdout as ReadableStream<Uint8Array>),
  ]);
  const exited = (async () => {
    const code = await proc.exited;
    await done;
    return code;
  })();
  return {
    proc,
    records,
    plain,
    exited,
    logs: (msg) => records.filter((r) => r.msg === msg),
    waitForLog: (msg, match, timeoutMs = 30_000) =>
      waitFor(() => records.find((r) => r.msg === msg && (!match || match(r))), {
        timeoutMs,
        what: () =>
          `log "${msg}" (last: ${records.at(-1)?.msg ?? "none"}; other output: ${plain.slice(-3).join(" | ")})`,
      }),
  };
}

export async function httpJson(
  url: string,
): Promise<{ code: number; body: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return { code: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** Names in a directory, recursively, relative to it (directories end in "/"). */
export function listTree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(`${rel}/`, ...listTree(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}
