// Where `scripts/install-agent-clis.sh` puts the pinned real agent CLIs, which version is there,
// and why a real-CLI test file skips, so that it says so instead of failing on a bare machine.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const AGENT_CLI_CACHE =
  process.env.SORTIE_AGENT_CLI_CACHE || join(homedir(), ".cache", "sortie-agent-clis");

/** The CLI's entry in the cache's `node_modules/.bin`. */
export function agentCliBin(name: string): string {
  return join(AGENT_CLI_CACHE, "node_modules", ".bin", name);
}

/** The version of the npm package installed in the cache; undefined when it is not there. */
export function installedCliVersion(pkg: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(join(AGENT_CLI_CACHE, "node_modules", pkg, "package.json"), "utf8"));
    return typeof json.version === "string" ? json.version : undefined;
  } catch {
    return undefined;
  }
}

/** One CLI as `scripts/install-agent-clis.sh` pins it (keep the two in step). */
export interface PinnedCli {
  /** The script's name for it, which is also its entry in `node_modules/.bin`. */
  name: string;
  pkg: string;
  version: string;
}

export const PINNED_CLAUDE: PinnedCli = {
  name: "claude",
  pkg: "@anthropic-ai/claude-code",
  version: "2.1.332",
};
export const PINNED_CODEX: PinnedCli = { name: "codex", pkg: "@openai/codex", version: "0.171.0" };
export const PINNED_COPILOT: PinnedCli = { name: "copilot", pkg: "@github/copilot", version: "1.0.102" };
export const PINNED_OPENCODE: PinnedCli = { name: "opencode", pkg: "opencode-ai", version: "1.18.33" };

/** Why the pinned version of the CLI is not in the cache, or undefined when it is. */
export function missingCliReason(cli: PinnedCli): string | undefined {
  if (installedCliVersion(cli.pkg) === cli.version && existsSync(agentCliBin(cli.name))) return undefined;
  return `${cli.pkg}@${cli.version} is not installed in ${AGENT_CLI_CACHE} (run scripts/install-agent-clis.sh ${cli.name})`;
}

/** True when there is no reason to skip `tests`; otherwise warns `SKIPPING <tests>: <reason>`. */
export function runsUnlessSkipped(tests: string, reason: string | undefined): boolean {
  if (reason === undefined) return true;
  console.warn(`SKIPPING ${tests}: ${reason}`);
  return false;
}
