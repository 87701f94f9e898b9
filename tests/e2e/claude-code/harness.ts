// Shared pieces of the end-to-end tests that run the compiled sortie binary with the real, pinned
// `claude` CLI against the fake Anthropic server: where the CLI is, the offline environment, a
// workflow for it, and looks into the argv log and /proc.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { readNulList } from "../../fakes/agent-cli/fake-cli.ts";
import {
  agentCliBin,
  missingCliReason,
  PINNED_CLAUDE,
  runsUnlessSkipped,
} from "../../fakes/agent-cli/installed-cli.ts";
import { claudeOfflineSettings, offlineSortieEnv } from "../../fakes/agent-cli/offline-env.ts";
import type { FakeAnthropic } from "../../fakes/anthropic/server.ts";
import { fileTrackerSections, type WorkflowDir } from "../../helpers/workflow.ts";

export const PINNED_CLAUDE_VERSION = PINNED_CLAUDE.version;
export const CLAUDE_BIN = agentCliBin(PINNED_CLAUDE.name);
/** Wrapper command that records each CLI invocation's argv into $ARGV_DIR (see the script). */
export const ARGV_RECORDER = resolve(import.meta.dir, "argv-recorder.sh");

/** True when the pinned CLI is installed; otherwise says why the tests are skipped. */
export function claudeAvailable(): boolean {
  return runsUnlessSkipped("sortie + real claude CLI e2e tests", missingCliReason(PINNED_CLAUDE));
}

/**
 * Sortie's environment: the CLI's offline settings (inherited by the agent), a proxy that sends
 * anything not addressed to the fake through the fake (where it is logged as foreign), and a
 * sortie secret that must not reach the agent.
 */
export function offlineEnv(fake: FakeAnthropic, home: string, extra: Record<string, string> = {}) {
  return offlineSortieEnv({ home, settings: claudeOfflineSettings(fake.url), proxy: fake.url, extra });
}

/** Front matter: file tracker, claude-code agent with the permission flags that work as root. */
export function claudeFrontMatter(
  w: WorkflowDir,
  opts: { command?: string; maxTurns?: number; agentExtra?: string } = {},
): string {
  return `
${fileTrackerSections(w)}
agent:
  kind: claude-code
  command: ${opts.command ?? CLAUDE_BIN}
  max_concurrent_agents: 1
  max_turns: ${opts.maxTurns ?? 1}
  max_retry_backoff_ms: 500
  turn_timeout_ms: 600000
  stall_timeout_ms: 0
${opts.agentExtra ?? ""}
claude-code:
  permission_mode: acceptEdits
  allowed_tools: "Bash,Write,Edit,Read"
`;
}

/** Every invocation the argv recorder saw, in order. */
export function recordedInvocations(argvDir: string): string[][] {
  if (!existsSync(argvDir)) return [];
  return readdirSync(argvDir)
    .filter((f) => f.endsWith(".argv"))
    .sort()
    .map((f) => readNulList(readFileSync(join(argvDir, f), "utf8")));
}

export function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i === -1 ? undefined : argv[i + 1];
}

/**
 * Live (non-zombie) claude processes started under `dir`: the command line names the CLI binary
 * (as invoked or its real path) and the working directory is inside `dir`. The working directory
 * keeps claude processes of other, concurrent test runs out of the count.
 */
export function livingClaudeProcessesUnder(dir: string): number[] {
  const names = [CLAUDE_BIN, realpathSync(CLAUDE_BIN)];
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ");
      if (!names.some((n) => cmdline.includes(n))) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) out.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return out;
}

/** The fake's usage over model requests `from` (inclusive) to `to` (exclusive), in sortie's names. */
export function fakeTokens(fake: FakeAnthropic, from = 0, to = fake.messageCalls.length) {
  const sum = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };
  for (const call of fake.messageCalls.slice(from, to)) {
    sum.input_tokens += call.usage.input_tokens;
    sum.output_tokens += call.usage.output_tokens;
    sum.cache_read_tokens += call.usage.cache_read_input_tokens;
    sum.cache_write_tokens += call.usage.cache_creation_input_tokens;
  }
  return sum;
}

/** The conversation the CLI sent with one model request, as text (for "history replayed" checks). */
export function requestHistory(fake: FakeAnthropic, index: number): string {
  return JSON.stringify(fake.messageCalls[index]?.request.messages ?? []);
}
