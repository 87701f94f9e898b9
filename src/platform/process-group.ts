// Process-group signalling. Agents and hooks run as leaders of their own process group (spawned
// with `detached: true`, i.e. setsid), so a signal to `-pgid` reaches every grandchild they started.

/** Sends a signal to a whole process group; a group that no longer exists is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/** True while any process of the group is alive (signal 0 probes without delivering anything). */
export function groupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The command line of a process (Linux /proc), or "" when unknown. */
export async function processCommandLine(pid: number): Promise<string> {
  try {
    const raw = await Bun.file(`/proc/${pid}/cmdline`).text();
    return raw.split("\0").filter(Boolean).join(" ");
  } catch {
    return "";
  }
}

/**
 * SIGTERM to the group, then SIGKILL if it is still alive after `graceMs`. Resolves once the
 * group is gone or SIGKILL was sent. `exited` short-circuits the wait when the leader is awaited.
 */
export async function terminateGroup(
  pgid: number,
  graceMs: number,
  exited?: Promise<unknown>,
): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([grace, exited ?? grace]);
  clearTimeout(timer);
  // The leader may have exited while children linger: always sweep the group.
  signalGroup(pgid, "SIGKILL");
}
