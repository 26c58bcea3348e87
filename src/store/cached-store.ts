import type {
  AppRecord,
  BusinessProfileChange,
  BusinessProfileRecord,
  WabaChange,
  WabaHistoryEntry,
  RateLimitOverride,
  AttemptResult,
  BusinessRecord,
  DeliveryQuery,
  DeliveryRecord,
  HistoryEntry,
  NumberWebhookOverride,
  OtpRecord,
  PhoneNumberChange,
  PhoneNumberRecord,
  QrCodeRecord,
  StateSnapshot,
  SubscriptionState,
  TokenRecord,
  WabaRecord,
  WebhookSubscription,
  FaultRuleRecord,
} from './records.ts';
import { ChangeFeed, type ChangeNotice } from '../events/change-feed.ts';
import type { KeysetQuery, LimitedCallWindow, PhoneNumberQuery, RateLimitTarget, Store } from './store.ts';

const MAX_ENTRIES = 250_000;
/** Each cache also stops at this many (estimated) bytes of keys and values. */
export const MAX_CACHE_BYTES = 256 * 1_048_576;
/** Longer than any real Graph id (phone and WABA ids have 15-16 digits): looked up, never cached. */
export const MAX_CACHED_ID_LENGTH = 20;
/** What a cache entry costs beyond its key and value: the map slot and the record's object. */
const ENTRY_OVERHEAD_BYTES = 96;

/** A rough size of a record: its strings (2 bytes a character) and a slot per field; nested objects as JSON. */
export function approximateBytes(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return value.length * 2;
  if (typeof value !== 'object') return 8;
  let bytes = 0;
  for (const field of Object.values(value as Record<string, unknown>)) {
    if (typeof field === 'string') bytes += 16 + field.length * 2;
    else if (field !== null && typeof field === 'object') bytes += 16 + JSON.stringify(field).length * 2;
    else bytes += 16;
  }
  return bytes;
}

/**
 * A bounded map that forgets everything when full (entries or bytes): writes are rare, reads repeat.
 * Misses are cached too (as null), so unknown ids cost one database read each, not one per request;
 * keys longer than a real id are never kept.
 */
class ReadCache<V> {
  readonly #entries = new Map<string, V | null>();
  readonly #maxBytes: number;
  readonly #maxKeyLength: number;
  #bytes = 0;
  /** Bumped by every clear and delete: a load they overtook answers its caller but is not kept. */
  #generation = 0;

  constructor(maxKeyLength: number = MAX_CACHED_ID_LENGTH, maxBytes: number = MAX_CACHE_BYTES) {
    this.#maxKeyLength = maxKeyLength;
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes held (keys, values, overhead). */
  get bytes(): number {
    return this.#bytes;
  }

  #cost(key: string, value: V | null): number {
    return ENTRY_OVERHEAD_BYTES + key.length * 2 + approximateBytes(value);
  }

  /** Keeps `value` unless the cache is full; returns whether it did (warming stops when it does not). */
  set(key: string, value: V): boolean {
    const cost = this.#cost(key, value);
    if (this.#entries.size >= MAX_ENTRIES || this.#bytes + cost > this.#maxBytes) return false;
    this.#remember(key, value, cost);
    return true;
  }

  #remember(key: string, value: V | null, cost: number): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#bytes -= this.#cost(key, previous);
    this.#entries.set(key, value);
    this.#bytes += cost;
  }

