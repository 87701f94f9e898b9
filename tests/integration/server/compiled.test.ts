import { afterEach, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../../..");
const ENTRY = join(import.meta.dir, "fixtures/serve-entry.ts");

let dir = "";
let child: ReturnType<typeof Bun.spawn> | null = null;

afterEach(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await child?.exited;
  child = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = "";
});

async function readFirstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text.split("\n")[0] ?? "";
}

describe("compiled binary", () => {
  test("serves the dashboard templates, styles, script and icon embedded in the executable", async () => {
    dir = await mkdtemp(join(tmpdir(), "sortie-server-bin-"));
    const outfile = join(dir, "serve");
    const build = Bun.spawnSync([process.execPath, "build", "--compile", ENTRY, "--outfile", outfile], {
      cwd: ROOT,
      stderr: "pipe",
      stdout: "pipe",
    });
    expect({ exit: build.exitCode, stderr: build.stderr.toString() }).toEqual({ exit: 0, stderr: "" });

    // Run from an empty directory so nothing can be read from the source tree.
    child = Bun.spawn([outfile], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const { port } = JSON.parse(await readFirstLine(child.stdout as ReadableStream<Uint8Array>));
    const base = `http://127.0.0.1:${port}`;

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>Sortie Dashboard</title>");
    expect(html).toContain("--surface:");
    expect(html).toContain('new EventSource("/api/events")');
    expect(html).toContain("Running Sessions");
    expect(html).toContain("Run History");
    expect(html).toContain("<svg viewBox=");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toMatch(/class="badge"[^>]*>9\.9\.9</);

    const icon = new Uint8Array(await (await fetch(`${base}/favicon.ico`)).arrayBuffer());
    const source = new Uint8Array(
      await Bun.file(join(ROOT, "src/server/dashboard/favicon.ico")).arrayBuffer(),
    );
    expect(icon).toEqual(source);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('sortie_build_info{version="9.9.9",go_version="bun');

    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  }, 60_000);
});
