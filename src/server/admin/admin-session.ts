import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/store.ts';

/** The `meta` key of the secret that signs session cookies; `initMeta` makes every instance agree. */
export const SESSION_KEY_META = 'admin_session_key';

/** The cookie the token page sets (docs/dashboard.md, "Access"). */
export const SESSION_COOKIE = 'phonegraph_session';

const SESSION_ID_BYTES = 18;
const MAC_DOMAIN = 'phonegraph admin session';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Whether `given` is the admin token, in time that depends on neither how much of it matches nor its
 * length: both sides are hashed to 32 bytes first, then compared in constant time.
 */
export function tokenMatches(given: string, adminToken: string): boolean {
  return timingSafeEqual(sha256(given), sha256(adminToken));
}

/**
 * Session cookies for `--admin-token` servers: `{session id}.{MAC}`, where the id is random and the
 * MAC is an HMAC-SHA256 of the token's digest and the id under a secret kept in the store's `meta`.
 * The cookie never holds the token; a restart or another instance on the same store accepts it; a new
 * token invalidates every cookie issued under the old one. Nothing per session is stored.
 */
export class AdminSessions {
  readonly #secret: Buffer;
  readonly #tokenDigest: Buffer;

  constructor(secret: Buffer, adminToken: string) {
    this.#secret = secret;
    this.#tokenDigest = sha256(adminToken);
  }

  static async fromStore(store: Store, adminToken: string): Promise<AdminSessions> {
    const hex = await store.initMeta(SESSION_KEY_META, randomBytes(32).toString('hex'));
    return new AdminSessions(Buffer.from(hex, 'hex'), adminToken);
  }

  #mac(sessionId: string): string {
    return createHmac('sha256', this.#secret)
      .update(MAC_DOMAIN)
      .update('\u0000')
      .update(this.#tokenDigest)
      .update('\u0000')
      .update(sessionId)
      .digest('base64url');
  }

  /** A new cookie value. */
  issue(): string {
    const sessionId = randomBytes(SESSION_ID_BYTES).toString('base64url');
    return `${sessionId}.${this.#mac(sessionId)}`;
  }

  /** Whether a cookie value was issued by `issue` under this secret and token (constant-time MAC check). */
  verify(value: string): boolean {
    const dot = value.indexOf('.');
    if (dot <= 0) return false;
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.#mac(value.slice(0, dot)));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
