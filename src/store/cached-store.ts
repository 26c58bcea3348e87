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
  StateBatch,
  StateSnapshot,
  SubscriptionState,
  TokenRecord,
  WabaRecord,
  WebhookSubscription,
  FaultRuleRecord,
} from './records.ts';
import { ChangeFeed, type ChangeNotice } from '../events/change-feed.ts';
import { approximateBytes, BudgetEntry, CacheBudget, stringBytes, type BudgetOwner } from './cache-budget.ts';
import type {
  KeysetQuery,
  LimitedCallWindow,
  PhoneNumberQuery,
  RateLimitTarget,
  StateSeed,
  Store,
} from './store.ts';

/** Longer than any real Graph id (phone and WABA ids have 15-16 digits): looked up, never cached. */
export const MAX_CACHED_ID_LENGTH = 20;
/** What a cache entry costs beyond its key and value: the map slot and the budget entry object. */
const ENTRY_OVERHEAD_BYTES = 136;

/**
 * One kind of record by key, under the shared byte budget (least recently used goes first). Misses are
 * cached too (as null), so unknown ids cost one database read each, not one per request; keys longer
 * than a real id are never kept.
 */
class ReadCache<V> implements BudgetOwner {
  readonly #entries = new Map<string, BudgetEntry<string, V | null>>();
  readonly #budget: CacheBudget;
  readonly #maxKeyLength: number;
  /** Bumped by every drop: a load that started before it may be stale and is returned, not kept. */
  #epoch = 0;

  constructor(budget: CacheBudget, maxKeyLength: number = MAX_CACHED_ID_LENGTH) {
    this.#budget = budget;
    this.#maxKeyLength = maxKeyLength;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value (null = cached as absent), or undefined when not cached; counts as a use. */
  peek(key: string): V | null | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#budget.touch(entry);
    return entry.value;
  }

  async get(key: string, load: (key: string) => Promise<V | undefined>): Promise<V | undefined> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#budget.touch(entry);
      return entry.value ?? undefined;
    }
    const epoch = this.#epoch;
    const value = await load(key);
    // A change committed while the load ran may not be in `value`: answer with it, do not keep it.
    if (key.length <= this.#maxKeyLength && epoch === this.#epoch) this.#keep(key, value ?? null);
    return value;
  }

  /** `get` for a synchronous source: nothing can commit while it runs, so the answer is always kept. */
  getNow(key: string, load: (key: string) => V | undefined): V | null {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#budget.touch(entry);
      return entry.value;
    }
    const value = load(key) ?? null;
    if (key.length <= this.#maxKeyLength) this.#keep(key, value);
    return value;
  }

  #keep(key: string, value: V | null): void {
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#budget.remove(previous);
    const entry = new BudgetEntry<string, V | null>(
      this,
      key,
      value,
      ENTRY_OVERHEAD_BYTES + stringBytes(key) + approximateBytes(value),
    );
    this.#entries.set(key, entry);
    this.#budget.add(entry as BudgetEntry);
  }

  evicted(entry: BudgetEntry): void {
    const key = entry.key as string;
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
  }

  delete(key: string): void {
    this.#epoch += 1;
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#budget.remove(entry as BudgetEntry);
  }

  /** Drops every entry of this kind (each leaves the budget too). */
  clear(): void {
    this.#epoch += 1;
    for (const entry of this.#entries.values()) this.#budget.remove(entry as BudgetEntry);
    this.#entries.clear();
  }

  /** Marks a change for loads in flight without dropping anything (after a budget-wide clear). */
  bump(): void {
    this.#epoch += 1;
  }
}

/**
 * The in-process read cache in front of a store: numbers, WABAs, apps, token digests, active WABAs and
 * pair limits, all under one byte budget shared with the rendered-body memo (`budget`). Every write
 * through this process drops exactly what it changed before returning (`forget`), so the next read sees
 * the change. Records handed out are shared: callers treat them as read-only.
 * With several instances on one PostgreSQL store, changes committed elsewhere arrive as notices that
 * the scale-out store passes to `forget`, or `invalidate` when its channel is lost
 * (docs/decisions/0002-read-cache.md).
 */
