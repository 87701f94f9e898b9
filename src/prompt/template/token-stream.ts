// Token look-ahead for the parser. It works like Go's (three tokens, the same backup rules) because
// Go reports a parse error at the line of the most recently read token, and so must we.

import { TemplateError } from "./errors.ts";
import { type Item, type ItemType, itemString, T } from "./items.ts";
import { LiteralError } from "./literals.ts";

/** A stream position, handed to a nested parser for a {{define}} or {{block}} body and back. */
export interface StreamPosition {
  token: Item[];
  peekCount: number;
  cursor: number;
}

export class TokenStream {
  protected token: Item[] = [];
  protected peekCount = 0;
  protected cursor = 0;
  /** Line where the current action started (0 outside actions), for "in action started at". */
  protected actionLine = 0;

  constructor(
    protected readonly items: Item[],
    protected readonly parseName: string,
  ) {}

  position(): StreamPosition {
    return { token: [...this.token], peekCount: this.peekCount, cursor: this.cursor };
  }

  seek(p: StreamPosition): void {
    this.token = [...p.token];
    this.peekCount = p.peekCount;
    this.cursor = p.cursor;
  }

  protected lexNext(): Item {
    const item = this.items[Math.min(this.cursor, this.items.length - 1)] as Item;
    this.cursor++;
    return item;
  }

  next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lexNext();
    return this.token[this.peekCount] as Item;
  }

  backup(): void {
    this.peekCount++;
  }

  backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lexNext();
    return this.token[0];
  }

  nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === T.Space);
    return token;
  }

  peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // --- errors -------------------------------------------------------------------------------------

  errorf(message: string): never {
    const line = this.token[0]?.line ?? 1;
    throw new TemplateError("parse", `template: ${this.parseName}:${line}: ${message}`, line);
  }

  expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  unexpected(token: Item, context: string): never {
    if (token.type === T.Error) {
      let extra = "";
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(" action")) extra = extra.slice(" in action".length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  protected literal<V>(decode: () => V): V {
    try {
      return decode();
    } catch (err) {
      if (err instanceof LiteralError) this.errorf(err.message);
      throw err;
    }
  }
}
