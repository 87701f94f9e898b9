// Writes executable stand-ins for agent CLIs into a temp dir: they record their argv and
// environment, print scripted stdout/stderr, and exit with a chosen code.
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface FakeCliScript {
  /** Raw stdout to print (a fixture's contents). */
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Shell lines run after printing (e.g. `sleep 30`). */
  after?: string;
  /** Dump argv NUL-separated to this file. */
  argvFile?: string;
  /** Dump the environment (`env -0`) to this file. */
  envFile?: string;
}

export function writeFakeCli(dir: string, name: string, script: FakeCliScript): string {
  const path = join(dir, name);
  const stdoutFile = join(dir, `${name}.stdout`);
  const stderrFile = join(dir, `${name}.stderr`);
  writeFileSync(stdoutFile, script.stdout ?? "");
  writeFileSync(stderrFile, script.stderr ?? "");
  const lines = ["#!/bin/sh"];
  if (script.argvFile) lines.push(`printf '%s\\0' "$@" > '${script.argvFile}'`);
  if (script.envFile) lines.push(`env -0 > '${script.envFile}'`);
  lines.push(`cat '${stdoutFile}'`, `cat '${stderrFile}' >&2`);
  if (script.after) lines.push(script.after);
  lines.push(`exit ${script.exitCode ?? 0}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  chmodSync(path, 0o755);
  return path;
}

export function readNulList(text: string): string[] {
  const parts = text.split("\0");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

/** What an argv recorder logged: one NUL-separated argv a line, in order; none when nothing ran. */
export function readArgvLog(path: string): string[][] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map(readNulList);
}

/** `env -0` output as a map. */
export function readEnvDump(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readNulList(text)) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}
