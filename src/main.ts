#!/usr/bin/env bun
// sortie's entry point. Signal handlers go in first: as PID 1 in a container, a SIGTERM that
// arrives before a handler exists is ignored by the kernel.
import { writeSync } from "node:fs";
import { runCli } from "./cli/main.ts";
import { SignalHub } from "./platform/signals.ts";

const signals = new SignalHub(() => process.exit(1));
signals.install();

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => {
    writeSync(1, text);
  },
  stderr: (text) => {
    writeSync(2, text);
  },
  env: process.env,
  cwd: process.cwd(),
  signals,
  exit: (c) => process.exit(c),
});
process.exit(code);
