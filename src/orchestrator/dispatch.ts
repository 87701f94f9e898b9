// Starting a worker task: it runs un-awaited and always reports exactly one exit, even when it
// throws (the original's "worker panic").
import { errorMessage } from "../domain/errors.ts";
import { runWorkerAttempt, type WorkerDeps, type WorkerTask } from "./worker.ts";
import type { WorkerResult } from "./worker-result.ts";

export function panicResult(task: WorkerTask, agentKind: string, err: unknown): WorkerResult {
  return {
    issueId: task.issue.id,
    identifier: task.issue.identifier,
    exitKind: "error",
    error: new Error(`worker panic: ${errorMessage(err)}`),
    turnsCompleted: 0,
    sessionId: task.resumeSessionId,
    workspacePath: "",
    agentAdapter: agentKind,
    attempt: task.attempt,
    sshHost: task.sshHost,
    softStop: false,
    softStopReason: "",
    interruptedByShutdown: false,
    reviewMetadata: null,
  };
}

/**
 * Starts the worker and returns its task, or null when it could not even be started (the exit is
 * reported either way through `onExit`).
 */
export function launchWorker(
  task: WorkerTask,
  deps: WorkerDeps,
  onExit: (result: WorkerResult) => void,
): Promise<void> | null {
  try {
    return runWorkerAttempt(task, deps).then(onExit, (err) =>
      onExit(panicResult(task, deps.config.agent.kind, err)),
    );
  } catch (err) {
    onExit(panicResult(task, deps.config.agent.kind, err));
    return null;
  }
}
