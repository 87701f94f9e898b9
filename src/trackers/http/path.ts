// Request paths with user-supplied segments (issue ids, label names, refs) percent-encoded, so a
// label like `needs review/ui` stays one segment.

/** Percent-encodes one path segment (`/` → `%2F`, space → `%20`). */
export function encodeSegment(segment: string | number): string {
  return encodeURIComponent(String(segment));
}

/**
 * Tagged template for API paths: every interpolated value is one encoded segment, the literal
 * parts are kept verbatim. `apiPath\`/repos/${owner}/${repo}/labels/${label}\``.
 */
export function apiPath(literals: TemplateStringsArray, ...segments: (string | number)[]): string {
  let path = literals[0] ?? "";
  segments.forEach((segment, index) => {
    path += encodeSegment(segment) + (literals[index + 1] ?? "");
  });
  return path;
}
