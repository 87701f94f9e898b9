// Geometry of the dashboard's activity chart: finished sessions per bucket as stacked bars and
// tokens per bucket as a line, over a fixed window. Only numbers and fixed class names come out of
// here; the template escapes the rest.
import type { RunningSnapshot } from "../../orchestrator/snapshot.ts";
import { bucketStart, type UsageBucket } from "../history.ts";
import { formatClock, formatInteger } from "./format.ts";

export const CHART_WINDOW_MS = 6 * 3600_000;
export const CHART_BUCKET_MS = 10 * 60_000;

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 40;
const RIGHT = 56;
const TOP = 12;
const BOTTOM = 24;

/** Known statuses get their own colour, in this stacking order; anything else is "other". */
const STATUS_ORDER = [
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "ci_failed",
  "other",
  "running",
] as const;
type StatusClass = (typeof STATUS_ORDER)[number];

export interface ChartRect {
  x: number;
  y: number;
  width: number;
  height: number;
  status: StatusClass;
}

export interface ChartBucket {
  /** Hover text. */
  title: string;
  /** Invisible full-height hit area so the title shows anywhere in the column. */
  hitX: number;
  hitWidth: number;
  rects: ChartRect[];
}

export interface ChartTick {
  pos: number;
  label: string;
}

export interface ChartModel {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  buckets: ChartBucket[];
  /** SVG path data of the token line; "" when no bucket has tokens. */
  tokenPath: string;
  tokenPoints: Array<{ x: number; y: number }>;
  xTicks: ChartTick[];
  sessionTicks: ChartTick[];
  tokenTicks: ChartTick[];
  legend: Array<{ status: StatusClass; label: string }>;
  /** `<n> sessions, <m> tokens in the last 6 h`. */
  summary: string;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

function statusClass(status: string): StatusClass {
  return (STATUS_ORDER as readonly string[]).includes(status) && status !== "other"
    ? (status as StatusClass)
    : "other";
}

/** The smallest step × 10^k at or above n (at least 1). */
function niceCeil(n: number, steps: readonly number[] = [1, 2, 5, 10]): number {
  if (!(n > 1)) return 1;
  const exp = 10 ** Math.floor(Math.log10(n));
  for (const step of steps) {
    if (step * exp >= n) return step * exp;
  }
  return 10 * exp;
}

// Even maxima keep the middle session tick a whole number.
const SESSION_STEPS = [1, 2, 4, 6, 8, 10];

export function formatCompact(n: number): string {
  if (n >= 1_000_000) return `${round1(n / 1_000_000)}M`;
  if (n >= 1_000) return `${round1(n / 1_000)}k`;
  return String(Math.round(n));
}

/**
 * The chart for the window ending at `now`, or null when run history has no row in the window
 * (running sessions alone do not make a chart).
 */
export function buildActivityChart(
  usage: readonly UsageBucket[],
  running: readonly RunningSnapshot[],
  now: Date,
): ChartModel | null {
  const count = CHART_WINDOW_MS / CHART_BUCKET_MS;
  const last = bucketStart(now.getTime(), CHART_BUCKET_MS);
  const first = last - (count - 1) * CHART_BUCKET_MS;

  const sessions: Array<Map<StatusClass, number>> = Array.from({ length: count }, () => new Map());
  const tokens: number[] = new Array(count).fill(0);
  let historyRows = 0;
  for (const bucket of usage) {
    const index = Math.floor(
      (bucketStart(bucket.start.getTime(), CHART_BUCKET_MS) - first) / CHART_BUCKET_MS,
    );
    if (index < 0 || index >= count) continue;
    for (const [status, n] of Object.entries(bucket.sessionsByStatus)) {
      if (!(n > 0)) continue;
      const cls = statusClass(status);
      sessions[index]!.set(cls, (sessions[index]!.get(cls) ?? 0) + n);
      historyRows += n;
    }
    tokens[index]! += bucket.tokens;
  }
  if (historyRows === 0) return null;
  for (const entry of running) {
    const current = sessions[count - 1]!;
    current.set("running", (current.get("running") ?? 0) + 1);
    tokens[count - 1]! += (entry.inputTokens ?? 0) + (entry.outputTokens ?? 0);
  }

  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / count;
  const barWidth = slot * 0.72;
  const totals = sessions.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
  const maxSessions = niceCeil(Math.max(...totals), SESSION_STEPS);
  const maxTokens = niceCeil(Math.max(...tokens));
  const yOf = (value: number, max: number): number => round1(TOP + plotHeight - (value / max) * plotHeight);

  const buckets: ChartBucket[] = [];
  const line: Array<{ x: number; y: number; tokens: number }> = [];
  const present = new Set<StatusClass>();
  for (let i = 0; i < count; i++) {
    const start = new Date(first + i * CHART_BUCKET_MS);
    const end = new Date(start.getTime() + CHART_BUCKET_MS);
    const center = LEFT + slot * i + slot / 2;
    const map = sessions[i]!;
    line.push({ x: round1(center), y: yOf(tokens[i]!, maxTokens), tokens: tokens[i]! });
    if (totals[i] === 0 && tokens[i] === 0) continue;
    const rects: ChartRect[] = [];
    let base = 0;
    const parts: string[] = [];
    for (const status of STATUS_ORDER) {
      const n = map.get(status) ?? 0;
      if (n === 0) continue;
      present.add(status);
      const y0 = yOf(base, maxSessions);
      const y1 = yOf(base + n, maxSessions);
      rects.push({
        x: round1(center - barWidth / 2),
        y: y1,
        width: round1(barWidth),
        height: round1(y0 - y1),
        status,
      });
      parts.push(`${n} ${status.replace("_", " ")}`);
      base += n;
    }
    buckets.push({
      title: `${formatClock(start).slice(0, 5)}–${formatClock(end).slice(0, 5)} UTC: ${
        parts.length > 0 ? parts.join(", ") : "no sessions"
      }; ${formatInteger(tokens[i]!)} tokens`,
      hitX: round1(LEFT + slot * i),
      hitWidth: round1(slot),
      rects,
    });
  }

  const xTicks: ChartTick[] = [];
  for (let i = 0; i < count; i++) {
    const t = first + i * CHART_BUCKET_MS;
    if (t % 3600_000 === 0)
      xTicks.push({ pos: round1(LEFT + slot * i), label: formatClock(new Date(t)).slice(0, 5) });
  }
  const ticks = (max: number, fmt: (n: number) => string): ChartTick[] =>
    (max > 1 ? [0, max / 2, max] : [0, max]).map((v) => ({ pos: yOf(v, max), label: fmt(v) }));

  const tokenTotal = tokens.reduce((a, b) => a + b, 0);
  const sessionTotal = totals.reduce((a, b) => a + b, 0);
  return {
    width: WIDTH,
    height: HEIGHT,
    plot: { left: LEFT, right: WIDTH - RIGHT, top: TOP, bottom: TOP + plotHeight },
    buckets,
    tokenPath: tokenTotal > 0 ? line.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" ") : "",
    tokenPoints: line.filter((p) => p.tokens > 0).map(({ x, y }) => ({ x, y })),
    xTicks,
    sessionTicks: ticks(maxSessions, String),
    tokenTicks: ticks(maxTokens, formatCompact),
    legend: STATUS_ORDER.filter((s) => present.has(s)).map((status) => ({
      status,
      label: status.replace("_", " "),
    })),
    summary: `${formatInteger(sessionTotal)} sessions, ${formatInteger(tokenTotal)} tokens in the last 6 h`,
  };
}
