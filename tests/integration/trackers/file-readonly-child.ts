// Child process of the read-only write-back test: runs inside a mount namespace where the issues
// file's directory is mounted read-only (or, without root, made unwritable), exercises the file
// tracker and prints what it observed as one JSON line.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTracker } from "../../../src/trackers/registry.ts";
import { fakeClock, recordingLogger } from "../../unit/trackers/support.ts";
import { fileTrackerConfig } from "./file-setup.ts";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: file-readonly-child.ts <dir>");
const path = join(dir, "issues.json");

// The scenario only means something if this process really cannot write there.
let probeWriteFailed = false;
try {
  await writeFile(join(dir, ".probe"), "x");
} catch {
  probeWriteFailed = true;
}

const logger = recordingLogger();
const tracker = createTracker(
  { ...fileTrackerConfig({ activeStates: ["To Do"] }), userAgent: "sortie/test", options: { path } },
  { fetch, logger, now: fakeClock("2026-03-05T08:30:15.000Z").now, cwd: dir },
);
const before = await readFile(path, "utf8");

await tracker.transitionIssue("10001", "Human Review");
await tracker.commentIssue("10001", "first");
await tracker.transitionIssue("10002", "To Do");
await tracker.commentIssue("10003", "second");

console.log(
  JSON.stringify({
    probeWriteFailed,
    fileUnchanged: (await readFile(path, "utf8")) === before,
    statesById: Object.fromEntries(await tracker.fetchIssueStatesByIds(["10001", "10002", "10003"])),
    statesByIdentifier: Object.fromEntries(await tracker.fetchIssueStatesByIdentifiers(["PROJ-1", "PROJ-2"])),
    candidates: (await tracker.fetchCandidateIssues()).map((issue) => issue.identifier),
    byStates: (await tracker.fetchIssuesByStates(["human review"])).map((issue) => issue.identifier),
    comments10001: await tracker.fetchIssueComments("10001"),
    comments10003: (await tracker.fetchIssueById("10003")).comments,
    warnings: logger.records.filter((record) => record.level === "warn"),
  }),
);
