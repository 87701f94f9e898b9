// Where each front-matter value sits in WORKFLOW.md, by dotted field path (`tracker.active_states[1]`),
// so configuration errors and warnings can point at a line and column.
import type { SourcePosition } from "./errors.ts";

interface Entry {
  key?: SourcePosition;
  value?: SourcePosition;
}

export class PositionIndex {
  readonly #entries: Map<string, Entry>;

  constructor(entries?: Iterable<[string, Entry]>) {
    this.#entries = new Map(entries);
  }

  record(path: string, entry: Entry): void {
    this.#entries.set(path, entry);
  }

  /** Start of the value at path, else of its key. */
  value(path: string): SourcePosition | undefined {
    const entry = this.#entries.get(path);
    return entry?.value ?? entry?.key;
  }

  /** Start of the key at path, else of its value. */
  key(path: string): SourcePosition | undefined {
    const entry = this.#entries.get(path);
    return entry?.key ?? entry?.value;
  }

  /** The value's own position, else the key of its nearest ancestor present in the file. */
  nearest(path: string): SourcePosition | undefined {
    const own = this.value(path);
    if (own !== undefined) return own;
    for (let p = parentPath(path); p !== undefined; p = parentPath(p)) {
      const found = this.key(p);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** A copy without the given paths and everything below them (values that did not come from the file). */
  without(paths: Iterable<string>): PositionIndex {
    const removed = [...paths];
    const kept = [...this.#entries].filter(
      ([path]) => !removed.some((r) => path === r || path.startsWith(`${r}.`) || path.startsWith(`${r}[`)),
    );
    return new PositionIndex(kept);
  }

  get size(): number {
    return this.#entries.size;
  }
}

export function childPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

function parentPath(path: string): string | undefined {
  const match = /(\[\d+\]|\.[^.]*)$/.exec(path);
  if (match === null || match.index === 0) return undefined;
  return path.slice(0, match.index);
}
