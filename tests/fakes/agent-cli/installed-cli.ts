// Where `scripts/install-agent-clis.sh` puts the pinned real agent CLIs, and which version is
// there, so that the real-CLI tests can skip with a reason instead of failing on a bare machine.
import { readFileSync } from "node:fs";
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
