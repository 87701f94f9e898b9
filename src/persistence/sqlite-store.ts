// The SQLite implementation of Store: one connection, migrated on open, all writes of a worker
// exit or of one interrupted-run recovery committed together.
import { getLogger } from "@logtape/logtape";
import { sql } from "kysely";
import { rfc3339Seconds } from "../domain/time.ts";
import { closeConnection, openConnection, openError, type SqliteConnection } from "./db.ts";
import { migrate } from "./migrate.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from "./migrations.ts";
import { PersistenceError } from "./open-errors.ts";
import * as activeRuns from "./queries/active-runs.ts";
import * as aggregates from "./queries/aggregate-metrics.ts";
import * as interrupted from "./queries/interrupted-runs.ts";
import * as fingerprints from "./queries/reaction-fingerprints.ts";
import * as retries from "./queries/retry-entries.ts";
import * as history from "./queries/run-history.ts";
import * as sessions from "./queries/session-metadata.ts";
import * as warmStart from "./queries/warm-start.ts";
import {
  type ActiveRunInput,
  type ActiveRunPatch,
  type ActiveRunRow,
  AGENT_TOTALS_KEY,
  type AggregateMetricsRow,
  type AggregateTotals,
  type CheckpointResult,
  type PendingRetryRow,
  type ReactionFingerprint,
  type RecoveredRun,
  type RetryEntryRow,
  type RunHistoryInput,
  type RunHistoryRow,
  type SessionMetadataInput,
  type SessionMetadataRow,
  type TokenUsageBucket,
  type WarmStartStats,
  type WorkerExitRecord,
} from "./rows.ts";
import type { Store } from "./store.ts";
import { inTransaction } from "./transaction.ts";

const log = getLogger(["sortie", "persistence"]);

export interface OpenStoreOptions {
  /** Open without pragmas or migrations, for readers beside a running orchestrator. */
  readonly?: boolean;
  /** Clock for the timestamps the store stamps itself (`updated_at`, `applied_at`). */
  now?: () => Date;
}

/**
 * Opens (creating it if needed) and migrates the database at `path`, or opens it read-only.
 * Failures reject with a PersistenceError that names the path and carries a hint; an existing
 * file is never deleted, renamed or re-created.
 */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<SqliteStore> {
  const now = options.now ?? (() => new Date());
  const readonly = options.readonly === true;
  const conn = openConnection(path, { readonly });
  try {
    let version: number;
    if (readonly) {
      version = await readSchemaVersion(conn);
    } else {
      const applied = await migrate(conn.db, MIGRATIONS, { path, now });
      if (applied.length > 0) log.debug("database migrated", { db_path: path, versions: applied });
      version = LATEST_SCHEMA_VERSION;
    }
    return new SqliteStore(conn, now, version);
  } catch (err) {
    await closeConnection(conn).catch(() => undefined);
    throw err;
  }
}

async function readSchemaVersion(conn: SqliteConnection): Promise<number> {
  try {
    const row = await conn.db
      .selectFrom("schema_migrations")
      .select((eb) => eb.fn.max("version").as("v"))
      .executeTakeFirst();
    return Number(row?.v ?? 0);
  } catch (err) {
    if (err instanceof Error && /no such table/i.test(err.message)) {
      throw new PersistenceError(
        "database_open_error",
        `open database ${conn.path}: not a sortie database (no schema_migrations table)`,
        {
          dbPath: conn.path,
          hint: "point SORTIE_DB_PATH or db_path at the database a sortie instance created",
        },
      );
    }
    throw openError(conn.path, err, true);
  }
}

export class SqliteStore implements Store {
  readonly path: string;
  readonly readonly: boolean;
  /** Schema version the connection sees; below 10 only in read-only mode on an older database. */
  readonly schemaVersion: number;
  readonly #conn: SqliteConnection;
  readonly #now: () => Date;
  #closed = false;

  constructor(conn: SqliteConnection, now: () => Date, schemaVersion: number) {
    this.#conn = conn;
    this.#now = now;
    this.path = conn.path;
    this.readonly = conn.readonly;
    this.schemaVersion = schemaVersion;
  }

