// Usage fallback for CLIs whose stream carries no step usage: `opencode export --sanitize <id>`
// prints the session as JSON, and its last assistant message has token counts and cost. Only
// that one message is counted, which is why the stream's `step_finish` parts come first.
import type { TokenUsage } from "../../domain/agent.ts";
import { signalGroup } from "../../platform/process-group.ts";
import { emptyUsage, tokenCount } from "../process/usage.ts";
import { obj } from "../stream-json.ts";

export interface ExportUsage {
  usage: TokenUsage;
  /** `providerID/modelID`, "" when either is missing. */
  model: string;
}

/**
 * Reads the newest assistant message of `sessionId` whose input and output counts are integers.
 * Undefined when there is none (or the text is not an export).
 */
export function parseExportUsage(text: string, sessionId: string): ExportUsage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const messages = obj(parsed).messages;
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const info = obj(obj(messages[i]).info);
    if (info.role !== "assistant" || info.sessionID !== sessionId) continue;
    const tokens = obj(info.tokens);
    if (!Number.isInteger(tokens.input) || !Number.isInteger(tokens.output)) continue;
    const cache = obj(tokens.cache);
    const input = tokenCount(tokens.input) ?? 0;
    const output = tokenCount(tokens.output) ?? 0;
    const usage = emptyUsage();
    usage.inputTokens = input;
    usage.outputTokens = output;
    usage.totalTokens = input + output;
    usage.cacheReadTokens = tokenCount(cache.read);
    usage.cacheWriteTokens = tokenCount(cache.write);
    usage.costUsd = typeof info.cost === "number" && Number.isFinite(info.cost) ? info.cost : null;
    const provider = typeof info.providerID === "string" ? info.providerID : "";
    const model = typeof info.modelID === "string" ? info.modelID : "";
    return { usage, model: provider !== "" && model !== "" ? `${provider}/${model}` : "" };
  }
  return undefined;
}

export interface ExportRun {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  onProcessGroup?: (pgid: number) => void;
}

/** Runs the export command; its stdout, or an Error saying why there is none. */
export async function runExport(run: ExportRun): Promise<string | Error> {
  let proc: ReturnType<typeof Bun.spawn<"ignore", "pipe", "ignore">>;
  try {
    proc = Bun.spawn({
      cmd: run.argv,
      cwd: run.cwd,
      env: run.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "ignore",
      detached: true,
    });
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  run.onProcessGroup?.(proc.pid);
  let timedOut = false;
  const kill = (): void => {
    signalGroup(proc.pid, "SIGKILL");
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, run.timeoutMs);
  run.signal.addEventListener("abort", kill, { once: true });
  try {
    const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    if (timedOut) return new Error(`export timed out after ${run.timeoutMs} ms`);
    if (run.signal.aborted) return new Error("export cancelled");
    if (code !== 0) return new Error(`export exited with code ${code}`);
    return stdout;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener("abort", kill);
    signalGroup(proc.pid, "SIGKILL");
  }
}
