import type {
  AppRecord,
  AttemptResult,
  BusinessRecord,
  DeliveryQuery,
  DeliveryRecord,
  HistoryEntry,
  NumberWebhookOverride,
  PhoneNumberChange,
  PhoneNumberRecord,
  StateSnapshot,
  SubscriptionState,
  TokenRecord,
  WabaRecord,
  WebhookSubscription,
} from './records.ts';

/**
 * The one storage interface. Every method is async because the PostgreSQL implementation will do
 * network I/O; nothing above this layer may assume a synchronous SQLite underneath.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** True when no app, WABA, number or token is stored. */
  isEmpty(): Promise<boolean>;
  /**
   * Replaces every stateful table with the snapshot in one transaction. Secrets in `meta` survive; with
   * `keepLog` so do history, outbox and deliveries (a scenario merge).
   */
  replaceState(state: StateSnapshot, options?: { keepLog?: boolean }): Promise<void>;

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

  listApps(): Promise<AppRecord[]>;
  /** The whole state in insertion order (what export writes). */
  readState(): Promise<StateSnapshot>;

  /**
   * One lifecycle change in one transaction: replaces the number's row, appends its history lines
   * and writes the events it causes to the outbox.
   */
  commitPhoneNumberChange(change: PhoneNumberChange): Promise<void>;
  /** Newest first. */
  listHistory(phoneNumberId: string): Promise<HistoryEntry[]>;
  /** Sets or removes (null) an app's webhook subscription. */
  setAppWebhook(appId: string, webhook: WebhookSubscription | null): Promise<void>;
  /** Sets a subscription's state, only if its URL is still `url` (a verification may race a change). */
  setAppWebhookState(appId: string, url: string, state: SubscriptionState): Promise<void>;
  setNumberWebhookState(
    phoneNumberId: string,
    url: string,
    state: NumberWebhookOverride['state'],
  ): Promise<void>;

  /** The oldest pending event of each (app, number) whose next attempt is due at `now`: one in flight each. */
  dueDeliveries(now: string, limit: number): Promise<DeliveryRecord[]>;
  /** Applies dispatch results (attempt lines and new statuses) in one transaction; unknown rows are ignored. */
  recordAttempts(results: readonly AttemptResult[]): Promise<void>;
  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>;
  getDelivery(id: number): Promise<DeliveryRecord | undefined>;
  /** Puts an event back to `pending`, due at `now`; false when there is no such event. */
  redeliver(id: number, now: string): Promise<boolean>;
  /** Pending events: how many, and the creation time of the oldest. */
  outboxLag(): Promise<{ pending: number; oldest_created_at: string | null }>;

  /** Server-wide secrets and settings (signing keys, cursor MAC key, clock offset). */
  getMeta(key: string): Promise<string | undefined>;
  /** Sets `key` only if absent; returns the value now stored (so concurrent instances agree). */
  initMeta(key: string, value: string): Promise<string>;
  setMeta(key: string, value: string): Promise<void>;

  close(): Promise<void>;
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
