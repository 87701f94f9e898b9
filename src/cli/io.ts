// The process-level surroundings a command runs in, passed in so tests can run commands in-process.
import type { SignalHub } from "../platform/signals.ts";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The process environment (commands may set SORTIE_ENV_FILE in it). */
  env: Record<string, string | undefined>;
  cwd: string;
  signals: SignalHub;
  /** Immediate exit (second signal during the drain). */
  exit(code: number): void;
}
