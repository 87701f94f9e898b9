// Every timestamp the store writes is RFC 3339 UTC at second precision (`2026-03-29T10:00:01Z`),
// the format the Go original writes, so both binaries read each other's rows.

export function formatTimestamp(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError("cannot store an invalid date");
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
