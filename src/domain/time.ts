// The one timestamp text the store, the trackers' messages and the Go original share: RFC 3339
// in UTC at whole seconds (`2026-03-29T10:00:01Z`), so both binaries read each other's rows.

/** RFC 3339 UTC with the fraction of a second truncated; throws RangeError for an invalid date. */
export function rfc3339Seconds(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("cannot format an invalid date");
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