export class CachedStore implements Store {
  readonly #inner: Store;
  /** The byte budget of every cache here and of the graph layer's rendered-body memo. */
  readonly budget: CacheBudget;
  readonly #numbers: ReadCache<PhoneNumberRecord>;
  readonly #wabas: ReadCache<WabaRecord>;
  readonly #apps: ReadCache<AppRecord>;
  /** Keyed by token digest (a fixed-length hash), not by the token. */
  readonly #tokens: ReadCache<TokenRecord>;
  readonly #activeWabas: ReadCache<boolean>;
  /** Keyed by `app:waba`. */
  readonly #pairLimits: ReadCache<RateLimitOverride>;
  /** Every write that commits through this process is published here (the SSE stream listens). */
  readonly changes = new ChangeFeed();

  constructor(inner: Store, options: { readonly cacheBytes?: number } = {}) {
    this.#inner = inner;
    this.budget = new CacheBudget(options.cacheBytes);
    this.#numbers = new ReadCache(this.budget);
    this.#wabas = new ReadCache(this.budget);
    this.#apps = new ReadCache(this.budget);
    this.#tokens = new ReadCache(this.budget, 128);
    this.#activeWabas = new ReadCache(this.budget);
    this.#pairLimits = new ReadCache(this.budget, 2 * MAX_CACHED_ID_LENGTH + 1);
  }

  get kind(): Store['kind'] {
    return this.#inner.kind;
  }

  /** Estimated bytes held by every read cache and the rendered-body memo (tests, docs/reliability.md). */
  get cachedBytes(): number {
    return this.budget.bytes;
  }

  /**
   * Drops what one committed change (made here or, on PostgreSQL, by another instance) may have made
   * stale, and nothing else. A notice without the ids needed to be precise drops the whole kind.
   */
  forget(notice: ChangeNotice): void {
    switch (notice.kind) {
      case 'phone_number':
        this.#forgetNumber(notice.phone_number_id ?? notice.id, notice.waba_id);
        return;
      case 'waba': {
        const id = notice.waba_id ?? notice.id;
        if (id === null) this.#wabas.clear();
        else this.#wabas.delete(id);
        return;
      }
      case 'webhook_subscription':
        // A number's override lives on the number record; an app's subscription on the app record.
        if (notice.phone_number_id !== undefined) this.#forgetNumber(notice.phone_number_id, undefined);
        else if (notice.id === null) this.#apps.clear();
        else this.#apps.delete(notice.id);
        return;
      case 'rate_limit':
        this.#forgetRateLimit(notice.app_id, notice.waba_id);
        return;
      case 'state':
        this.invalidate();
        return;
      // QR codes, profiles, deliveries, fault rules and the clock are not cached here.
      case 'qr_code':
      case 'business_profile':
      case 'delivery':
      case 'fault_rule':
      case 'clock':
        return;
    }
  }

