// Finds live processes through /proc. Zombies are ignored: on machines whose init does not reap
// orphans, a killed grandchild stays a zombie, which is dead for every purpose that matters here.
import { readdirSync, readFileSync } from "node:fs";

interface ProcInfo {
  pid: number;
  state: string;
  pgid: number;
  cmdline: string;
}

function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the parenthesised command name: state ppid pgrp …
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      out.push({ pid: Number(entry), state: rest[0] ?? "", pgid: Number(rest[2]), cmdline });
    } catch {
      // The process exited while we looked.
    }
  }
  return out;
}

/** Pids of non-zombie processes in the process group. */
export function livingGroupMembers(pgid: number): number[] {
  return processes()
    .filter((p) => p.pgid === pgid && p.state !== "Z")
    .map((p) => p.pid);
}

/** Pids of non-zombie processes whose command line contains `needle`. */
export function livingProcessesMatching(needle: string): number[] {
  return processes()
    .filter((p) => p.state !== "Z" && p.cmdline.includes(needle))
    .map((p) => p.pid);
}

export function isLiving(pid: number): boolean {
  return processes().some((p) => p.pid === pid && p.state !== "Z");
}
