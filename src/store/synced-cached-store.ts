import type { AppRecord, PhoneNumberRecord, RateLimitOverride, TokenRecord, WabaRecord } from './records.ts';
import { CachedStore } from './cached-store.ts';
import type { InstanceChangeSource, Store } from './store.ts';

/**
 * The read cache of one instance among several on a shared store: another instance's committed change
 * (heard on `source`) drops what it made stale. While the channel is down the cache is dropped and not
 * served from: every cached read first drops it, so it reads the store (never stale indefinitely); once
 * the channel is back, the cache is dropped once more (changes made meanwhile were not heard) and used
 * again.
 */
export class SyncedCachedStore extends CachedStore {
  readonly source: InstanceChangeSource;
  #uncached = true;

  constructor(inner: Store, source: InstanceChangeSource, options: { readonly cacheBytes?: number } = {}) {
    super(inner, options);
    this.source = source;
    this.#uncached = !source.connected;
    // Delivery results (the busiest notices) change no cached record.
    source.subscribe((notice) => {
      if (notice.kind !== 'delivery') this.forget(notice);
    });
    source.onConnection((connected) => {
      this.#uncached = !connected;
      this.invalidate();
    });
  }

  /** True while changes of other instances may go unheard (the cache is bypassed). */
  get uncached(): boolean {
    return this.#uncached;
  }

  #bypass(): void {
    if (this.#uncached) this.invalidate();
  }

  override getPhoneNumber(id: string): Promise<PhoneNumberRecord | undefined> {
    this.#bypass();
    return super.getPhoneNumber(id);
  }

  override getWaba(id: string): Promise<WabaRecord | undefined> {
    this.#bypass();
    return super.getWaba(id);
  }

  override getApp(id: string): Promise<AppRecord | undefined> {
    this.#bypass();
    return super.getApp(id);
  }

  override getTokenByDigest(digest: string): Promise<TokenRecord | undefined> {
    this.#bypass();
    return super.getTokenByDigest(digest);
  }

  override isWabaActive(wabaId: string): Promise<boolean> {
    this.#bypass();
    return super.isWabaActive(wabaId);
  }

  override getPairRateLimit(appId: string, wabaId: string): Promise<RateLimitOverride | undefined> {
    this.#bypass();
    return super.getPairRateLimit(appId, wabaId);
  }

  // The read fast path's synchronous peeks: nothing counts as cached while the channel is down.
  override peekPhoneNumber(id: string): PhoneNumberRecord | null | undefined {
    return this.#uncached ? undefined : super.peekPhoneNumber(id);
  }

  override readPhoneNumberNow(id: string): PhoneNumberRecord | null | undefined {
    return this.#uncached ? undefined : super.readPhoneNumberNow(id);
  }

  override peekTokenByDigest(digest: string): TokenRecord | null | undefined {
    return this.#uncached ? undefined : super.peekTokenByDigest(digest);
  }

  override peekApp(id: string): AppRecord | null | undefined {
    return this.#uncached ? undefined : super.peekApp(id);
  }

  override peekWaba(id: string): WabaRecord | null | undefined {
    return this.#uncached ? undefined : super.peekWaba(id);
  }

  override peekWabaActive(wabaId: string): boolean | undefined {
    return this.#uncached ? undefined : super.peekWabaActive(wabaId);
  }

  override peekPairRateLimit(appId: string, wabaId: string): RateLimitOverride | null | undefined {
    return this.#uncached ? undefined : super.peekPairRateLimit(appId, wabaId);
  }
}
