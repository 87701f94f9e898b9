// The whole test suite, as a newcomer or CI runs it: the pinned agent CLIs (for the real-CLI
// tests; skipped cleanly when they cannot be installed), the compiled binary the end-to-end
// tests run, then `bun test`. Extra arguments go to `bun test` (e.g. a path filter).
const repo = new URL("..", import.meta.url).pathname;

const clis = Bun.spawnSync(["bash", "scripts/install-agent-clis.sh", "all"], {
  cwd: repo,
  stdout: "ignore",
  stderr: "inherit",
});
if (clis.exitCode !== 0) {
  console.error("test: agent CLIs could not be installed; the real-CLI tests will be skipped");
}

const build = Bun.spawnSync(["bun", "run", "scripts/build.ts"], {
  cwd: repo,
  stdout: "inherit",
  stderr: "inherit",
});
if (build.exitCode !== 0) process.exit(build.exitCode ?? 1);

// End-to-end tests start real processes; 60 s per test is their ceiling, not their pace.
const tests = Bun.spawn(["bun", "test", "--timeout", "60000", ...process.argv.slice(2)], {
  cwd: repo,
  stdio: ["inherit", "inherit", "inherit"],
});
process.exit(await tests.exited);
