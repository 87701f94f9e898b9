// `.sortie/status`: the agent's (or a before_run hook's) way to stop further turns. Only two exact
// tokens count; anything unreadable or unknown is treated as no signal.
import { getLogger, type Logger } from "@logtape/logtape";
import { readSortieFile, removeSortieFile } from "./sortie-dir.ts";

export type StatusSignal = "blocked" | "needs-human-review";

const STATUS_MAX_BYTES = 1024;

function trimAscii(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
}

/** Reads the first line of `.sortie/status` (first 1 KiB); never throws. */
export async function readStatusSignal(workspace: string, logger?: Logger): Promise<StatusSignal | null> {
  const log = logger ?? getLogger(["sortie", "workspace"]);
  const read = await readSortieFile(workspace, "status", STATUS_MAX_BYTES, true);
  if (read.kind === "absent" || read.kind === "oversized") return null;
  if (read.kind === "refused") {
    log.warn("rejecting .sortie/status", { workspace, reason: read.reason });
    return null;
  }
  const text = new TextDecoder().decode(read.bytes);
  const newline = text.indexOf("\n");
  const token = trimAscii(newline === -1 ? text : text.slice(0, newline));
  if (token === "") return null;
  if (token === "blocked" || token === "needs-human-review") return token;
  log.warn("unrecognized .sortie/status value", { workspace, value: token });
  return null;
}

/** Removes a stale status before an attempt so only this attempt's signal counts; never throws. */
export async function deleteStatusFile(workspace: string, logger?: Logger): Promise<void> {
  const log = logger ?? getLogger(["sortie", "workspace"]);
  const outcome = await removeSortieFile(workspace, "status");
  if (outcome.kind === "refused" || outcome.kind === "failed") {
    log.warn("status file cleanup failed", { workspace, reason: outcome.reason });
  }
}
