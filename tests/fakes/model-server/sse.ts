// Server-sent events as the fake models stream them. During a scripted delay keep-alive frames
// hold the connection open, as a real model's do while it thinks, and a request the agent aborts
// in the meantime ends without an answer.

/** One event: `event:` (when named) and `data:` lines, then the blank line that ends it. */
export function sseEvent(data: unknown, name?: string): string {
  const event = name === undefined ? "" : `event: ${name}\n`;
  return `${event}data: ${JSON.stringify(data)}\n\n`;
}

export interface SseAnswer {
  /** Frames sent at once, before any delay (the Responses API announces the response first). */
  head?: readonly string[];
  /** The answer's frames, sent after the delay. */
  frames: readonly string[];
  delayMs: number;
  /** Sent every 200 ms while the delay runs. */
  keepAlive: string;
  /** The request's signal. */
  signal: AbortSignal;
  /** The delay also ends once `generation` changes (a test decides when the "model" is done). */
  release?: { readonly generation: number };
  headers?: Record<string, string>;
}

export function sseResponse(answer: SseAnswer): Response {
  const { signal } = answer;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (frame: string): void => controller.enqueue(encoder.encode(frame));
      for (const frame of answer.head ?? []) send(frame);
      if (answer.delayMs > 0) {
        const deadline = Date.now() + answer.delayMs;
        const generation = answer.release?.generation;
        while (Date.now() < deadline && !signal.aborted && answer.release?.generation === generation) {
          try {
            send(answer.keepAlive);
          } catch {
            // The client went away and the stream is closed already.
            return;
          }
          await Bun.sleep(Math.min(200, Math.max(0, deadline - Date.now())));
        }
        if (signal.aborted) {
          controller.close();
          return;
        }
      }
      for (const frame of answer.frames) send(frame);
      controller.close();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache", ...answer.headers },
  });
}
