// Decodes the front-matter YAML into plain values the way the Go original does (YAML 1.2 core
// booleans and nulls, Go integer syntax, timestamps as strings, merge keys, unique keys), and
// records where each value sits in the file. The `yaml` package parses with its failsafe
// schema so every scalar reaches us as text and the typing rules below are the only ones.
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type Scalar,
} from "yaml";
import { setOwn } from "./coerce.ts";
import type { SourcePosition } from "./errors.ts";
import { resolvePlainScalar } from "./go-scalar.ts";
import { childPath, indexPath, PositionIndex } from "./positions.ts";

export interface DecodedYaml {
  /** The decoded root value (null for an empty or comment-only document). */
  value: unknown;
  positions: PositionIndex;
}

/** A YAML syntax or structure error; `message` is the Go-style `yaml: line <n>: <detail>` text. */
export class YamlSyntaxError extends Error {
  readonly position: SourcePosition | undefined;

  constructor(message: string, position?: SourcePosition) {
    super(message);
    this.name = "YamlSyntaxError";
    this.position = position;
  }
}

const TAG = "tag:yaml.org,2002:";
const MAX_DECODED_NODES = 1_000_000;

/**
 * Decodes the first YAML document of text. lineOffset is the number of file lines above the
 * YAML text (1: the opening `---`), so positions are lines of WORKFLOW.md.
 */
export function decodeYaml(text: string, lineOffset: number): DecodedYaml {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    schema: "failsafe",
    uniqueKeys: true,
    merge: false,
    lineCounter,
    prettyErrors: false,
  });
  const positions = new PositionIndex();
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined) return { value: null, positions };
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + lineOffset, column: col };
  };
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const relative = lineCounter.linePos(firstError.pos[0]).line;
    throw new YamlSyntaxError(`yaml: line ${relative}: ${firstError.message}`, at(firstError.pos[0]));
  }
  const decoder = new Decoder(doc, positions, at, lineOffset);
  decoder.recordRoot(doc.contents);
  return { value: decoder.decode(doc.contents, ""), positions };
}

class Decoder {
  #count = 0;
  readonly #active = new Set<Node>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly positions: PositionIndex,
    private readonly at: (offset: number) => SourcePosition,
    private readonly lineOffset: number,
  ) {}

  decode(node: unknown, path: string | undefined): unknown {
    if (++this.#count > MAX_DECODED_NODES) {
      throw new YamlSyntaxError("yaml: document contains excessive aliasing");
    }
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined) throw this.error(node, `unknown anchor '${node.source}' referenced`);
      if (this.#active.has(target)) throw this.error(node, `anchor '${node.source}' value contains itself`);
      return this.decode(target, path);
    }
    if (isScalar(node)) return decodeScalar(node);
    if (isSeq(node) || isMap(node)) {
      this.#active.add(node);
      try {
        return isSeq(node) ? this.decodeSeq(node.items, path) : this.decodeMap(node.items, path);
      } finally {
        this.#active.delete(node);
      }
    }
    return null;
  }

  private decodeSeq(items: unknown[], path: string | undefined): unknown[] {
    return items.map((item, i) => {
      const itemPath = path === undefined ? undefined : indexPath(path, i);
      if (itemPath !== undefined) this.record(itemPath, undefined, item);
      return this.decode(item, itemPath);
    });
  }

  private decodeMap(items: unknown[], path: string | undefined): unknown {
    const entries = new Map<unknown, unknown>();
    const explicit: { key: unknown; keyNode: unknown; valueNode: unknown }[] = [];
    const merges: unknown[] = [];
    for (const pair of items) {
      if (!isPair(pair)) continue;
      if (isMergeKey(pair.key)) merges.push(pair.value);
      else explicit.push({ key: this.decode(pair.key, undefined), keyNode: pair.key, valueNode: pair.value });
    }
    // Merged keys first so explicit keys (and their positions) override them; earlier sources win.
    for (const source of merges) this.mergeInto(entries, source, path);
    for (const { key, keyNode, valueNode } of explicit) {
      const valuePath = path !== undefined && typeof key === "string" ? childPath(path, key) : undefined;
      if (valuePath !== undefined) this.record(valuePath, keyNode, valueNode);
      entries.set(key, this.decode(valueNode, valuePath));
    }
    return toPlainMap(entries);
  }

  private mergeInto(entries: Map<unknown, unknown>, source: unknown, path: string | undefined): void {
    const resolved = isAlias(source) ? source.resolve(this.doc) : source;
    const sources = isSeq(resolved) ? resolved.items : [resolved];
    const merged = new Map<unknown, unknown>();
    for (const item of sources) {
      const target = isAlias(item) ? item.resolve(this.doc) : item;
      if (!isMap(target)) {
        throw this.error(source, "map merge requires map or sequence of maps as the value");
      }
      const value = this.decode(item, path);
      const pairs = value instanceof Map ? [...value] : Object.entries(value as Record<string, unknown>);
      for (const [k, v] of pairs) if (!merged.has(k)) merged.set(k, v);
    }
    for (const [k, v] of merged) if (!entries.has(k)) entries.set(k, v);
  }

  /** The root value's position is kept under the empty path. */
  recordRoot(node: unknown): void {
    this.record("", undefined, node);
  }

  private record(path: string, keyNode: unknown, valueNode: unknown): void {
    const key = nodeStart(keyNode);
    const value = nodeStart(valueNode);
    this.positions.record(path, {
      ...(key === undefined ? {} : { key: this.at(key) }),
      ...(value === undefined ? {} : { value: this.at(value) }),
    });
  }

  private error(node: unknown, detail: string): YamlSyntaxError {
    const start = nodeStart(node);
    if (start === undefined) return new YamlSyntaxError(`yaml: ${detail}`);
    const position = this.at(start);
    return new YamlSyntaxError(`yaml: line ${position.line - this.lineOffset}: ${detail}`, position);
  }
}

function nodeStart(node: unknown): number | undefined {
  if (typeof node !== "object" || node === null || !("range" in node)) return undefined;
  const range = (node as { range?: [number, number, number] }).range;
  if (range === undefined) return undefined;
  // An empty plain scalar (`key:` with nothing after it) has a zero-width range: no value position.
  if (isScalar(node) && range[1] === range[0]) return undefined;
  return range[0];
}

function isMergeKey(node: unknown): boolean {
  return isScalar(node) && node.type === "PLAIN" && node.tag === undefined && node.value === "<<";
}

function decodeScalar(node: Scalar): unknown {
  const text = node.value === null || node.value === undefined ? "" : String(node.value);
  const tag = node.tag;
  if (tag === `${TAG}str` || tag === "!") return text;
  if (tag === `${TAG}null`) return null;
  if (tag === `${TAG}int` || tag === `${TAG}float` || tag === `${TAG}bool`) return resolvePlainScalar(text);
  if (node.type !== "PLAIN") return text;
  return resolvePlainScalar(text);
}

/** A mapping whose keys are all strings becomes a plain object; any other key keeps it a Map. */
function toPlainMap(entries: Map<unknown, unknown>): unknown {
  for (const key of entries.keys()) if (typeof key !== "string") return entries;
  const result: Record<string, unknown> = {};
  for (const [key, value] of entries) setOwn(result, key as string, value);
  return result;
}
