// Number, duration and money formats of the dashboard; byte-compatible with the original's page.

/** Thousands separated by commas: -1234567 → "-1,234,567". Fractions are dropped. */
export function formatInteger(value: number): string {
  const n = Math.trunc(value);
  const digits = String(Math.abs(n));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 ? `-${grouped}` : grouped;
}

/** Whole seconds as `Xd Xh Xm`, `Xh Xm Xs`, `Xm Xs` or `Xs`; zero and negative → `0s`. */
export function formatDuration(seconds: number): string {
  const total = Math.floor(seconds);
  if (!(total > 0)) return "0s";
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m ${secs}s`;
  if (minutes > 0) return `${minutes}m ${secs}s`;
  return `${secs}s`;
}

/** When a retry fires, relative to the snapshot time. */
export function formatRelativeDue(dueAt: Date, generatedAt: Date): string {
  const diff = dueAt.getTime() - generatedAt.getTime();
  if (diff > 0) return `in ${formatDuration(diff / 1000)}`;
  if (diff > -1000) return "now";
  return "overdue";
}

/** Share of elapsed time with one decimal, or `N/A` unless both are positive. */
export function formatPercent(ms: number, elapsedMs: number): string {
  if (!(elapsedMs > 0) || !(ms > 0)) return "N/A";
  return `${((ms / elapsedMs) * 100).toFixed(1)}%`;
}

/** USD rounded to cents first: 999.999 → "$1,000.00", 0.004 → "$0.00". */
export function formatCost(usd: number): string {
  const cents = Math.round(Math.abs(usd) * 100);
  const sign = usd < 0 && cents > 0 ? "-" : "";
  const dollars = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, "0");
  return `${sign}$${formatInteger(dollars)}.${rest}`;
}

/** HH:MM:SS of the instant in UTC. */
export function formatClock(date: Date): string {
  return date.toISOString().slice(11, 19);
}
