import { describe, expect, test } from "bun:test";
import { LineTooLongError, readLines } from "../../../../src/agents/process/line-reader.ts";

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(typeof c === "string" ? enc.encode(c) : c);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>, maxLineBytes = 1024, overLong?: "truncate") {
  const lines: string[] = [];
  await readLines(stream, (l) => lines.push(l), { maxLineBytes, ...(overLong ? { overLong } : {}) });
  return lines;
}

describe("readLines", () => {
  test("splits on newlines across chunk boundaries and keeps a final unterminated line", async () => {
    expect(await collect(streamOf(["a\nb", "c\n", "\n", "tail"]))).toEqual(["a", "bc", "", "tail"]);
  });

  test("keeps a trailing carriage return, as the JSON parsers tolerate it", async () => {
    expect(await collect(streamOf(["x\r\ny\n"]))).toEqual(["x\r", "y"]);
  });

  test("decodes multi-byte characters split across chunks", async () => {
    const bytes = new TextEncoder().encode("héllo → 🚀\n");
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
    expect(await collect(streamOf(chunks))).toEqual(["héllo → 🚀"]);
  });

  test("rejects a line longer than the limit with LineTooLongError", async () => {
    const err = await collect(streamOf(["ok\n", "x".repeat(600), "x".repeat(600), "\n"]), 1000).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(LineTooLongError);
  });

  test("accepts a line of exactly the limit", async () => {
    expect(await collect(streamOf([`${"y".repeat(1000)}\n`]), 1000)).toEqual(["y".repeat(1000)]);
  });

  test("truncate mode keeps the head of an over-long line and continues with the next", async () => {
    const lines = await collect(streamOf(["é".repeat(10), "\nnext\n"]), 5, "truncate");
    // 5 bytes hold two 2-byte characters; the split character is not kept.
    expect(lines).toEqual(["éé", "next"]);
  });

  test("an abort signal ends reading as if the stream had ended", async () => {
    const ctl = new AbortController();
    const lines: string[] = [];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("first\npartial"));
        // Never closes, like a pipe a stray process keeps open.
      },
    });
    const reading = readLines(stream, (l) => lines.push(l), { maxLineBytes: 1024, signal: ctl.signal });
    while (lines.length === 0) await Bun.sleep(5);
    ctl.abort();
    await reading;
    expect(lines).toEqual(["first", "partial"]);
  });

  test("a flood of output is consumed with bounded memory and backpressure", async () => {
    // 200 MiB of lines produced lazily: the reader must pull chunk by chunk.
    const chunk = new TextEncoder().encode(`${"z".repeat(1023)}\n`.repeat(1024));
    let produced = 0;
    const total = 200;
    let maxAhead = 0;
    let consumedChunks = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (produced === total) {
            controller.close();
            return;
          }
          produced++;
          maxAhead = Math.max(maxAhead, produced - consumedChunks);
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 1 },
    );
    let count = 0;
    await readLines(
      stream,
      () => {
        count++;
        if (count % 1024 === 0) consumedChunks++;
      },
      { maxLineBytes: 10 * 1024 * 1024 },
    );
    expect(count).toBe(total * 1024);
    // The producer never ran more than a couple of chunks ahead of the consumer.
    expect(maxAhead).toBeLessThanOrEqual(3);
  });

  test("an endless line without newline fails at the limit instead of growing", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
      },
    });
    const err = await readLines(stream, () => {}, { maxLineBytes: 1024 * 1024 }).catch((e) => e);
    expect(err).toBeInstanceOf(LineTooLongError);
    expect(pulled).toBeLessThan(40);
  });
});
