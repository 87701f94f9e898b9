// Runs every benchmark in this folder, one after the other (`bun run bench`). Each prints its own
// numbers and the ratio against a floor it measured in the same run; run one alone for options.
import { readdirSync } from "node:fs";
import { join } from "node:path";

const here = import.meta.dir;
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const proc = Bun.spawn(["bun", "run", join(here, bench)], { stdio: ["ignore", "inherit", "inherit"] });
  if ((await proc.exited) !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
