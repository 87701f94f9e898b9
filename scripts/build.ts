// Builds dist/sortie: one self-contained executable with version, commit and build date injected.
// Usage: bun run scripts/build.ts [--target bun-linux-x64] [--outfile dist/sortie]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    target: { type: "string" },
    outfile: { type: "string", default: "dist/sortie" },
  },
});

const pkg = (await Bun.file(new URL("../package.json", import.meta.url)).json()) as { version: string };
const version = process.env.SORTIE_VERSION || pkg.version;
const commit =
  process.env.SORTIE_COMMIT ||
  Bun.spawnSync(["git", "rev-parse", "HEAD"], { stderr: "ignore" }).stdout.toString().trim() ||
  "unknown";
const buildDate = process.env.SORTIE_BUILD_DATE || new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

const cmd = [
  "bun",
  "build",
  "--compile",
  "--minify-syntax",
  "--sourcemap=inline",
  `--define=__SORTIE_VERSION__=${JSON.stringify(version)}`,
  `--define=__SORTIE_COMMIT__=${JSON.stringify(commit)}`,
  `--define=__SORTIE_BUILD_DATE__=${JSON.stringify(buildDate)}`,
  `--outfile=${values.outfile}`,
  ...(values.target ? [`--target=${values.target}`] : []),
  "src/main.ts",
];
const proc = Bun.spawnSync(cmd, {
  stdout: "inherit",
  stderr: "inherit",
  cwd: new URL("..", import.meta.url).pathname,
});
process.exit(proc.exitCode ?? 1);
