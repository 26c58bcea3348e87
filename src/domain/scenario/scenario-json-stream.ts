import { createReadStream } from 'node:fs';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';

/**
 * A JSON scenario read piece by piece, so a million numbers never sit in memory as one document. The
 * spine `businesses[].wabas[].phone_numbers[]` is walked token by token; every other value (a top-level
 * key, a business's or WABA's own keys, one phone number) is assembled whole, as JSON.parse would.
 */
export type ScenarioPart =
  /** A top-level key and its value (`businesses` only when it is not a list). */
  | { readonly kind: 'top'; readonly key: string; readonly value: unknown }
  /** A business's keys, given when its `wabas` list starts (or at its end when it has none). */
  | { readonly kind: 'business'; readonly index: number; readonly fields: Record<string, unknown> }
  | {
      readonly kind: 'waba';
      readonly business: number;
      readonly index: number;
      readonly fields: Record<string, unknown>;
    }
  | {
      readonly kind: 'number';
      readonly business: number;
      readonly waba: number;
      readonly index: number;
      readonly value: unknown;
    };

/**
 * The file is not in the shape a streaming load can take in one pass (keys after a list they belong
 * with, a business that is not an object, …): the caller loads it as a whole document instead.
 */
export class NotStreamable extends Error {
  constructor(reason: string) {
    super(`not streamable: ${reason}`);
    this.name = 'NotStreamable';
  }
}

/** The file is not valid JSON; the message is the parser's. */
export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

type Container = unknown[] | Record<string, unknown>;

/** Builds one value from packed tokens, like JSON.parse (a `__proto__` key is an own property). */
class ValueBuilder {
  readonly #stack: Container[] = [];
  readonly #keys: (string | undefined)[] = [];
  #done = false;
  #value: unknown;

  get active(): boolean {
    return this.#stack.length > 0;
  }

  /** Feeds one token; true when a whole value is complete (read it with `take`). */
  push(token: Token): boolean {
    switch (token.name) {
      case 'startObject':
        this.#stack.push({});
        this.#keys.push(undefined);
        return false;
      case 'startArray':
        this.#stack.push([]);
        this.#keys.push(undefined);
        return false;
      case 'endObject':
      case 'endArray': {
        const closed = this.#stack.pop();
        this.#keys.pop();
        return this.#add(closed);
      }
      case 'keyValue':
        this.#keys[this.#keys.length - 1] = token.value;
        return false;
      case 'stringValue':
        return this.#add(token.value);
      case 'numberValue':
        return this.#add(Number(token.value));
      case 'nullValue':
        return this.#add(null);
      case 'trueValue':
        return this.#add(true);
      case 'falseValue':
        return this.#add(false);
      default:
        return false;
    }
  }

  take(): unknown {
    const value = this.#value;
    this.#done = false;
    this.#value = undefined;
    return value;
  }

  #add(value: unknown): boolean {
    const parent = this.#stack.at(-1);
    if (parent === undefined) {
      this.#done = true;
      this.#value = value;
      return this.#done;
    }
    if (Array.isArray(parent)) parent.push(value);
    else setOwn(parent, this.#keys.at(-1) ?? '', value);
    return false;
  }
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

type FrameKind = 'root' | 'doc' | 'businesses' | 'business' | 'wabas' | 'waba' | 'numbers';

interface Frame {
  readonly kind: FrameKind;
  readonly index: number;
  readonly fields: Record<string, unknown>;
  key: string | undefined;
  /** Items seen so far (list frames). */
  count: number;
  /** Whether the frame's list (wabas, phone_numbers) has been entered. */
  listed: boolean;
}

const LIST_KEY: Partial<Record<FrameKind, string>> = { business: 'wabas', waba: 'phone_numbers' };
const VALUE_STARTS = new Set([
  'startObject',
  'startArray',
  'stringValue',
  'numberValue',
  'nullValue',
  'trueValue',
  'falseValue',
]);

/** Turns the token stream of a scenario document into `ScenarioPart`s, in document order. */
export class ScenarioWalker {
  readonly #frames: Frame[] = [frame('root', 0)];
  readonly #builder = new ValueBuilder();
  readonly #parts: ScenarioPart[] = [];

  /** The parts completed since the last call. */
  drain(): ScenarioPart[] {
    return this.#parts.splice(0, this.#parts.length);
  }

