// The byte-stream plumbing under sortie's line readers (agent output, the MCP server's stdin):
// one chunk is read at a time and fully handled before the next is requested, which is what
// bounds their memory, and each chunk is cut at newlines. Splitting on bytes is safe for UTF-8.

const NEWLINE = 0x0a;

export interface ChunkPiece {
  /** Bytes up to (not including) the newline, or the chunk's unterminated rest. */
  bytes: Uint8Array;
  /** A newline ended this piece, so the line it belongs to is complete. */
  ended: boolean;
}

/** The pieces of one chunk, in order; an empty unterminated rest is left out. */
export function* newlinePieces(chunk: Uint8Array): Generator<ChunkPiece> {
  let start = 0;
  for (;;) {
    const nl = chunk.indexOf(NEWLINE, start);
    if (nl === -1) {
      if (start < chunk.length) yield { bytes: chunk.subarray(start), ended: false };
      return;
    }
    yield { bytes: chunk.subarray(start, nl), ended: true };
    start = nl + 1;
  }
}

/**
 * Reads `stream` until its end or until `signal` aborts (which also cancels the stream), and
 * hands every chunk to `onChunk`, awaiting it when it returns a promise. An error from the stream
 * or from `onChunk` cancels the stream and rejects; the reader's lock is always released.
 */
export async function readChunks(
  stream: ReadableStream<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const reader = stream.getReader();
  const stop = (): void => {
    reader.cancel().catch(() => {});
  };
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) break;
      const { done, value } = await reader.read();
      if (done) break;
      // Only asynchronous handlers are awaited: a synchronous one adds no extra turn per chunk.
      const pending = onChunk(value);
      if (pending !== undefined) await pending;
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    signal?.removeEventListener("abort", stop);
    reader.releaseLock();
  }
}
