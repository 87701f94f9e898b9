import { describe, expect, test } from "bun:test";
import { FrameTooLongError, readFrames } from "../../../src/mcp/index.ts";
import { waitFor } from "../../helpers/wait.ts";

const enc = new TextEncoder();

/** A stream that hands out the given chunks and counts how many were pulled. */
function chunked(chunks: (string | Uint8Array)[]): {
  stream: ReadableStream<Uint8Array>;
  pulled: () => number;
} {
  let i = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[i++];
        if (next === undefined) controller.close();
        else controller.enqueue(typeof next === "string" ? enc.encode(next) : next);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => i };
}

async function collect(chunks: (string | Uint8Array)[], maxLineBytes = 1024): Promise<string[]> {
  const lines: string[] = [];
  await readFrames(
    chunked(chunks).stream,
    async (line) => {
      lines.push(line);
    },
    { maxLineBytes },
  );
  return lines;
}

describe("readFrames", () => {
  test("splits on newlines across chunk boundaries and keeps a final unterminated line", async () => {
    expect(await collect(['{"a":', '1}\n{"b"', ":2}\n\n", "tail"])).toEqual([
      '{"a":1}',
      '{"b":2}',
      "",
      "tail",
    ]);
  });

  test("decodes a multi-byte character split between two chunks", async () => {
    const bytes = enc.encode("é€😀\n");
    expect(await collect([bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4)])).toEqual(["é€😀"]);
  });

  test("awaits each handler before the next line and before reading the next chunk", async () => {
    const { stream, pulled } = chunked(["one\ntwo\n", "three\n"]);
    const events: string[] = [];
    let active = 0;
    await readFrames(
      stream,
      async (line) => {
        active++;
        expect(active).toBe(1);
        events.push(`start ${line} pulled=${pulled()}`);
        await Bun.sleep(1);
        events.push(`end ${line}`);
        active--;
      },
      { maxLineBytes: 100 },
    );
    expect(events).toEqual([
      "start one pulled=1",
      "end one",
      "start two pulled=1",
      "end two",
      "start three pulled=2",
      "end three",
    ]);
  });

  test("a line at the limit passes; one byte more rejects without reading further", async () => {
    expect(await collect(["x".repeat(16), "\n"], 16)).toEqual(["x".repeat(16)]);
    const { stream, pulled } = chunked(["ok\n", "y".repeat(10), "y".repeat(7), "\nnever\n", "never\n"]);
    const lines: string[] = [];
    const err = await readFrames(
      stream,
      async (l) => {
        lines.push(l);
      },
      { maxLineBytes: 16 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FrameTooLongError);
    expect((err as Error).message).toBe("line exceeds 16 bytes");
    expect(lines).toEqual(["ok"]);
    expect(pulled()).toBe(3);
  });

  test("an unterminated over-long tail is rejected too", async () => {
    await expect(collect(["z".repeat(20)], 16)).rejects.toBeInstanceOf(FrameTooLongError);
  });

  test("a handler's error rejects the read", async () => {
    const err = await readFrames(
      chunked(["a\nb\n"]).stream,
      async () => {
        throw new Error("boom");
      },
      { maxLineBytes: 10 },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe("boom");
  });

  test("aborting stops reading as at end of stream while the input stays open", async () => {
    const controller = new AbortController();
    let push!: (text: string) => void;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        push = (text) => c.enqueue(enc.encode(text));
      },
    });
    const lines: string[] = [];
    const done = readFrames(
      stream,
      async (l) => {
        lines.push(l);
      },
      { maxLineBytes: 100, signal: controller.signal },
    );
    push("first\n");
    await waitFor(() => lines.length > 0, { what: "the first line" });
    controller.abort();
    await done;
    expect(lines).toEqual(["first"]);
  });

  test("a line being handled when the abort comes is finished, the rest is dropped", async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    await readFrames(
      chunked(["a\nb\nc\n"]).stream,
      async (l) => {
        lines.push(l);
        if (l === "a") controller.abort();
      },
      { maxLineBytes: 100, signal: controller.signal },
    );
    expect(lines).toEqual(["a"]);
  });
});
