// `.sortie/scm.json`: what the agent (or a hook) pushed — branch, commit, pull request — read at a
// normal exit to start CI and review reactions. Untrusted input: capped, schema-checked, never throws.
import { getLogger, type Logger } from "@logtape/logtape";
import * as v from "valibot";
import { parseJsonObject, readSortieFile } from "./sortie-dir.ts";

const SCM_MAX_BYTES = 4096;

export interface ScmMetadata {
  branch: string;
  sha: string;
  pushedAt: string;
  /** 0 when absent. */
  prNumber: number;
  owner: string;
  repo: string;
}

const optionalString = v.nullish(v.string());
// v.object drops keys it does not name, so newer writers can add fields freely.
const ScmSchema = v.object({
  branch: optionalString,
  sha: optionalString,
  pushed_at: optionalString,
  pr_number: v.nullish(v.pipe(v.number(), v.integer())),
  owner: optionalString,
  repo: optionalString,
});

/** The parsed file, or null when it is absent, unsafe, oversized, malformed or has no branch. */
export async function readScmJson(workspace: string, logger?: Logger): Promise<ScmMetadata | null> {
  const log = logger ?? getLogger(["sortie", "workspace"]);
  const read = await readSortieFile(workspace, "scm.json", SCM_MAX_BYTES);
  if (read.kind === "absent") return null;
  if (read.kind === "refused") {
    log.warn("rejecting .sortie/scm.json", { workspace, reason: read.reason });
    return null;
  }
  if (read.kind === "oversized") {
    log.warn("oversized .sortie/scm.json", { workspace, reason: "oversized" });
    return null;
  }
  const json = parseJsonObject(read.bytes);
  if (!json.ok) {
    log.warn("malformed .sortie/scm.json", { workspace, error: json.error });
    return null;
  }
  const parsed = v.safeParse(ScmSchema, json.value);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join(".") ?? "";
    log.warn("malformed .sortie/scm.json", {
      workspace,
      error: where ? `${where}: ${issue.message}` : issue.message,
    });
    return null;
  }
  const out = parsed.output;
  const branch = out.branch ?? "";
  if (branch === "") return null;
  return {
    branch,
    sha: out.sha ?? "",
    pushedAt: out.pushed_at ?? "",
    prNumber: out.pr_number ?? 0,
    owner: out.owner ?? "",
    repo: out.repo ?? "",
  };
}