  async get(key: string, load: (key: string) => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const generation = this.#generation;
    const value = await load(key);
    if (key.length > this.#maxKeyLength || generation !== this.#generation) return value;
    const cost = this.#cost(key, value ?? null);
    if (this.#entries.size >= MAX_ENTRIES || this.#bytes + cost > this.#maxBytes) this.clear();
    this.#remember(key, value ?? null, cost);
    return value;
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#bytes = 0;
  }

  delete(key: string): void {
    this.#generation++;
    const previous = this.#entries.get(key);
    if (previous === undefined) return;
    this.#bytes -= this.#cost(key, previous);
    this.#entries.delete(key);
  }
}

/**
 * The in-process read cache in front of a store: numbers, WABAs, apps and token digests. Every
 * write through this process clears it before returning, so the next read sees the change. Records
 * handed out are shared: callers treat them as read-only.
 * With several instances on one PostgreSQL store a write on another instance is not seen here;
 * the scale-out store must invalidate through its own channel (docs/decisions/0002-read-cache.md).
 */
export class CachedStore implements Store {
  readonly #inner: Store;
  readonly #numbers = new ReadCache<PhoneNumberRecord>();
  readonly #wabas = new ReadCache<WabaRecord>();
  readonly #apps = new ReadCache<AppRecord>();
  /** Keyed by token digest (a fixed-length hash), not by the token. */
  readonly #tokens = new ReadCache<TokenRecord>(128);
  readonly #activeWabas = new ReadCache<boolean>();
  /** Keyed by `app:waba`. */
  readonly #pairLimits = new ReadCache<RateLimitOverride>(2 * MAX_CACHED_ID_LENGTH + 1);
  /** Every write that commits through this process is published here (the SSE stream listens). */
  readonly changes = new ChangeFeed();

  constructor(inner: Store) {
    this.#inner = inner;
  }

  get kind(): Store['kind'] {
    return this.#inner.kind;
  }

  /** Estimated bytes held by every read cache (tests and docs/reliability.md). */
  get cachedBytes(): number {
    return (
      this.#numbers.bytes +
      this.#wabas.bytes +
      this.#apps.bytes +
      this.#tokens.bytes +
      this.#activeWabas.bytes +
      this.#pairLimits.bytes
    );
  }

  /**
   * Drops what one committed change (made here or, on PostgreSQL, by another instance) may have made
   * stale. The seam cross-instance notifications call; for now it drops every cache.
   */
  forget(notice: ChangeNotice): void {
    void notice;
    this.invalidate();
  }

  /** Drops every cache (a lost notification channel, a state replacement). */
  invalidate(): void {
    this.#numbers.clear();
    this.#wabas.clear();
    this.#apps.clear();
    this.#tokens.clear();
    this.#activeWabas.clear();
    this.#pairLimits.clear();
  }

  /**
   * Loads numbers into the cache up to its bound, so the first read of each is not a database miss
   * (on a large state, random reads would otherwise miss for minutes). Returns how many were loaded.
   */
  async warm(pageSize = 5000): Promise<number> {
    let after: string | null = null;
    while (this.#numbers.size < MAX_ENTRIES) {
      const page = await this.#inner.scanPhoneNumbers(after, pageSize);
      for (const number of page) if (!this.#numbers.set(number.id, number)) return this.#numbers.size;
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) break;
      after = last.id;
    }
    return this.#numbers.size;
  }

  isEmpty(): Promise<boolean> {
    return this.#inner.isEmpty();
  }

  async replaceState(state: StateSnapshot, options?: { keepLog?: boolean }): Promise<void> {
    try {
      await this.#inner.replaceState(state, options);
      this.changes.publish({ kind: 'state', id: null });
    } finally {
      this.invalidate();
    }
  }

  getPhoneNumber(id: string): Promise<PhoneNumberRecord | undefined> {
    return this.#numbers.get(id, (key) => this.#inner.getPhoneNumber(key));
  }

  getWaba(id: string): Promise<WabaRecord | undefined> {
    return this.#wabas.get(id, (key) => this.#inner.getWaba(key));
  }

  getBusiness(id: string): Promise<BusinessRecord | undefined> {
    return this.#inner.getBusiness(id);
  }

  getApp(id: string): Promise<AppRecord | undefined> {
    return this.#apps.get(id, (key) => this.#inner.getApp(key));
  }

  getTokenByDigest(digest: string): Promise<TokenRecord | undefined> {
    return this.#tokens.get(digest, (key) => this.#inner.getTokenByDigest(key));
  }

  scanPhoneNumbers(afterId: string | null, limit: number): Promise<PhoneNumberRecord[]> {
    return this.#inner.scanPhoneNumbers(afterId, limit);
  }

  countPhoneNumbers(): Promise<number> {
    return this.#inner.countPhoneNumbers();
  }

  isWabaActive(wabaId: string): Promise<boolean> {
    return this.#activeWabas
      .get(wabaId, (key) => this.#inner.isWabaActive(key))
      .then((active) => active === true);
  }

  getPairRateLimit(appId: string, wabaId: string): Promise<RateLimitOverride | undefined> {
    return this.#pairLimits.get(`${appId}:${wabaId}`, () => this.#inner.getPairRateLimit(appId, wabaId));
  }

  async setRateLimit(target: RateLimitTarget, limits: RateLimitOverride): Promise<void> {
    try {
      await this.#inner.setRateLimit(target, limits);
      this.changes.publish({ kind: 'rate_limit', id: null });
    } finally {
      this.invalidate();
    }
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.#inner.listTokens();
  }

  // QR codes and list pages are not cached: only single-record reads on the hot path are.
  getQrCode(code: string): Promise<QrCodeRecord | undefined> {
    return this.#inner.getQrCode(code);
  }

  listQrCodes(phoneNumberId: string, query: KeysetQuery<number>, code?: string): Promise<QrCodeRecord[]> {
    return this.#inner.listQrCodes(phoneNumberId, query, code);
  }

  async createQrCode(
    record: Omit<QrCodeRecord, 'position'>,
    maxPerNumber: number,
  ): Promise<QrCodeRecord | 'limit'> {
    const created = await this.#inner.createQrCode(record, maxPerNumber);
    if (created !== 'limit') this.#qrChanged(record.phone_number_id, record.code);
    return created;
  }

  async updateQrCode(
    phoneNumberId: string,
    code: string,
    prefilledMessage: string,
  ): Promise<QrCodeRecord | undefined> {
    const updated = await this.#inner.updateQrCode(phoneNumberId, code, prefilledMessage);
    if (updated !== undefined) this.#qrChanged(phoneNumberId, code);
    return updated;
  }

  async deleteQrCode(phoneNumberId: string, code: string): Promise<boolean> {
    const deleted = await this.#inner.deleteQrCode(phoneNumberId, code);
    if (deleted) this.#qrChanged(phoneNumberId, code);
    return deleted;
  }

  #qrChanged(phoneNumberId: string, code: string): void {
    this.changes.publish({ kind: 'qr_code', id: code, phone_number_id: phoneNumberId });
  }

  listWabaPhoneNumbers(wabaId: string, query: PhoneNumberQuery): Promise<PhoneNumberRecord[]> {
    return this.#inner.listWabaPhoneNumbers(wabaId, query);
  }

  async createPhoneNumber(record: PhoneNumberRecord, digits: string): Promise<'created' | 'in_use'> {
    try {
      const result = await this.#inner.createPhoneNumber(record, digits);
      if (result === 'created') {
        this.changes.publish({
          kind: 'phone_number',
          id: record.id,
          phone_number_id: record.id,
          waba_id: record.waba_id,
        });
      }
      return result;
    } finally {
      // The new id may have been cached as a miss.
      this.#numbers.clear();
      this.#activeWabas.delete(record.waba_id);
    }
  }

  listApps(): Promise<AppRecord[]> {
    return this.#inner.listApps();
  }

  listWabas(): Promise<WabaRecord[]> {
    return this.#inner.listWabas();
  }

  readState(): Promise<StateSnapshot> {
    return this.#inner.readState();
  }

  async commitPhoneNumberChange(change: PhoneNumberChange): Promise<void> {
    try {
      await this.#inner.commitPhoneNumberChange(change);
      this.changes.publish({
        kind: 'phone_number',
        id: change.number.id,
        phone_number_id: change.number.id,
        waba_id: change.number.waba_id,
        history: change.history,
      });
    } finally {
      this.#numbers.delete(change.number.id);
      // A status change may make the WABA active or inactive for rate limits.
      this.#activeWabas.delete(change.number.waba_id);
    }
  }

  // OTPs and limited calls are not cached: nothing to invalidate.
  getOtp(phoneNumberId: string): Promise<OtpRecord | undefined> {
    return this.#inner.getOtp(phoneNumberId);
  }

  putOtp(otp: OtpRecord): Promise<void> {
    return this.#inner.putOtp(otp);
  }

  admitLimitedCall(
    window: LimitedCallWindow,
    phoneNumberId: string,
    at: string,
    since: string,
    max: number,
  ): Promise<boolean> {
    return this.#inner.admitLimitedCall(window, phoneNumberId, at, since, max);
  }

  // Business profiles are read per profile call, not on the hot read path: not cached.
  getBusinessProfile(phoneNumberId: string): Promise<BusinessProfileRecord | undefined> {
    return this.#inner.getBusinessProfile(phoneNumberId);
  }

  async commitBusinessProfileChange(change: BusinessProfileChange): Promise<void> {
    await this.#inner.commitBusinessProfileChange(change);
    const id = change.profile.phone_number_id;
    this.changes.publish({ kind: 'business_profile', id, phone_number_id: id, history: change.history });
  }

  async commitWabaChange(change: WabaChange): Promise<void> {
    try {
      await this.#inner.commitWabaChange(change);
      this.changes.publish({ kind: 'waba', id: change.waba.id, waba_id: change.waba.id });
    } finally {
      this.#wabas.delete(change.waba.id);
    }
  }

  listWabaHistory(wabaId: string): Promise<WabaHistoryEntry[]> {
    return this.#inner.listWabaHistory(wabaId);
  }

  listHistory(phoneNumberId: string): Promise<HistoryEntry[]> {
    return this.#inner.listHistory(phoneNumberId);
  }

  async setAppWebhook(appId: string, webhook: WebhookSubscription | null): Promise<void> {
    try {
      await this.#inner.setAppWebhook(appId, webhook);
      this.changes.publish({ kind: 'webhook_subscription', id: appId });
    } finally {
      this.#apps.delete(appId);
    }
  }

  async setAppWebhookState(appId: string, url: string, state: SubscriptionState): Promise<void> {
    try {
      await this.#inner.setAppWebhookState(appId, url, state);
      this.changes.publish({ kind: 'webhook_subscription', id: appId });
    } finally {
      this.#apps.delete(appId);
    }
  }

  async setNumberWebhookState(
    phoneNumberId: string,
    url: string,
    state: NumberWebhookOverride['state'],
  ): Promise<void> {
    try {
      await this.#inner.setNumberWebhookState(phoneNumberId, url, state);
      this.changes.publish({
        kind: 'webhook_subscription',
        id: phoneNumberId,
        phone_number_id: phoneNumberId,
      });
    } finally {
      this.#numbers.delete(phoneNumberId);
    }
  }

  dueDeliveries(now: string, limit: number, leaseMs?: number): Promise<DeliveryRecord[]> {
    return this.#inner.dueDeliveries(now, limit, leaseMs);
  }

  async recordAttempts(results: readonly AttemptResult[]): Promise<void> {
    await this.#inner.recordAttempts(results);
    for (const result of results) this.changes.publish({ kind: 'delivery', id: String(result.outbox_id) });
  }

  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return this.#inner.listDeliveries(query);
  }

  getDelivery(id: number): Promise<DeliveryRecord | undefined> {
    return this.#inner.getDelivery(id);
  }

  async redeliver(id: number, now: string): Promise<boolean> {
    const queued = await this.#inner.redeliver(id, now);
    if (queued) this.changes.publish({ kind: 'delivery', id: String(id) });
    return queued;
  }

  outboxLag(): Promise<{ pending: number; oldest_created_at: string | null }> {
    return this.#inner.outboxLag();
  }

  // Fault rules: FaultRules keeps the in-process copy and publishes their changes.
  listFaultRules(): Promise<FaultRuleRecord[]> {
    return this.#inner.listFaultRules();
  }

  addFaultRule(rule: string, times: number | null): Promise<FaultRuleRecord> {
    return this.#inner.addFaultRule(rule, times);
  }

  deleteFaultRule(id: string): Promise<boolean> {
    return this.#inner.deleteFaultRule(id);
  }

  clearFaultRules(): Promise<void> {
    return this.#inner.clearFaultRules();
  }

  useFaultRule(id: string): Promise<FaultRuleRecord | undefined> {
    return this.#inner.useFaultRule(id);
  }

  getMeta(key: string): Promise<string | undefined> {
    return this.#inner.getMeta(key);
  }

  initMeta(key: string, value: string): Promise<string> {
    return this.#inner.initMeta(key, value);
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.#inner.setMeta(key, value);
  }

  close(): Promise<void> {
    this.invalidate();
    return this.#inner.close();
  }
}
