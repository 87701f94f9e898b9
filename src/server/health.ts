// Liveness and readiness. Liveness has no dependencies (a broken database must not get the pod
// killed); readiness combines the orchestrator's in-memory flags with one bounded database ping.
import type { HealthFlags } from "../orchestrator/snapshot.ts";

export type CheckStatus = "pass" | "fail";

/** A trivial read on the open database handle; false or a throw means the check fails. */
export type DbPing = () => boolean | Promise<boolean>;

export interface ReadinessChecks {
  database: CheckStatus;
  preflight: CheckStatus;
  workflow: CheckStatus;
  /** Present (as "fail") only while start-up is still running. */
  startup?: CheckStatus;
}

export interface Readiness {
  status: CheckStatus;
  checks: ReadinessChecks;
}

/** Probes time out after one second; the ping must leave room for the rest of the answer. */
export const DB_PING_BUDGET_MS = 250;

const pass = (ok: boolean): CheckStatus => (ok ? "pass" : "fail");

/** Runs the ping with a deadline; a late, false or throwing ping is a failure. */
export async function pingWithBudget(ping: DbPing, budgetMs: number = DB_PING_BUDGET_MS): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), budgetMs);
  });
  try {
    const attempt = (async () => (await ping()) === true)();
    return await Promise.race([attempt.catch(() => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness(
  flags: HealthFlags,
  ping: DbPing,
  budgetMs: number = DB_PING_BUDGET_MS,
): Promise<Readiness> {
  if (flags.draining) {
    return { status: "fail", checks: { database: "fail", preflight: "fail", workflow: "fail" } };
  }
  const database = pass(await pingWithBudget(ping, budgetMs));
  // Until start-up finishes no dispatch preflight has run against the live loop.
  const checks: ReadinessChecks = {
    database,
    preflight: pass(flags.started && flags.preflightOk),
    workflow: pass(flags.workflowLoaded),
  };
  if (!flags.started) checks.startup = "fail";
  const ok = checks.database === "pass" && checks.preflight === "pass" && checks.workflow === "pass";
  return { status: pass(ok && flags.started), checks };
}

export function liveness(flags: HealthFlags): { status: CheckStatus } {
  return { status: pass(!flags.draining) };
}
