// Response builders shared by every route: JSON with an explicit charset and trailing newline (as
// the original's encoder writes it), the error envelope, and Go-compatible plain-text errors.

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";
export const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";
export const HTML_CONTENT_TYPE = "text/html; charset=utf-8";

export type ErrorCode = "issue_not_found" | "snapshot_unavailable" | "method_not_allowed" | "internal_error";

export function jsonResponse(body: unknown, status = 200, headers?: Record<string, string>): Response {
  let text: string;
  try {
    text = `${JSON.stringify(body)}\n`;
  } catch {
    return errorResponse(500, "internal_error", "failed to encode response");
  }
  return new Response(text, { status, headers: { "Content-Type": JSON_CONTENT_TYPE, ...headers } });
}

export function errorResponse(
  status: number,
  code: ErrorCode,
  message: string,
  headers?: Record<string, string>,
): Response {
  const text = `${JSON.stringify({ error: { code, message } })}\n`;
  return new Response(text, { status, headers: { "Content-Type": JSON_CONTENT_TYPE, ...headers } });
}

export function snapshotUnavailable(): Response {
  return errorResponse(503, "snapshot_unavailable", "orchestrator state snapshot unavailable");
}

export function jsonMethodNotAllowed(method: string, allow: string): Response {
  return errorResponse(405, "method_not_allowed", `method ${method} is not allowed on this endpoint`, {
    Allow: allow,
  });
}

/** Go's http.Error: plain text plus newline, nosniff. */
export function textError(status: number, text: string, headers?: Record<string, string>): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { "Content-Type": TEXT_CONTENT_TYPE, "X-Content-Type-Options": "nosniff", ...headers },
  });
}

export function notFound(): Response {
  return textError(404, "404 page not found");
}

export function textMethodNotAllowed(): Response {
  return textError(405, "Method Not Allowed", { Allow: "GET, HEAD" });
}
