// A scripted stand-in for `codex app-server`: reads JSON-RPC requests on stdin and answers each
// one from a scenario file of recorded server→client lines, rewriting the response id to the
// request's id. Run as `bun fake-app-server.ts` with FAKE_CODEX_SCENARIO=<scenario.json>; every
// line it receives is appended to FAKE_CODEX_LOG.
//
// Scenario: { startup?: Step[], replies: { [method]: Step[][] }, ignoreSigterm?: boolean }
// The n-th request of a method runs the n-th script (the last one repeats). Steps:
//   "<json line>"            a response (no method): sent with the request's id; a server
//                            request (method + id): sent as is, then the script waits for the
//                            client's answer; a notification: sent as is
//   { "$raw": "<text>" }     sent verbatim (malformed lines)
//   { "$sleep": ms }         pause
//   { "$stderr": "<text>" }  one stderr line
//   { "$awaitRequest": m }   pause until a request with method m arrived
//   { "$hang": true }        never continue this script
//   { "$exit": code }        exit the process
import { appendFileSync, readFileSync } from "node:fs";

type Step =
  | string
  | { $raw: string }
  | { $sleep: number }
  | { $stderr: string }
  | { $awaitRequest: string }
  | { $hang: true }
  | { $exit: number };

interface Scenario {
  startup?: Step[];
  replies: Record<string, Step[][]>;
  ignoreSigterm?: boolean;
}

const scenarioPath = process.env.FAKE_CODEX_SCENARIO;
if (!scenarioPath) {
  process.stderr.write("fake codex: FAKE_CODEX_SCENARIO is not set\n");
  process.exit(2);
}
const scenario = JSON.parse(readFileSync(scenarioPath, "utf8")) as Scenario;
const logPath = process.env.FAKE_CODEX_LOG;
if (scenario.ignoreSigterm) process.on("SIGTERM", () => {});

const counts = new Map<string, number>();
const replyWaiters = new Map<string, () => void>();
const requestWaiters: { method: string; resolve: () => void }[] = [];
const seenMethods = new Set<string>();

function send(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function runScript(steps: Step[], requestId: unknown): Promise<void> {
  for (const step of steps) {
    if (typeof step === "string") {
      let msg: Record<string, unknown> | undefined;
      try {
        msg = JSON.parse(step);
      } catch {
        send(step);
        continue;
      }
      if (msg === undefined || typeof msg !== "object") {
        send(step);
        continue;
      }
      if (msg.method === undefined && msg.id !== undefined && requestId !== undefined) {
        send(JSON.stringify({ ...msg, id: requestId }));
        continue;
      }
      if (typeof msg.method === "string" && msg.id !== undefined) {
        const answered = new Promise<void>((resolve) => replyWaiters.set(JSON.stringify(msg?.id), resolve));
        send(step);
        await answered;
        continue;
      }
      send(step);
    } else if ("$raw" in step) send(step.$raw);
    else if ("$sleep" in step) await Bun.sleep(step.$sleep);
    else if ("$stderr" in step) process.stderr.write(`${step.$stderr}\n`);
    else if ("$awaitRequest" in step) {
      const method = step.$awaitRequest;
      if (!seenMethods.has(method))
        await new Promise<void>((resolve) => requestWaiters.push({ method, resolve }));
    } else if ("$hang" in step) await new Promise(() => {});
    else if ("$exit" in step) process.exit(step.$exit);
  }
}

function onMessage(line: string): void {
  if (logPath) appendFileSync(logPath, `${line}\n`);
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(line);
  } catch {
    return;
  }
  const method = typeof msg.method === "string" ? msg.method : undefined;
  if (method === undefined) {
    // The client's answer to one of our requests.
    replyWaiters.get(JSON.stringify(msg.id))?.();
    replyWaiters.delete(JSON.stringify(msg.id));
    return;
  }
  seenMethods.add(method);
  for (const w of requestWaiters.filter((w) => w.method === method)) {
    requestWaiters.splice(requestWaiters.indexOf(w), 1);
    w.resolve();
  }
  if (msg.id === undefined) return; // a notification (`initialized`)
  const scripts = scenario.replies[method];
  if (scripts === undefined || scripts.length === 0) {
    send(
      JSON.stringify({ id: msg.id, error: { code: -32601, message: `fake codex: no script for ${method}` } }),
    );
    return;
  }
  const n = counts.get(method) ?? 0;
  counts.set(method, n + 1);
  void runScript(scripts[Math.min(n, scripts.length - 1)] ?? [], msg.id);
}

void runScript(scenario.startup ?? [], undefined);

const decoder = new TextDecoder();
let buffer = "";
const reader = Bun.stdin.stream().getReader();
for (;;) {
  const { done, value } = await reader.read();
  if (done) break;
  buffer += decoder.decode(value, { stream: true });
  for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (line !== "") onMessage(line);
  }
}
// EOF on stdin: the client is done with us (a stubborn server keeps running until SIGKILL).
if (scenario.ignoreSigterm) await new Promise(() => {});
process.exit(0);
