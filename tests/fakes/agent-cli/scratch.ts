// The per-test folder of adapter tests: a fresh temp root with the session's workspace in it, and
// whatever a test starts there (adapters, sessions, fake servers) released after it, newest first,
// before the root is removed. Call `useScratch` at the top of a test file: it registers the hooks.
import { afterEach, beforeEach } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "@logtape/logtape";
import { type RecordingLogger, recordingLogger } from "./recording-logger.ts";

/** Something a test starts that must end with it: an adapter (`close`) or a fake server (`stop`). */
export type Releasable = { close(): unknown } | { stop(): unknown };

export interface ScratchLayout {
  /** The workspace below the root; default "ws". */
  workspace?: string;
  /** Further folders to create below the root (sortie's "home", a "tmp"). */
  dirs?: string[];
}

export interface Scratch {
  /** This test's temp root. */
  readonly root: string;
  /** The session's workspace below the root. */
  readonly workspace: string;
  /** A path below the root. */
  path(...parts: string[]): string;
  /** Ends `resource` after the test; returns it. */
  closeAfter<T extends Releasable>(resource: T): T;
  /** Runs `release` after the test. */
  afterTest(release: () => unknown): void;
  /** An adapter made with a fresh recording logger, closed after the test. */
  adapter<A extends Releasable>(make: (logger: Logger) => A): { adapter: A; log: RecordingLogger };
}

export function useScratch(prefix: string, layout: ScratchLayout = {}): Scratch {
  let root = "";
  let workspace = "";
  let releases: (() => unknown)[] = [];

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), prefix));
    workspace = join(root, layout.workspace ?? "ws");
    mkdirSync(workspace, { recursive: true });
    for (const dir of layout.dirs ?? []) mkdirSync(join(root, dir), { recursive: true });
    releases = [];
  });

  afterEach(async () => {
    for (const release of releases.reverse()) await release();
    rmSync(root, { recursive: true, force: true });
  });

  const scratch: Scratch = {
    get root() {
      return root;
    },
    get workspace() {
      return workspace;
    },
    path: (...parts) => join(root, ...parts),
    closeAfter(resource) {
      releases.push(() => ("close" in resource ? resource.close() : resource.stop()));
      return resource;
    },
    afterTest(release) {
      releases.push(release);
    },
    adapter(make) {
      const log = recordingLogger();
      return { adapter: scratch.closeAfter(make(log.logger)), log };
    },
  };
  return scratch;
}