  get #db() {
    return this.#conn.db;
  }

  get #hasRunTokens(): boolean {
    return this.schemaVersion >= 10;
  }

  #stamp(): string {
    return rfc3339Seconds(this.#now());
  }

  // Retry entries

  saveRetryEntry(entry: RetryEntryRow): Promise<void> {
    return retries.saveRetryEntry(this.#db, entry);
  }

  deleteRetryEntry(issueId: string): Promise<void> {
    return retries.deleteRetryEntry(this.#db, issueId);
  }

  loadRetryEntries(): Promise<RetryEntryRow[]> {
    return retries.loadRetryEntries(this.#db);
  }

  async loadRetryEntriesForRecovery(nowMs: number): Promise<PendingRetryRow[]> {
    const rows = await retries.loadRetryEntries(this.#db);
    return rows.map((r) => ({ ...r, remainingMs: Math.max(r.dueAtMs - nowMs, 0) }));
  }

  // Run history

  appendRunHistory(run: RunHistoryInput): Promise<number> {
    return history.insertRunHistory(this.#db, runValues(run));
  }

  countRunHistoryByIssue(issueId: string): Promise<number> {
    return history.countRunHistoryByIssue(this.#db, issueId);
  }

  queryBudgetExhaustedIssues(issueIds: readonly string[], maxSessions: number): Promise<Set<string>> {
    return history.budgetExhaustedIssues(this.#db, issueIds, maxSessions);
  }

  async queryRunHistoryByIssue(issueId: string): Promise<RunHistoryRow[]> {
    const rows = await history
      .selectRunHistory(this.#db, this.#hasRunTokens)
      .where("issue_id", "=", issueId)
      .orderBy("id", "desc")
      .execute();
    return rows.map(history.toRunHistoryRow);
  }

  async queryRecentRunHistory(limit: number, afterId = 0): Promise<RunHistoryRow[]> {
    let query = history.selectRunHistory(this.#db, this.#hasRunTokens);
    if (afterId > 0) query = query.where("id", "<", afterId);
    const rows = await query
      .orderBy("id", "desc")
      .limit(Math.max(1, Math.floor(limit) || 1))
      .execute();
    return rows.map(history.toRunHistoryRow);
  }

  tokenUsageSeries(since: Date, bucketMs: number, until?: Date): Promise<TokenUsageBucket[]> {
    return history.tokenUsageSeries(this.#db, this.#hasRunTokens, since, until ?? this.#now(), bucketMs);
  }

  // Session metadata

  upsertSessionMetadata(meta: SessionMetadataInput): Promise<void> {
    return sessions.upsertSessionMetadata(this.#db, meta, this.#stamp());
  }

  loadSessionMetadata(issueId: string): Promise<SessionMetadataRow | undefined> {
    return sessions.loadSessionMetadata(this.#db, issueId);
  }

  loadAllSessionMetadata(): Promise<SessionMetadataRow[]> {
    return sessions.loadAllSessionMetadata(this.#db);
  }

  deleteSessionMetadata(issueId: string): Promise<void> {
    return sessions.deleteSessionMetadata(this.#db, issueId);
  }

  // Aggregate metrics

  upsertAggregateMetrics(key: string, totals: AggregateTotals): Promise<void> {
    return aggregates.upsertAggregateMetrics(this.#db, key, totals, this.#stamp());
  }

  loadAggregateMetrics(key: string): Promise<AggregateMetricsRow | undefined> {
    return aggregates.loadAggregateMetrics(this.#db, key);
  }

  // Active runs

  insertActiveRun(run: ActiveRunInput): Promise<void> {
    return activeRuns.upsertActiveRun(this.#db, { ...run, startedAt: rfc3339Seconds(run.startedAt) });
  }

  updateActiveRun(issueId: string, patch: ActiveRunPatch): Promise<void> {
    return activeRuns.updateActiveRun(this.#db, issueId, patch);
  }

  deleteActiveRun(issueId: string): Promise<void> {
    return activeRuns.deleteActiveRun(this.#db, issueId);
  }

  loadActiveRuns(): Promise<ActiveRunRow[]> {
    return activeRuns.loadActiveRuns(this.#db);
  }

  // Reaction fingerprints

  upsertReactionFingerprint(issueId: string, kind: string, fingerprint: string): Promise<void> {
    return fingerprints.upsertReactionFingerprint(this.#db, issueId, kind, fingerprint, this.#stamp());
  }

  getReactionFingerprint(issueId: string, kind: string): Promise<ReactionFingerprint> {
    return fingerprints.getReactionFingerprint(this.#db, issueId, kind);
  }

  markReactionDispatched(issueId: string, kind: string): Promise<void> {
    return fingerprints.markReactionDispatched(this.#db, issueId, kind, this.#stamp());
  }

  deleteReactionFingerprint(issueId: string, kind: string): Promise<void> {
    return fingerprints.deleteReactionFingerprint(this.#db, issueId, kind);
  }

  deleteReactionFingerprintsByIssue(issueId: string): Promise<void> {
    return fingerprints.deleteReactionFingerprintsByIssue(this.#db, issueId);
  }

  // Composite operations

  recordWorkerExit(exit: WorkerExitRecord): Promise<number> {
    // Everything is computed before the transaction starts; inside it only store queries run.
    const values = runValues(exit.run);
    const stamp = this.#stamp();
    const issueId = exit.run.issueId;
    return inTransaction(this.#db, async (trx) => {
      const id = await history.insertRunHistory(trx, values);
      await aggregates.upsertAggregateMetrics(trx, AGENT_TOTALS_KEY, exit.totals, stamp);
      if (exit.session) await sessions.upsertSessionMetadata(trx, exit.session, stamp);
      if (exit.retry?.kind === "save") await retries.saveRetryEntry(trx, exit.retry.entry);
      else if (exit.retry?.kind === "delete") await retries.deleteRetryEntry(trx, issueId);
      await activeRuns.deleteActiveRun(trx, issueId);
      return id;
    });
  }

  recoverInterruptedRuns(now: Date): Promise<RecoveredRun[]> {
    return interrupted.recoverInterruptedRuns(this.#db, now, rfc3339Seconds(now));
  }

  warmStartStats(now?: Date): Promise<WarmStartStats> {
    return warmStart.warmStartStats(this.#db, (now ?? this.#now()).getTime(), this.#hasRunTokens);
  }

  // Lifecycle

  async ping(): Promise<void> {
    if (this.#closed) throw new Error("database is closed");
    await this.#db.selectFrom("schema_migrations").select(sql<number>`1`.as("one")).limit(1).execute();
  }

  async checkpoint(): Promise<CheckpointResult> {
    if (this.readonly) return { busy: false, logFrames: 0, checkpointedFrames: 0 };
    const result = await sql<{
      busy: number;
      log: number;
      checkpointed: number;
    }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(this.#db);
    const row = result.rows[0];
    return {
      busy: (row?.busy ?? 0) !== 0,
      logFrames: row?.log ?? 0,
      checkpointedFrames: row?.checkpointed ?? 0,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await closeConnection(this.#conn);
  }
}

function runValues(run: RunHistoryInput): history.RunHistoryValues {
  return {
    issueId: run.issueId,
    identifier: run.identifier,
    displayIdentifier: run.displayIdentifier ?? null,
    attempt: run.attempt,
    agentAdapter: run.agentAdapter,
    workspace: run.workspace,
    startedAt: rfc3339Seconds(run.startedAt),
    completedAt: rfc3339Seconds(run.completedAt),
    status: run.status,
    error: run.error || null,
    workflowFile: run.workflowFile ?? null,
    turnsCompleted: run.turnsCompleted ?? 0,
    reviewMetadata: run.reviewMetadata ?? null,
    inputTokens: run.inputTokens ?? null,
    outputTokens: run.outputTokens ?? null,
    cacheReadTokens: run.cacheReadTokens ?? null,
    cacheWriteTokens: run.cacheWriteTokens ?? null,
  };
}
