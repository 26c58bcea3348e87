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
import type { ChangeNotice, ChangeSource } from '../events/change-feed.ts';

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
  /**
   * A bulk load: replaces the state as `replaceState` does, taking the rows in batches as `fill` adds
   * them (parents before children, each table in insertion order), in one transaction that commits when
   * `fill` resolves with the state's seed. If `fill` throws, or the process dies, nothing is replaced.
   */
  replaceStateInBatches(
    fill: (add: (batch: StateBatch) => Promise<void>) => Promise<StateSeed>,
  ): Promise<void>;

  getPhoneNumber(id: string): Promise<PhoneNumberRecord | undefined>;
  /** `getPhoneNumber` answered at once, for a store whose reads are synchronous (SQLite); absent otherwise. */
  getPhoneNumberNow?(id: string): PhoneNumberRecord | undefined;
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
  /** A QR code by its code, on any number. */
  getQrCode(code: string): Promise<QrCodeRecord | undefined>;
  /** One keyset page of a number's QR codes (see `KeysetQuery`); `code` filters to that code. */
  listQrCodes(phoneNumberId: string, query: KeysetQuery<number>, code?: string): Promise<QrCodeRecord[]>;
  /**
   * Inserts a QR code at the next position, in one transaction with the per-number count check;
   * returns `'limit'` (and inserts nothing) when the number already has `maxPerNumber` codes.
   */
  createQrCode(record: Omit<QrCodeRecord, 'position'>, maxPerNumber: number): Promise<QrCodeRecord | 'limit'>;
  /** Replaces the message of an existing code; undefined when the number has no such code. */
  updateQrCode(
    phoneNumberId: string,
    code: string,
    prefilledMessage: string,
  ): Promise<QrCodeRecord | undefined>;
  /** True when a code was deleted. */
  deleteQrCode(phoneNumberId: string, code: string): Promise<boolean>;

  /** One keyset page of a WABA's numbers under a sort and filters (`PhoneNumberQuery`). */
  listWabaPhoneNumbers(wabaId: string, query: PhoneNumberQuery): Promise<PhoneNumberRecord[]>;
  /**
   * Inserts a new number in one transaction with the check that no non-deleted number anywhere has
   * the same digits (`+`, spaces, dashes and parentheses ignored); `'in_use'` when one does.
   */
  createPhoneNumber(record: PhoneNumberRecord, digits: string): Promise<'created' | 'in_use'>;
  listApps(): Promise<AppRecord[]>;
  /** Every WABA, in insertion order. */
  listWabas(): Promise<WabaRecord[]>;
  /** The whole state in insertion order (what export writes). */
  readState(): Promise<StateSnapshot>;

  /**
   * One lifecycle change in one transaction: replaces the number's row, appends its history lines
   * and writes the events it causes to the outbox.
   */
  commitPhoneNumberChange(change: PhoneNumberChange): Promise<void>;
  /** The last OTP issued for a number. */
  getOtp(phoneNumberId: string): Promise<OtpRecord | undefined>;
  /** Stores a number's OTP, replacing the one before. */
  putOtp(otp: OtpRecord): Promise<void>;
  /**
   * A per-number call limit (phone-number.md §5.2: `register` with `deregister`, and `request_code`) in
   * one transaction: when fewer than `max` calls of the window's kind are after `since`, records one at
   * `at` and answers true; else records nothing.
   */
  admitLimitedCall(
    window: LimitedCallWindow,
    phoneNumberId: string,
    at: string,
    since: string,
    max: number,
  ): Promise<boolean>;
  /** A number's business profile; undefined when it has none (an empty profile). */
  getBusinessProfile(phoneNumberId: string): Promise<BusinessProfileRecord | undefined>;
  /** Replaces a number's business profile and appends its history lines in one transaction. */
  commitBusinessProfileChange(change: BusinessProfileChange): Promise<void>;
  /** Replaces a WABA's row, appends its history and writes its events to the outbox in one transaction. */
  commitWabaChange(change: WabaChange): Promise<void>;
  /** A WABA's history, newest first. */
  listWabaHistory(wabaId: string): Promise<WabaHistoryEntry[]>;

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

  /**
   * The oldest pending event of each (app, number) whose next attempt is due at `now`: one in flight each.
   * A shared store (PostgreSQL) also claims the rows it answers for this instance for `leaseMs`, and
   * leaves out pairs whose oldest event another instance holds a live claim on; the claim ends with
   * `recordAttempts` or when the lease runs out (a killed instance).
   */
  dueDeliveries(now: string, limit: number, leaseMs?: number): Promise<DeliveryRecord[]>;
  /** Applies dispatch results (attempt lines and new statuses) in one transaction; unknown rows are ignored. */
  recordAttempts(results: readonly AttemptResult[]): Promise<void>;
  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>;
  getDelivery(id: number): Promise<DeliveryRecord | undefined>;
  /** Puts an event back to `pending`, due at `now`; false when there is no such event. */
  redeliver(id: number, now: string): Promise<boolean>;
  /** Pending events: how many, and the creation time of the oldest. */
  outboxLag(): Promise<{ pending: number; oldest_created_at: string | null }>;

  /** Every fault rule, in the order they were added. */
  listFaultRules(): Promise<FaultRuleRecord[]>;
  /** Stores a rule (`rule` is its JSON) with `times` uses (null = unlimited); answers it with its id. */
  addFaultRule(rule: string, times: number | null): Promise<FaultRuleRecord>;
  /** True when a rule was deleted. */
  deleteFaultRule(id: string): Promise<boolean>;
  clearFaultRules(): Promise<void>;
  /**
   * Spends one use of a rule atomically (exact across instances): answers the rule's counters after the
   * use, or undefined when it has no use left or is gone.
   */
  useFaultRule(id: string): Promise<FaultRuleRecord | undefined>;

  /** Server-wide secrets and settings (signing keys, cursor MAC key, clock offset). */
  getMeta(key: string): Promise<string | undefined>;
  /** Sets `key` only if absent; returns the value now stored (so concurrent instances agree). */
  initMeta(key: string, value: string): Promise<string>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * On a store shared by several instances: the changes other instances commit, as they are notified.
   * Absent on a single-process store.
   */
  instanceChanges?(): InstanceChangeSource;

  close(): Promise<void>;
}

