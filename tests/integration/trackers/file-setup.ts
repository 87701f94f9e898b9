// Building file tracker adapters over temp copies of the recorded fixtures.
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TrackerConfig } from "../../../src/config/types.ts";
import type { TrackerAdapter } from "../../../src/domain/tracker.ts";
import { createTracker, type TrackerDeps } from "../../../src/trackers/registry.ts";
import { fakeClock, recordingLogger, trackerConfig } from "../../unit/trackers/support.ts";

export const FIXTURES = join(import.meta.dir, "../../fixtures/tracker-file");

export const fileTrackerConfig = trackerConfig;

export interface FileTrackerSetup {
  dir: string;
  path: string;
  tracker: TrackerAdapter;
  logger: ReturnType<typeof recordingLogger>;
  clock: ReturnType<typeof fakeClock>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "sortie-file-tracker-"));
}

/** A temp copy of the fixture and an adapter (through the registry, so metrics-wrapped) on it. */
export async function setupFileTracker(
  fixture: string,
  config: Partial<TrackerConfig> = {},
  dir?: string,
): Promise<FileTrackerSetup> {
  const root = dir ?? (await tempDir());
  const path = join(root, "issues.json");
  await copyFile(join(FIXTURES, fixture), path);
  const logger = recordingLogger();
  const clock = fakeClock("2026-03-05T08:30:15.250Z");
  const deps: TrackerDeps = { fetch, logger, now: clock.now, cwd: root };
  const tracker = createTracker(
    { ...fileTrackerConfig(config), userAgent: "sortie/test", options: { path: "issues.json" } },
    deps,
  );
  return { dir: root, path, tracker, logger, clock };
}
