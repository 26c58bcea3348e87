import type {
  AppRecord,
  RateLimitOverride,
  BusinessRecord,
  PhoneNumberRecord,
  StateSnapshot,
  TokenRecord,
  WabaRecord,
} from './records.ts';

/**
 * The one storage interface. Every method is async because the PostgreSQL implementation will do
 * network I/O; nothing above this layer may assume a synchronous SQLite underneath.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** True when no app, WABA, number or token is stored. */
  isEmpty(): Promise<boolean>;
  /** Replaces every stateful table with the snapshot in one transaction. Secrets in `meta` survive. */
  replaceState(state: StateSnapshot): Promise<void>;

  getPhoneNumber(id: string): Promise<PhoneNumberRecord | undefined>;
  getWaba(id: string): Promise<WabaRecord | undefined>;
  getBusiness(id: string): Promise<BusinessRecord | undefined>;
  getApp(id: string): Promise<AppRecord | undefined>;
  /** Looks a token up by its SHA-256 digest (lowercase hex) through an index. */
  getTokenByDigest(digest: string): Promise<TokenRecord | undefined>;
  countPhoneNumbers(): Promise<number>;
  /** Numbers in id order after `afterId` (keyset paging, so a scan is stable and cheap on any backend). */
  scanPhoneNumbers(afterId: string | null, limit: number): Promise<PhoneNumberRecord[]>;
  listTokens(): Promise<TokenRecord[]>;

  /** Whether at least one number of the WABA is CONNECTED (rate-limits.md: active WABAs get more). */
  isWabaActive(wabaId: string): Promise<boolean>;
  /** The admin-set limits of one (app, WABA) pair, if any. */
  getPairRateLimit(appId: string, wabaId: string): Promise<RateLimitOverride | undefined>;
  /** Sets limits on an app, a WABA or the pair (both given), merging with what is set, in one transaction. */
  setRateLimit(target: RateLimitTarget, limits: RateLimitOverride): Promise<void>;

  /** Server-wide secrets and settings (signing keys, cursor MAC key, clock offset). */
  getMeta(key: string): Promise<string | undefined>;
  /** Sets `key` only if absent; returns the value now stored (so concurrent instances agree). */
  initMeta(key: string, value: string): Promise<string>;
  setMeta(key: string, value: string): Promise<void>;

  close(): Promise<void>;
}

export interface RateLimitTarget {
  readonly app?: string;
  readonly waba?: string;
}

/**
 * A store failure the client may retry (Graph code 2): the database is busy, locked or unreachable.
 * Anything else a store throws is a bug (code 1).
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
