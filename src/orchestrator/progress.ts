// Facts a worker reports mid-run: recorded on its running entry, and the ones crash recovery
// needs (workspace, session id, agent process group) also in its active-run row.
import type { Logger } from "@logtape/logtape";
import { errorMessage } from "../domain/errors.ts";
import type { ActiveRunPatch } from "../persistence/rows.ts";
import type { Store } from "../persistence/store.ts";
import type { WorkerProgress } from "./mailbox.ts";
import type { RunningEntry } from "./state.ts";

export async function applyWorkerProgress(
  entry: RunningEntry,
  progress: WorkerProgress,
  store: Store,
  log: Logger,
): Promise<void> {
  let patch: ActiveRunPatch | null = null;
  switch (progress.kind) {
    case "workspace":
      entry.workspacePath = progress.path;
      patch = { workspace: progress.path };
      break;
    case "session":
      entry.sessionId = progress.sessionId;
      patch = { sessionId: progress.sessionId };
      break;
    case "process_group":
      entry.processGroups.add(progress.pgid);
      patch = { pgid: progress.pgid };
      break;
    case "turns_completed":
      entry.turnCount = progress.count;
      break;
    case "issue_state":
      entry.issue.state = progress.state;
      break;
    case "self_review":
      entry.selfReviewActive = progress.active;
      entry.selfReviewIteration = progress.iteration;
      break;
  }
  if (patch === null) return;
  await store
    .updateActiveRun(entry.issueId, patch)
    .catch((err) =>
      log.error("failed to update active run", { issue_id: entry.issueId, error: errorMessage(err) }),
    );
}