  push(token: Token): void {
    if (this.#builder.active) {
      if (this.#builder.push(token)) this.#complete(this.#builder.take());
      return;
    }
    this.#structural(token);
  }

  #structural(token: Token): void {
    const top = this.#frames.at(-1) as Frame;
    switch (top.kind) {
      case 'root':
        if (token.name !== 'startObject') throw new NotStreamable('the document is not an object');
        this.#frames.push(frame('doc', 0));
        return;
      case 'doc':
      case 'business':
      case 'waba':
        return this.#inObject(top, token);
      case 'businesses':
      case 'wabas':
        return this.#inList(top, token, top.kind === 'businesses' ? 'business' : 'waba');
      case 'numbers':
        if (token.name === 'endArray') return this.#closeList();
        top.count += 1;
        return this.#value(token);
    }
  }

  #inObject(top: Frame, token: Token): void {
    if (token.name === 'keyValue') {
      if (top.listed && top.kind !== 'doc') {
        throw new NotStreamable(`key ${JSON.stringify(token.value)} after the ${LIST_KEY[top.kind]} list`);
      }
      top.key = token.value;
      return;
    }
    if (token.name === 'endObject') return this.#closeObject(top);
    const listKey = top.kind === 'doc' ? 'businesses' : LIST_KEY[top.kind];
    if (top.key === listKey && token.name === 'startArray') {
      if (top.listed) throw new NotStreamable(`a second ${listKey} key`);
      top.listed = true;
      this.#announce(top);
      this.#frames.push(
        frame(top.kind === 'doc' ? 'businesses' : top.kind === 'business' ? 'wabas' : 'numbers', 0),
      );
      return;
    }
    this.#value(token);
  }

  #inList(top: Frame, token: Token, item: 'business' | 'waba'): void {
    if (token.name === 'endArray') return this.#closeList();
    if (token.name !== 'startObject') throw new NotStreamable(`a ${item} that is not an object`);
    this.#frames.push(frame(item, top.count));
    top.count += 1;
  }

  #value(token: Token): void {
    if (!VALUE_STARTS.has(token.name)) return;
    if (this.#builder.push(token)) this.#complete(this.#builder.take());
  }

  /** A business or WABA is announced once its own keys are known: when its list starts, or at its end. */
  #announce(object: Frame): void {
    if (object.kind === 'business') {
      this.#parts.push({ kind: 'business', index: object.index, fields: object.fields });
    } else if (object.kind === 'waba') {
      const business = this.#frames.at(-3) as Frame;
      this.#parts.push({
        kind: 'waba',
        business: business.index,
        index: object.index,
        fields: object.fields,
      });
    }
  }

  #closeObject(object: Frame): void {
    if (!object.listed) this.#announce(object);
    this.#frames.pop();
    if (object.kind === 'doc') this.#frames.push(frame('root', 1));
  }

  #closeList(): void {
    this.#frames.pop();
  }

  #complete(value: unknown): void {
    const top = this.#frames.at(-1) as Frame;
    if (top.kind === 'numbers') {
      const waba = this.#frames.at(-2) as Frame;
      const business = this.#frames.at(-4) as Frame;
      this.#parts.push({
        kind: 'number',
        business: business.index,
        waba: waba.index,
        index: top.count - 1,
        value,
      });
    } else if (top.kind === 'doc') {
      this.#parts.push({ kind: 'top', key: top.key ?? '', value });
    } else {
      setOwn(top.fields, top.key ?? '', value);
    }
  }
}

function frame(kind: FrameKind, index: number): Frame {
  return { kind, index, fields: {}, key: undefined, count: 0, listed: false };
}

/**
 * Reads a JSON scenario file and hands its parts to `onParts` a chunk at a time (the next chunk is read
 * only once `onParts` has settled, so memory stays bounded by the chunk size), with the bytes read so far.
 */
export async function streamScenarioJson(
  path: string,
  onParts: (parts: ScenarioPart[], bytesRead: number) => Promise<void>,
): Promise<void> {
  const parse = jsonParser({ streamValues: false });
  const walker = new ScenarioWalker();
  const feed = (input: string | typeof none): void => {
    let out: unknown;
    try {
      out = parse(input as string);
    } catch (error) {
      throw new JsonSyntaxError(error instanceof Error ? error.message : String(error));
    }
    if (out === none) return;
    const tokens = isMany(out) ? (getManyValues(out) as Token[]) : [out as Token];
    for (const token of tokens) walker.push(token);
  };
  let first = true;
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of input) {
    let text = chunk as string;
    // Editors on Windows save a byte-order mark that JSON.parse rejects.
    if (first && text.startsWith('\uFEFF')) text = text.slice(1);
    first = false;
    feed(text);
    await onParts(walker.drain(), input.bytesRead);
  }
  feed(none);
  await onParts(walker.drain(), input.bytesRead);
}
