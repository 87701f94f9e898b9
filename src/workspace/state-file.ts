// `.sortie/state.json`: the session's progress (turn, tokens), written by the worker for the agent's
// MCP `sortie_status` tool to read back.
import * as v from "valibot";
import { parseJsonObject, readSortieFile, writeSortieFile } from "./sortie-dir.ts";

const STATE_MAX_BYTES = 4096;

export interface SessionState {
  turnNumber: number;
  maxTurns: number;
  attempt: number | null;
  /** A Date is written as RFC 3339 UTC with fractional seconds (trailing zeros trimmed). */
  startedAt: Date | string;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
}

/** RFC 3339 with a fraction of up to nine digits and no trailing zeros, like Go's RFC3339Nano. */
export function formatRfc3339Nano(date: Date): string {
  const iso = date.toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const trimmed = frac.replace(/0+$/, "");
    return trimmed === "" ? "Z" : `.${trimmed}Z`;
  });
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch (sub-millisecond digits kept as a fraction), or null when invalid. */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, day = "", time = "", frac = "", zone = "Z"] = m;
  const zoneText = zone === "z" ? "Z" : zone;
  const [hh, mm, ss] = time.split(":").map(Number) as [number, number, number];
  if (hh > 23 || mm > 59 || ss > 60) return null;
  // Some engines roll an invalid day (Feb 30) over instead of rejecting it; re-check the calendar.
  const dayMs = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(dayMs) || new Date(dayMs).toISOString().slice(0, 10) !== day) return null;
  const whole = Date.parse(`${day}T${time}${zoneText}`);
  if (Number.isNaN(whole)) return null;
  return whole + (frac === "" ? 0 : Number(`0.${frac}`) * 1000);
}

export async function writeStateJson(workspace: string, state: SessionState): Promise<string> {
  const startedAt = state.startedAt instanceof Date ? formatRfc3339Nano(state.startedAt) : state.startedAt;
  const body = {
    turn_number: state.turnNumber,
    max_turns: state.maxTurns,
    attempt: state.attempt,
    started_at: startedAt,
    input_tokens: state.inputTokens,
    output_tokens: state.outputTokens,
    total_tokens: state.totalTokens,
    cache_read_tokens: state.cacheReadTokens,
  };
  return writeSortieFile(workspace, "state.json", `${JSON.stringify(body, null, 2)}\n`);
}

const count = v.optional(v.pipe(v.number(), v.integer()), 0);
const StateSchema = v.object({
  turn_number: count,
  max_turns: count,
  attempt: v.nullish(v.pipe(v.number(), v.integer()), null),
  started_at: v.optional(v.string(), ""),
  input_tokens: count,
  output_tokens: count,
  total_tokens: count,
  cache_read_tokens: count,
});

export interface SessionStateRead {
  turnNumber: number;
  maxTurns: number;
  attempt: number | null;
  startedAt: string;
  startedAtMs: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
}

/** Reads the state back for the status tool; failures are described, never thrown. */
export async function readStateJson(
  workspace: string,
): Promise<{ ok: true; state: SessionStateRead } | { ok: false; error: string }> {
  const read = await readSortieFile(workspace, "state.json", STATE_MAX_BYTES);
  if (read.kind === "absent") return { ok: false, error: "state file unavailable: no such file" };
  if (read.kind === "oversized") return { ok: false, error: "state file exceeds size limit" };
  if (read.kind === "refused") {
    return {
      ok: false,
      error: read.symlink ? "state file is a symlink" : `state file unavailable: ${read.reason}`,
    };
  }
  const json = parseJsonObject(read.bytes);
  if (!json.ok) return { ok: false, error: `state file malformed: ${json.error}` };
  const parsed = v.safeParse(StateSchema, json.value);
  if (!parsed.success) return { ok: false, error: `state file malformed: ${parsed.issues[0].message}` };
  const s = parsed.output;
  const startedAtMs = parseRfc3339(s.started_at);
  if (startedAtMs === null) {
    return { ok: false, error: `state file has invalid started_at: ${JSON.stringify(s.started_at)}` };
  }
  return {
    ok: true,
    state: {
      turnNumber: s.turn_number,
      maxTurns: s.max_turns,
      attempt: s.attempt,
      startedAt: s.started_at,
      startedAtMs,
      inputTokens: s.input_tokens,
      outputTokens: s.output_tokens,
      totalTokens: s.total_tokens,
      cacheReadTokens: s.cache_read_tokens,
    },
  };
}