/** Other instances' committed changes, and whether the channel that brings them is up. */
export interface InstanceChangeSource extends ChangeSource {
  /** Connects (with retries in the background); resolves once the first connection is listening. */
  start(): Promise<void>;
  /** Called with false when the channel is lost (changes may be missed) and true when it is back. */
  onConnection(listener: (connected: boolean) => void): void;
  readonly connected: boolean;
  close(): Promise<void>;
}

/** What one instance sends others about a committed change: the notice without history, and who sent it. */
export interface InstanceNotice {
  readonly from: string;
  readonly notice: ChangeNotice;
}

/** What a bulk load's `fill` answers once every row is added. */
export interface StateSeed {
  readonly seed: number | null;
}

/** The per-number call windows with a limit: `register` counts register and deregister calls together. */
export type LimitedCallWindow = 'register' | 'request_code';

/** Meta key of the clock offset (domain/clock.ts); a shared store tells other instances when it changes. */
export const CLOCK_OFFSET_META = 'clock_offset_ms';

/** Meta key under which every store keeps the loaded scenario's `seed` (JSON). */
export const SCENARIO_SEED_META = 'scenario_seed';

export interface RateLimitTarget {
  readonly app?: string;
  readonly waba?: string;
}

/**
 * A store failure the client may retry (Graph code 2): the database is busy, locked or unreachable.
 * Anything else a store throws is a bug (code 1).
 */
/** Driver error codes meaning the database cannot serve now: read-only file, busy, locked, I/O, full. */
const OUTAGE_CODE = /^SQLITE_(READONLY|CANTOPEN|BUSY|LOCKED|IOERR|FULL)/;

/**
 * Whether a failure is the database's, not the request's: a StoreUnavailableError or a driver error
 * with an outage code (writes not wrapped by the store surface as the driver's own errors).
 */
export function isStoreOutage(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && OUTAGE_CODE.test(code);
}

/** The store could not be opened for writing at start (docs/cli.md: exit 1); the message names the path. */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}

export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Keyset paging: `toward` `'end'` reads in list order after `from` (exclusive), `'start'` reads in
 * reverse list order before `from`; `from` null starts at that end. At most `limit` rows.
 */
export interface KeysetQuery<K> {
  readonly toward: 'end' | 'start';
  readonly from: K | null;
  readonly limit: number;
}

export type PhoneNumberSortKey = 'last_onboarded_time' | 'created_time';

/** A position in a phone-number list: the sort column's value, then the id as the tiebreak. */
export type PhoneNumberKey = readonly [time: string, id: string];

export interface PhoneNumberQuery extends KeysetQuery<PhoneNumberKey> {
  readonly sortBy: PhoneNumberSortKey;
  readonly descending: boolean;
  /** Column equality filters; only the columns the domain allows ever reach the store. */
  readonly equal: readonly PhoneNumberFilter[];
  /** False leaves out `DELETED` numbers. */
  readonly includeDeleted: boolean;
}

export interface PhoneNumberFilter {
  readonly column: 'account_mode' | 'messaging_limit_tier' | 'is_official_business_account' | 'status';
  readonly value: string | boolean;
}
