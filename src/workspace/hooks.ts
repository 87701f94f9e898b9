// Runs one workspace hook: `sh -c <script>` in the workspace, as leader of its own process group so
// a timeout or cancellation can SIGKILL everything it started; combined output is captured up to a
// cap while the pipes keep being drained, so a chatty hook never blocks on a full pipe.
import { stat } from "node:fs/promises";
import { getLogger, type Logger } from "@logtape/logtape";
import { signalGroup } from "../platform/process-group.ts";
import { HookError } from "./errors.ts";

export type HookName = "after_create" | "before_run" | "after_run" | "before_remove";

/** Bytes of combined stdout+stderr kept; the rest is read and dropped. */
export const HOOK_OUTPUT_CAP_BYTES = 256 * 1024;
/** How long to keep reading after the hook exits, for output still buffered or held by children. */
export const HOOK_PIPE_GRACE_MS = 3000;

export interface RunHookOptions {
  name: HookName;
  script: string;
  /** The workspace directory; must exist. */
  cwd: string;
  /** The complete environment (see buildHookEnv); nothing else is inherited. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Aborting kills the hook like a timeout (reported as `hook cancelled`). */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface HookResult {
  /** Combined stdout+stderr in arrival order, at most HOOK_OUTPUT_CAP_BYTES bytes. */
  output: string;
  outputTruncated: boolean;
}

/** Collects chunks up to a byte cap and silently counts what it drops. */
class CappedBuffer {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  push(chunk: Uint8Array): void {
    const room = this.cap - this.#size;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    if (chunk.length > room) {
      // Copy the kept part so the large source chunk can be collected.
      this.#chunks.push(chunk.slice(0, room));
      this.#size = this.cap;
      this.truncated = true;
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  text(): string {
    const all = new Uint8Array(this.#size);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return new TextDecoder().decode(all);
  }
}

async function validate(opts: RunHookOptions): Promise<string | null> {
  if (opts.script === "") return "script must not be empty";
  if (opts.cwd === "") return "dir must not be empty";
  try {
    const info = await stat(opts.cwd);
    if (!info.isDirectory()) return `dir ${JSON.stringify(opts.cwd)}: not a directory`;
  } catch (err) {
    return `dir ${JSON.stringify(opts.cwd)}: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) return "timeout_ms must be positive";
  return null;
}

function shellPath(env: Record<string, string>): string {
  return Bun.which("sh", { PATH: env.PATH ?? "" }) ?? "/bin/sh";
}

function drain(stream: ReadableStream<Uint8Array>, into: CappedBuffer) {
  const reader = stream.getReader();
  const done = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        into.push(value);
      }
    } catch {
      // Cancelled after the grace period, or the pipe broke: keep what was read.
    }
  })();
  return {
    done,
    cancel: () => {
      reader.cancel().catch(() => {});
    },
  };
}

/**
 * Runs the hook and resolves with its output when it exits 0; otherwise throws a HookError:
 * `validate` (bad input), `start` (spawn failed), `run` (non-zero exit or killed by a signal it
 * did not get from us), `timeout` (timed out, or `signal` aborted: `hook cancelled`).
 */
export async function runHook(opts: RunHookOptions): Promise<HookResult> {
  const log = opts.logger ?? getLogger(["sortie", "workspace"]);
  const fail = (op: HookError["op"], detail: string, exitCode = -1, output = "", cause?: unknown) =>
    new HookError({ op, script: opts.script, exitCode, output, detail, cause });

  const invalid = await validate(opts);
  if (invalid !== null) throw fail("validate", invalid);
  if (opts.signal?.aborted) throw fail("timeout", "hook cancelled");

  log.info("running hook", { hook: opts.name, workspace: opts.cwd });

  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn({
      cmd: [shellPath(opts.env), "-c", opts.script],
      cwd: opts.cwd,
      env: opts.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
  } catch (err) {
    throw fail("start", err instanceof Error ? err.message : String(err), -1, "", err);
  }

  const buffer = new CappedBuffer(HOOK_OUTPUT_CAP_BYTES);
  const pipes = [drain(proc.stdout, buffer), drain(proc.stderr, buffer)];

  let exited = false;
  let stoppedBy: "timeout" | "cancel" | null = null;
  const stop = (why: "timeout" | "cancel") => {
    if (exited || stoppedBy !== null) return;
    stoppedBy = why;
    // No SIGTERM first: a hook has no state worth a graceful shutdown, and the group goes at once.
    signalGroup(proc.pid, "SIGKILL");
  };
  const timer = setTimeout(() => stop("timeout"), opts.timeoutMs);
  const onAbort = () => stop("cancel");
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    await proc.exited;
    exited = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);

    // Output may still be in flight, or a background child may hold the pipes open; bound the wait.
    let grace: ReturnType<typeof setTimeout> | undefined;
    const all = Promise.all(pipes.map((p) => p.done));
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        grace = setTimeout(() => resolve(true), HOOK_PIPE_GRACE_MS);
      }),
    ]);
    clearTimeout(grace);
    if (timedOut) {
      for (const p of pipes) p.cancel();
      await all;
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }

  const output = buffer.text();
  if (stoppedBy === "timeout") throw fail("timeout", `hook timed out after ${opts.timeoutMs}ms`, -1, output);
  if (stoppedBy === "cancel") throw fail("timeout", "hook cancelled", -1, output);
  if (proc.signalCode !== null && proc.signalCode !== undefined) {
    throw fail("run", `signal: ${proc.signalCode}`, -1, output);
  }
  const code = proc.exitCode ?? -1;
  if (code !== 0) throw fail("run", `exit status ${code}`, code, output);
  return { output, outputTruncated: buffer.truncated };
}

/** The last `maxBytes` bytes of a hook's output, for failure logs. */
export function outputTail(output: string, maxBytes = 4096): string {
  const bytes = new TextEncoder().encode(output);
  if (bytes.length <= maxBytes) return output;
  return new TextDecoder().decode(bytes.subarray(bytes.length - maxBytes));
}
