// Child process for the crash tests: writes through the real store until it is killed.
//   loop <db>          worker-exit transactions in a loop; each one writes run history, agent_totals,
//                      session metadata and a retry row in lockstep (all carry the same counter n),
//                      and n is printed (synchronously) only after its commit.
//   active <db> <n>    records n active runs, prints "ready" and waits to be killed.
import { writeSync } from "node:fs";
import { openStore } from "../../../src/persistence/index.ts";

const [mode, path, countArg] = process.argv.slice(2);
if (!path) throw new Error("usage: crash-writer.ts loop|active <db> [count]");

const store = await openStore(path);

if (mode === "active") {
  const count = Number(countArg ?? "1");
  for (let i = 1; i <= count; i++) {
    await store.insertActiveRun({
      issueId: `issue-${i}`,
      identifier: `PROJ-${i}`,
      displayIdentifier: `#${i}`,
      attempt: i,
      sessionId: i % 2 === 0 ? null : `session-${i}`,
      agentAdapter: "claude-code",
      workspace: `/ws/PROJ-${i}`,
      workflowFile: "/cfg/WORKFLOW.md",
      pgid: 100000 + i,
      startedAt: new Date(Date.UTC(2026, 2, 29, 9, i)),
    });
  }
  writeSync(1, "ready\n");
  setInterval(() => undefined, 1 << 30);
} else {
  let n = (await store.loadAggregateMetrics("agent_totals"))?.inputTokens ?? 0;
  for (;;) {
    n += 1;
    // Row sizes vary so that transactions span one or several pages and the WAL wraps.
    const padding = "x".repeat((n * 7919) % 20_000);
    await store.insertActiveRun({
      issueId: "crash",
      identifier: "CRASH-1",
      displayIdentifier: null,
      attempt: n,
      sessionId: `s-${n}`,
      agentAdapter: "mock",
      workspace: "/ws",
      workflowFile: null,
      pgid: n,
      startedAt: new Date(),
    });
    await store.recordWorkerExit({
      run: {
        issueId: "crash",
        identifier: "CRASH-1",
        attempt: n,
        agentAdapter: "mock",
        workspace: "/ws",
        startedAt: new Date(),
        completedAt: new Date(),
        status: "failed",
        error: `failure ${n}`,
        reviewMetadata: JSON.stringify({ n, padding }),
        inputTokens: n,
      },
      totals: {
        inputTokens: n,
        outputTokens: 2 * n,
        totalTokens: 3 * n,
        cacheReadTokens: 0,
        secondsRunning: n / 2,
      },
      session: {
        issueId: "crash",
        sessionId: `s-${n}`,
        agentPid: String(n),
        inputTokens: n,
        outputTokens: 0,
        totalTokens: n,
        cacheReadTokens: 0,
        modelName: "mock",
        apiRequestCount: n,
      },
      retry: {
        kind: "save",
        entry: {
          issueId: "crash",
          identifier: "CRASH-1",
          attempt: n,
          dueAtMs: n,
          error: `failure ${n}`,
          sessionId: null,
        },
      },
    });
    writeSync(1, `${n}\n`);
  }
}
