// Bounded, backpressured line splitting for agent stdout/stderr. Each chunk is fully dispatched
// before the next one is requested, so a flood of output never accumulates in memory, and a
// single line can never grow past its byte limit.
import { newlinePieces, readChunks } from "../../platform/stream-chunks.ts";

/** Raised when one line exceeds the reader's byte limit; a read error, not a malformed line. */
export class LineTooLongError extends Error {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`line exceeds ${limitBytes} bytes`);
    this.name = "LineTooLongError";
    this.limitBytes = limitBytes;
  }
}

export const MAX_AGENT_LINE_BYTES = 10 * 1024 * 1024;

export interface ReadLinesOptions {
  /** Longest accepted line in bytes, excluding the newline. */
  maxLineBytes: number;
  /** "error" (default): an over-long line rejects with LineTooLongError. "truncate": keep the head, drop the rest. */
  overLong?: "error" | "truncate";
  /** Stops reading (as if at end of stream) when aborted; a partial last line is still delivered. */
  signal?: AbortSignal;
}

/**
 * Reads `stream` to its end and calls `onLine` once per `\n`-terminated line (a trailing `\r` is
 * kept), plus a final unterminated line if any. Splitting happens on bytes, which is safe for
 * UTF-8; a streaming TextDecoder turns the pieces into text, so a character split across two
 * chunks survives.
 */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  options: ReadLinesOptions,
): Promise<void> {
  const { maxLineBytes } = options;
  const truncate = options.overLong === "truncate";
  const decoder = new TextDecoder("utf-8");
  let parts: string[] = [];
  let lineBytes = 0;
  let discarding = false;

  // Appends bytes of the current line, enforcing the limit.
  const append = (bytes: Uint8Array): void => {
    if (discarding || bytes.length === 0) return;
    const room = maxLineBytes - lineBytes;
    if (bytes.length > room) {
      if (!truncate) throw new LineTooLongError(maxLineBytes);
      // Cut on a character boundary: back off over UTF-8 continuation bytes.
      let cut = room;
      while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
      parts.push(decoder.decode(bytes.subarray(0, cut), { stream: true }));
      decoder.decode(); // reset any partial character
      lineBytes = maxLineBytes;
      discarding = true;
      return;
    }
    parts.push(decoder.decode(bytes, { stream: true }));
    lineBytes += bytes.length;
  };

  const finishLine = (): void => {
    parts.push(decoder.decode());
    const line = parts.length === 1 ? (parts[0] ?? "") : parts.join("");
    parts = [];
    lineBytes = 0;
    discarding = false;
    onLine(line);
  };

  await readChunks(
    stream,
    (chunk) => {
      for (const piece of newlinePieces(chunk)) {
        append(piece.bytes);
        if (piece.ended) finishLine();
      }
    },
    options.signal,
  );
  if (lineBytes > 0 || parts.some((p) => p.length > 0)) finishLine();
}
