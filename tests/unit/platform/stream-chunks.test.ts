import { describe, expect, test } from "bun:test";
import { newlinePieces, readChunks } from "../../../src/platform/stream-chunks.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function pieces(text: string): [string, boolean][] {
  return [...newlinePieces(enc.encode(text))].map((p) => [dec.decode(p.bytes), p.ended]);
}

describe("newlinePieces", () => {
  test("cuts a chunk at every newline and keeps the unterminated rest", () => {
    expect(pieces("a\n\nbc\nrest")).toEqual([
      ["a", true],
      ["", true],
      ["bc", true],
      ["rest", false],
    ]);
  });

  test("leaves out an empty rest after a final newline", () => {
    expect(pieces("a\n")).toEqual([["a", true]]);
    expect(pieces("")).toEqual([]);
  });
});

describe("readChunks", () => {
  test("stops reading once the signal aborts and releases the stream", async () => {
    const controller = new AbortController();
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulls++;
        c.enqueue(enc.encode(`chunk ${pulls}\n`));
      },
    });
    const seen: string[] = [];
    await readChunks(
      stream,
      (chunk) => {
        seen.push(dec.decode(chunk));
        if (seen.length === 2) controller.abort();
      },
      controller.signal,
    );
    expect(seen).toEqual(["chunk 1\n", "chunk 2\n"]);
    expect(stream.locked).toBe(false);
  });

  test("awaits an asynchronous handler before the next read", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const t of ["1", "2", "3"]) c.enqueue(enc.encode(t));
        c.close();
      },
    });
    const order: string[] = [];
    await readChunks(stream, async (chunk) => {
      const t = dec.decode(chunk);
      order.push(`start ${t}`);
      await Promise.resolve();
      order.push(`end ${t}`);
    });
    expect(order).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  });

  test("a handler error cancels the stream with that error and rejects", async () => {
    let cancelReason: unknown;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(enc.encode("x"));
      },
      cancel(reason) {
        cancelReason = reason;
      },
    });
    const boom = new Error("boom");
    const err = await readChunks(stream, () => {
      throw boom;
    }).catch((e) => e);
    expect(err).toBe(boom);
    expect(cancelReason).toBe(boom);
    expect(stream.locked).toBe(false);
  });
});