  /** The number (also a cached miss of a new id) and whether its WABA has a connected number. */
  #forgetNumber(id: string | null, wabaId: string | undefined): void {
    if (id === null) {
      this.#numbers.clear();
      this.#activeWabas.clear();
      return;
    }
    const cached = this.#numbers.peek(id);
    this.#numbers.delete(id);
    const waba = wabaId ?? cached?.waba_id;
    // Unknown WABA (a notice without one, the number not cached): any WABA's flag may have changed.
    if (waba === undefined) this.#activeWabas.clear();
    else this.#activeWabas.delete(waba);
  }

  /** An app's limit is on the app record, a WABA's on the WABA record, a pair's in the pair cache. */
  #forgetRateLimit(appId: string | undefined, wabaId: string | undefined): void {
    if (appId === undefined && wabaId === undefined) {
      this.#apps.clear();
      this.#wabas.clear();
      this.#pairLimits.clear();
    } else if (appId !== undefined && wabaId !== undefined) {
      this.#pairLimits.delete(`${appId}:${wabaId}`);
    } else if (appId !== undefined) {
      this.#apps.delete(appId);
    } else if (wabaId !== undefined) {
      // A notice naming only the WABA may come from an instance that does not send app_id: be safe.
      this.#wabas.delete(wabaId);
      this.#pairLimits.clear();
    }
  }

  /** Drops every cache and the rendered-body memo (a lost notification channel, a state replacement). */
  invalidate(): void {
    this.budget.clear();
    for (const cache of [
      this.#numbers,
      this.#wabas,
      this.#apps,
      this.#tokens,
      this.#activeWabas,
      this.#pairLimits,
    ])
      cache.bump();
  }

  /** A cached number without a database read: null = cached as absent, undefined = not cached. */
  peekPhoneNumber(id: string): PhoneNumberRecord | null | undefined {
    return this.#numbers.peek(id);
  }

  /**
   * The read fast path's number: cached, or read at once when the store reads synchronously (SQLite),
   * and then kept; null = no such number; undefined = the store can only read asynchronously.
   */
  readPhoneNumberNow(id: string): PhoneNumberRecord | null | undefined {
    const inner = this.#inner;
    if (inner.getPhoneNumberNow === undefined) return this.#numbers.peek(id);
    return this.#numbers.getNow(id, (key) => inner.getPhoneNumberNow?.(key));
  }

  peekTokenByDigest(digest: string): TokenRecord | null | undefined {
    return this.#tokens.peek(digest);
  }

  peekApp(id: string): AppRecord | null | undefined {
    return this.#apps.peek(id);
  }

  peekWaba(id: string): WabaRecord | null | undefined {
    return this.#wabas.peek(id);
  }

  /** For synchronous BUC admission (limits/buc-accounting.ts); undefined = not cached. */
  peekWabaActive(wabaId: string): boolean | undefined {
    const active = this.#activeWabas.peek(wabaId);
    return active === undefined ? undefined : active === true;
  }

  peekPairRateLimit(appId: string, wabaId: string): RateLimitOverride | null | undefined {
    return this.#pairLimits.peek(`${appId}:${wabaId}`);
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

  async replaceStateInBatches(
    fill: (add: (batch: StateBatch) => Promise<void>) => Promise<StateSeed>,
  ): Promise<void> {
    try {
      await this.#inner.replaceStateInBatches(fill);
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
    const notice: ChangeNotice = {
      kind: 'rate_limit',
      id: null,
      ...(target.app === undefined ? {} : { app_id: target.app }),
      ...(target.waba === undefined ? {} : { waba_id: target.waba }),
    };
    await this.#write(notice, () => this.#inner.setRateLimit(target, limits));
  }

  /**
   * Runs one write, then publishes its notice; whether it committed or failed (it may have committed
   * before the failure was seen), drops what it may have changed before returning.
   */
  async #write<T>(notice: ChangeNotice, write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      this.changes.publish(notice);
      return result;
    } finally {
      this.forget(notice);
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
    const notice: ChangeNotice = {
      kind: 'phone_number',
      id: record.id,
      phone_number_id: record.id,
      waba_id: record.waba_id,
    };
    try {
      const result = await this.#inner.createPhoneNumber(record, digits);
      if (result === 'created') this.changes.publish(notice);
      return result;
    } finally {
      // The new id may have been cached as a miss.
      this.forget(notice);
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
    // A status change may also make the WABA active or inactive for rate limits (forget drops both).
    await this.#write(
      {
        kind: 'phone_number',
        id: change.number.id,
        phone_number_id: change.number.id,
        waba_id: change.number.waba_id,
        history: change.history,
      },
      () => this.#inner.commitPhoneNumberChange(change),
    );
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
    await this.#write({ kind: 'waba', id: change.waba.id, waba_id: change.waba.id }, () =>
      this.#inner.commitWabaChange(change),
    );
  }

  listWabaHistory(wabaId: string): Promise<WabaHistoryEntry[]> {
    return this.#inner.listWabaHistory(wabaId);
  }

  listHistory(phoneNumberId: string): Promise<HistoryEntry[]> {
    return this.#inner.listHistory(phoneNumberId);
  }

  async setAppWebhook(appId: string, webhook: WebhookSubscription | null): Promise<void> {
    await this.#write({ kind: 'webhook_subscription', id: appId }, () =>
      this.#inner.setAppWebhook(appId, webhook),
    );
  }

  async setAppWebhookState(appId: string, url: string, state: SubscriptionState): Promise<void> {
    await this.#write({ kind: 'webhook_subscription', id: appId }, () =>
      this.#inner.setAppWebhookState(appId, url, state),
    );
  }

  async setNumberWebhookState(
    phoneNumberId: string,
    url: string,
    state: NumberWebhookOverride['state'],
  ): Promise<void> {
    await this.#write(
      { kind: 'webhook_subscription', id: phoneNumberId, phone_number_id: phoneNumberId },
      () => this.#inner.setNumberWebhookState(phoneNumberId, url, state),
    );
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
