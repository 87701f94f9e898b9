// Runs the compiled dist/sortie (built by `bun run test`) as a real child process with JSON logs,
// and gives tests its parsed log records, its exit and ways to signal it.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { waitFor } from "./wait.ts";

export const REPO = resolve(import.meta.dir, "../..");
export const SORTIE_BIN = resolve(REPO, "dist/sortie");

export function requireBinary(): string {
  if (!existsSync(SORTIE_BIN))
    throw new Error(`${SORTIE_BIN} is missing: run \`bun run build\` (bun run test does)`);
  return SORTIE_BIN;
}

export interface LogRecord {
  time: string;
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface SortieProcess {
  proc: ReturnType<typeof Bun.spawn>;
  pid: number;
  records: LogRecord[];
  /** Non-JSON stderr lines (plain `sortie: …` errors). */
  plain: string[];
  stdout(): string;
  exited: Promise<number>;
  waitForLog(msg: string, match?: (r: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  logs(msg: string): LogRecord[];
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM and wait; SIGKILL if it does not exit within the deadline. */
  stop(timeoutMs?: number): Promise<number>;
}

export function startSortie(
  args: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; binary?: string } = { cwd: REPO },
): SortieProcess {
  const bin = opts.binary ?? requireBinary();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
  const proc = Bun.spawn([bin, "--log-format", "json", ...args], {
    cwd: opts.cwd,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const records: LogRecord[] = [];
  const plain: string[] = [];
  let out = "";
  const pump = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) => {
    const decoder = new TextDecoder();
    let buf = "";
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl = buf.indexOf("\n");
      while (nl !== -1) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
      }
    }
    if (buf) onLine(buf);
  };
  const stderrDone = pump(proc.stderr as ReadableStream<Uint8Array>, (line) => {
    if (line.startsWith("{")) {
      try {
        records.push(JSON.parse(line) as LogRecord);
        return;
      } catch {
        // fall through: keep it as plain text
      }
    }
    if (line.trim()) plain.push(line);
  });
  const stdoutDone = pump(proc.stdout as ReadableStream<Uint8Array>, (line) => {
    out += `${line}\n`;
  });
  const exited = (async () => {
    const code = await proc.exited;
    await Promise.all([stderrDone, stdoutDone]);
    return code;
  })();
  const handle: SortieProcess = {
    proc,
    pid: proc.pid,
    records,
    plain,
    stdout: () => out,
    exited,
    logs: (msg) => records.filter((r) => r.msg === msg),
    waitForLog: (msg, match, timeoutMs = 20_000) =>
      waitFor(() => records.find((r) => r.msg === msg && (!match || match(r))), {
        timeoutMs,
        what: () =>
          `log "${msg}" (last: ${records.at(-1)?.msg ?? "none"}; plain: ${plain.slice(-3).join(" | ")})`,
      }),
    signal: (sig) => {
      try {
        proc.kill(sig);
      } catch {
        // already gone
      }
    },
    stop: async (timeoutMs = 30_000) => {
      handle.signal("SIGTERM");
      const timer = setTimeout(() => handle.signal("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return handle;
}

/** Runs the binary to completion (for short commands like validate or --version). */
export async function runSortie(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
  const proc = Bun.spawn([requireBinary(), ...args], {
    cwd: opts.cwd ?? REPO,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** A TCP port that was free a moment ago. */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = server.port;
  server.stop(true);
  if (port === undefined) throw new Error("no free port");
  return port;
}
