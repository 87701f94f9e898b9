// Text shortening used for event messages.

/** Keeps the first `max` code points, appending `…` only when something was cut. */
export function truncateRunes(text: string, max: number): string {
  let count = 0;
  let end = 0;
  for (const ch of text) {
    if (count === max) return `${text.slice(0, end)}…`;
    count++;
    end += ch.length;
  }
  return text;
}
