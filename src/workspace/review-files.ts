// Self-review files: the agent's verdict (`.sortie/review_verdict.json`, untrusted input) and the
// worker's summary (`.sortie/review_summary.md`, handed to after_run hooks).

import { lstat } from "node:fs/promises";
import { getLogger, type Logger } from "@logtape/logtape";
import * as v from "valibot";
import {
  parseJsonObject,
  readSortieFile,
  removeSortieFile,
  sortieDirState,
  sortieFilePath,
  writeSortieFile,
} from "./sortie-dir.ts";

const VERDICT_MAX_BYTES = 65536;

export interface ReviewIssue {
  file: string;
  line: number;
  endLine: number;
  severity: string;
  message: string;
}

export interface ReviewVerdict {
  verdict: "pass" | "iterate";
  summary: string;
  issues: ReviewIssue[];
}

const str = v.nullish(v.string(), "");
const int = v.nullish(v.pipe(v.number(), v.integer()), 0);
const VerdictSchema = v.object({
  verdict: str,
  summary: str,
  issues: v.nullish(
    v.array(v.object({ file: str, line: int, end_line: int, severity: str, message: str })),
    [],
  ),
});

/** Reads the verdict; failures come back as a reason the fix prompt can quote. Never throws. */
export async function readReviewVerdict(
  workspace: string,
): Promise<{ ok: true; verdict: ReviewVerdict } | { ok: false; error: string }> {
  const read = await readSortieFile(workspace, "review_verdict.json", VERDICT_MAX_BYTES);
  if (read.kind === "absent") return { ok: false, error: "review verdict file not found" };
  if (read.kind === "oversized") return { ok: false, error: "review verdict file exceeds 65536 bytes" };
  if (read.kind === "refused") return { ok: false, error: `review verdict rejected: ${read.reason}` };
  const json = parseJsonObject(read.bytes);
  if (!json.ok) return { ok: false, error: `review verdict is not valid JSON: ${json.error}` };
  const parsed = v.safeParse(VerdictSchema, json.value);
  if (!parsed.success) return { ok: false, error: `review verdict malformed: ${parsed.issues[0].message}` };
  const verdict = parsed.output.verdict.trim().toLowerCase();
  if (verdict !== "pass" && verdict !== "iterate") {
    return { ok: false, error: `review verdict must be "pass" or "iterate", got ${JSON.stringify(verdict)}` };
  }
  return {
    ok: true,
    verdict: {
      verdict,
      summary: parsed.output.summary,
      issues: parsed.output.issues.map((i) => ({
        file: i.file,
        line: i.line,
        endLine: i.end_line,
        severity: i.severity,
        message: i.message,
      })),
    },
  };
}

/** Removes the previous verdict before a review turn (only inside a real `.sortie`); never throws. */
export async function deleteReviewVerdict(workspace: string, logger?: Logger): Promise<void> {
  const outcome = await removeSortieFile(workspace, "review_verdict.json");
  if (outcome.kind === "refused" || outcome.kind === "failed") {
    (logger ?? getLogger(["sortie", "workspace"])).warn("review verdict cleanup failed", {
      workspace,
      reason: outcome.reason,
    });
  }
}

/**
 * Writes the summary atomically; returns its path, or null when `.sortie` is missing or not a
 * real directory (nothing is created for it). Write errors throw.
 */
export async function writeReviewSummary(workspace: string, markdown: string): Promise<string | null> {
  if ((await sortieDirState(workspace)) !== "directory") return null;
  return writeSortieFile(workspace, "review_summary.md", markdown);
}

/** The summary's path when it is a regular, non-symlink file in a real `.sortie`; else null. */
export async function findReviewSummary(workspace: string): Promise<string | null> {
  try {
    if ((await sortieDirState(workspace)) !== "directory") return null;
    const path = sortieFilePath(workspace, "review_summary.md");
    const info = await lstat(path);
    return info.isFile() ? path : null;
  } catch {
    return null;
  }
}
