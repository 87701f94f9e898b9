// What every real-CLI test file sets up alike: whether the pinned CLI is installed (the file skips,
// saying why, when it is not), a scratch root per test holding the workspace and sortie's HOME, the
// offline environment sortie runs in, and the agent config and session parameters for the demo
// issue, with a turn timeout far beyond any test's turn (the tests that need one abort the turn).
import { writeFileSync } from "node:fs";
import { type AgentHome, resolveAgentHome } from "../../../src/agents/home.ts";
import type { AgentAdapterConfig } from "../../../src/agents/types.ts";
import type { StartSessionParams } from "../../../src/domain/agent.ts";
import { adapterConfig, demoSessionEnv, sessionParams } from "./adapter-session.ts";
import { agentCliBin, missingCliReason, type PinnedCli, runsUnlessSkipped } from "./installed-cli.ts";
import { type OfflineEnv, offlineSortieEnv } from "./offline-env.ts";
import { type Scratch, type ScratchLayout, useScratch } from "./scratch.ts";

const TURN_TIMEOUT_MS = 600_000;

export interface RealCliSetup {
  cli: PinnedCli;
  /** The adapter kind that drives it. */
  kind: string;
  /** The name prefix of each test's temp root. */
  prefix: string;
  /** The sessions' read timeout; default 5 s. */
  readTimeoutMs?: number;
  /** The skip warning's name for the file's tests; default `real <name> CLI tests`. */
  tests?: string;
  /** Why the installed CLI does not run after all; asked only when it is installed. */
  probe?: () => string | undefined;
  /** The session's `agent.command` names the CLI too (default "": the adapter's command). */
  sessionNamesCli?: boolean;
  /** Where the workspace goes, further folders; sortie's `home` is always made. */
  layout?: ScratchLayout;
}

export interface RealCli {
  /** False when the file's tests skip. */
  readonly available: boolean;
  /** The installed CLI's command. */
  readonly bin: string;
  readonly version: string;
  readonly scratch: Scratch;
  /** The `agent:` settings running `command` (default the CLI). */
  config(command?: string, options?: Record<string, unknown>): AgentAdapterConfig;
  /** What a worker gives a session for the demo issue, its environment extended with `env`. */
  startParams(overrides?: Partial<StartSessionParams>, env?: Record<string, string>): StartSessionParams;
  /** Sortie's offline environment, with this test's HOME. */
  env(env: Omit<OfflineEnv, "home">): Record<string, string>;
  /**
   * A HOME for sortie that nobody can write (a path below a regular file, which not even root can
   * create), and the agent home sortie resolves for it with its database in the scratch root.
   */
  unwritableHome(): { home: string; agentHome: AgentHome };
}

/** Call at the top of the test file: the scratch root registers its hooks. */
export function useRealCli(setup: RealCliSetup): RealCli {
  const { cli, kind, readTimeoutMs } = setup;
  const bin = agentCliBin(cli.name);
  const available = runsUnlessSkipped(
    setup.tests ?? `real ${cli.name} CLI tests`,
    missingCliReason(cli) ?? setup.probe?.(),
  );
  const scratch = useScratch(setup.prefix, {
    ...setup.layout,
    dirs: ["home", ...(setup.layout?.dirs ?? [])],
  });
  return {
    available,
    bin,
    version: cli.version,
    scratch,
    config: (command = bin, options = {}) =>
      adapterConfig(kind, command, options, { turnTimeoutMs: TURN_TIMEOUT_MS, readTimeoutMs }),
    startParams: (overrides = {}, env = {}) =>
      sessionParams(
        {
          kind,
          workspace: scratch.workspace,
          command: setup.sessionNamesCli ? bin : "",
          turnTimeoutMs: TURN_TIMEOUT_MS,
          readTimeoutMs,
          env: { ...demoSessionEnv(scratch.workspace), ...env },
        },
        overrides,
      ),
    env: (env) => offlineSortieEnv({ ...env, home: scratch.path("home") }),
    unwritableHome() {
      writeFileSync(scratch.path("not-a-dir"), "");
      const home = scratch.path("not-a-dir", "home");
      const agentHome = resolveAgentHome({
        home,
        configuredHomeDir: "",
        dbPath: scratch.path("data", "sortie.db"),
      });
      return { home, agentHome };
    },
  };
}
