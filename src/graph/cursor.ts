import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { invalidParameter } from './graph-error.ts';

/** The `meta` key of the cursor MAC secret; `initMeta` makes every instance on one store agree. */
export const CURSOR_KEY_META = 'cursor_mac_key';
const MAC_BYTES = 16;

/**
 * Opaque paging cursors (graph-api.md §5): base64url of the JSON position key followed by a truncated
 * HMAC-SHA256 over the list's scope and the key. A cursor of another list (scope) or an edited one
 * fails the MAC, so it is an `Invalid … cursor` error, never a wrong page.
 */
export class CursorCodec {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    this.#secret = secret;
  }

  static async fromStore(store: Store): Promise<CursorCodec> {
    const hex = await store.initMeta(CURSOR_KEY_META, randomBytes(32).toString('hex'));
    return new CursorCodec(Buffer.from(hex, 'hex'));
  }

  #mac(scope: string, payload: Buffer): Buffer {
    return createHmac('sha256', this.#secret)
      .update(scope)
      .update('\u0000')
      .update(payload)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  encode(scope: string, key: unknown): string {
    const payload = Buffer.from(JSON.stringify(key));
    return Buffer.concat([payload, this.#mac(scope, payload)]).toString('base64url');
  }

  /** The key a cursor holds; `which` names the parameter in the error. */
  decode(scope: string, cursor: string, which: 'after' | 'before'): unknown {
    const bytes = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
    if (bytes.length <= MAC_BYTES) throw invalidParameter('cursor', { which });
    const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
    const mac = bytes.subarray(bytes.length - MAC_BYTES);
    if (!timingSafeEqual(mac, this.#mac(scope, payload))) throw invalidParameter('cursor', { which });
    try {
      return JSON.parse(payload.toString('utf8')) as unknown;
    } catch {
      throw invalidParameter('cursor', { which });
    }
  }
}
