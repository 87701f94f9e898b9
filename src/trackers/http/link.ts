// RFC 8288 `Link` header parsing, as far as pagination needs it.

/**
 * The URL of the entry whose parameters include `rel="next"` (quoted, case-insensitive), or
 * null when there is none. Entries are split on commas, which GitHub-style link URLs never
 * contain unescaped.
 */
export function parseLinkNext(header: string | null): string | null {
  if (header === null || header === "") return null;
  for (const entry of header.split(",")) {
    const [target, ...params] = entry.split(";");
    if (target === undefined || params.length === 0) continue;
    const isNext = params.some((param) => param.trim().toLowerCase() === 'rel="next"');
    if (!isNext) continue;
    const start = target.indexOf("<");
    const end = target.indexOf(">", start + 1);
    if (start !== -1 && end !== -1) return target.slice(start + 1, end);
  }
  return null;
}
