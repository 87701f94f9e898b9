// Runs the offline demo: the file tracker and the mock agent on examples/issues.json, with the
// dashboard on http://127.0.0.1:7678. The workflow and issue list are copied into .sortie-demo/
// on the first run so the demo never edits the examples; delete that folder to start over.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dir, "..");
const demo = join(repo, ".sortie-demo");
mkdirSync(demo, { recursive: true });
for (const [from, to] of [
  ["examples/WORKFLOW.demo.md", "WORKFLOW.md"],
  ["examples/issues.json", "issues.json"],
]) {
  const target = join(demo, to as string);
  if (!existsSync(target)) copyFileSync(join(repo, from as string), target);
}

const child = Bun.spawn(
  ["bun", "run", join(repo, "src/main.ts"), ...process.argv.slice(2), join(demo, "WORKFLOW.md")],
  {
    cwd: demo,
    stdio: ["inherit", "inherit", "inherit"],
  },
);
// Forward Ctrl-C / SIGTERM so sortie shuts down gracefully instead of being orphaned.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
process.exit(await child.exited);
