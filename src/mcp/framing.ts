// Newline-delimited frames from a byte stream, handed to an async handler one at a time: the next
// chunk is read only after the handler finished, so requests run in order and a flooding client
// cannot make the server buffer more than one line. (The agent line reader hands lines to a
// synchronous callback, which cannot give this ordering.)
import { newlinePieces, readChunks } from "../platform/stream-chunks.ts";

/** One line exceeded the limit: the stream cannot be resynchronised, so reading stops. */
export class FrameTooLongError extends Error {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`line exceeds ${limitBytes} bytes`);
    this.name = "FrameTooLongError";
    this.limitBytes = limitBytes;
  }
}

export interface ReadFramesOptions {
  /** Longest accepted line in bytes, excluding the newline. */
  maxLineBytes: number;
  /** Stops reading as if at end of stream; the frame being handled still completes. */
  signal?: AbortSignal;
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] ?? new Uint8Array();
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Reads `stream` to its end (or until `signal` aborts) and awaits `onFrame` for every line,
 * including a final line without a newline. Rejects with FrameTooLongError as soon as a line
 * outgrows the limit, and with the stream's own error when reading fails.
 */
export async function readFrames(
  stream: ReadableStream<Uint8Array>,
  onFrame: (line: string) => Promise<void>,
  options: ReadFramesOptions,
): Promise<void> {
  const { maxLineBytes, signal } = options;
  const decoder = new TextDecoder("utf-8");
  let parts: Uint8Array[] = [];
  let lineBytes = 0;

  const take = (bytes: Uint8Array): void => {
    if (bytes.length === 0) return;
    lineBytes += bytes.length;
    if (lineBytes > maxLineBytes) throw new FrameTooLongError(maxLineBytes);
    // The chunk's buffer may be reused by the next read: keep a copy.
    parts.push(bytes.slice());
  };
  const finish = (): string => {
    const line = decoder.decode(concat(parts, lineBytes));
    parts = [];
    lineBytes = 0;
    return line;
  };

  await readChunks(
    stream,
    async (chunk) => {
      for (const piece of newlinePieces(chunk)) {
        take(piece.bytes);
        if (!piece.ended) continue;
        await onFrame(finish());
        if (signal?.aborted) return;
      }
    },
    signal,
  );
  if (lineBytes > 0 && !signal?.aborted) await onFrame(finish());
}
