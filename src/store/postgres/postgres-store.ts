import type {
  AppRecord,
  AttemptResult,
  BusinessProfileChange,
  BusinessProfileRecord,
  BusinessRecord,
  DeliveryQuery,
  DeliveryRecord,
  HistoryEntry,
  NumberWebhookOverride,
  OtpRecord,
  PhoneNumberChange,
  PhoneNumberRecord,
  QrCodeRecord,
  RateLimitOverride,
  StateBatch,
  StateSnapshot,
  SubscriptionState,
  TokenRecord,
  WabaChange,
  WabaHistoryEntry,
  WabaRecord,
  WebhookSubscription,
  FaultRuleRecord,
} from '../records.ts';
import { randomUUID } from 'node:crypto';
import type { ChangeNotice } from '../../events/change-feed.ts';
import {
  CLOCK_OFFSET_META,
  SCENARIO_SEED_META,
  type InstanceChangeSource,
  type KeysetQuery,
  type LimitedCallWindow,
  type PhoneNumberQuery,
  type RateLimitTarget,
  type StateSeed,
  type Store,
} from '../store.ts';
import { Database, insert, insertMany, LOCKS, type Query } from './database.ts';
import * as outbox from './outbox.ts';
import * as faultRules from './fault-rules.ts';
import { notifyChanges, PostgresChangeListener } from './change-channel.ts';
import * as phoneNumbers from './phone-numbers.ts';
import * as qrCodes from './qr-codes.ts';
import {
  APP_COLUMNS,
  appFromRow,
  appToRow,
  json,
  limitsFromRow,
  phoneNumberFromRow,
  phoneNumberToRow,
  profileFromRow,
  profileToRow,
  qrFromRow,
  TOKEN_COLUMNS,
  tokenFromRow,
  tokenToRow,
  wabaFromRow,
  wabaHistoryFromRow,
  wabaToRow,
} from './rows.ts';
import { PHONE_COLUMNS, PROFILE_COLUMNS, WABA_COLUMNS } from '../columns.ts';

function qrNotice(phoneNumberId: string, code: string): ChangeNotice {
  return { kind: 'qr_code', id: code, phone_number_id: phoneNumberId };
}

/** Tables a state replace clears, children first so foreign keys hold. */
const STATE_TABLES = [
  'webhook_attempts',
  'business_profiles',
  'qr_codes',
  'tokens',
  'phone_numbers',
  'wabas',
  'businesses',
  'apps',
  'history',
  'outbox',
  'rate_limit_overrides',
  'otp_codes',
  'register_calls',
  'request_code_calls',
  'waba_history',
];
/** What a scenario merge keeps: the log, and runtime state of the Graph and admin planes keyed by ids. */
const MERGE_KEEPS = [
  'webhook_attempts',
  'history',
  'outbox',
  'waba_history',
  'rate_limit_overrides',
  'otp_codes',
  'register_calls',
  'request_code_calls',
];

/** The table of each limited call window (phone-number.md §5.2). */
const CALL_WINDOW_TABLES: Readonly<Record<LimitedCallWindow, string>> = {
  register: 'register_calls',
  request_code: 'request_code_calls',
};

export interface PostgresStoreOptions {
  /** A `postgres://` connection URL. */
  readonly url: string;
  /** Pool size (connections); 10 by default. */
  readonly poolSize?: number;
  /** Names this instance in its change notifications and outbox claims; a random UUID by default. */
  readonly instanceId?: string;
}

/**
 * The scale-out store: one PostgreSQL database shared by every instance, a connection pool, one
 * transaction per change. Build it with `PostgresStore.open`, which applies pending migrations first.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  /** This instance, as its notifications and outbox claims name it. */
  readonly instanceId: string;
  readonly #db: Database;
  readonly #query: Query;
  readonly #url: string;
  #closed = false;

  private constructor(db: Database, url: string, instanceId: string) {
    this.#db = db;
    this.#query = db.query;
    this.#url = url;
    this.instanceId = instanceId;
  }

  /** A LISTEN connection of its own that hears the changes other instances commit (start it to connect). */
  instanceChanges(): InstanceChangeSource {
    return new PostgresChangeListener(this.#url, this.instanceId);
  }

  /** One transaction that also notifies other instances of what it changed (sent only if it commits). */
  #change<T>(
    body: (query: Query) => Promise<T>,
    notices: (result: T) => readonly ChangeNotice[],
  ): Promise<T> {
    return this.#db.transaction(async (query) => {
      const result = await body(query);
      await notifyChanges(query, this.instanceId, notices(result));
      return result;
    });
  }

  /** Connects and applies pending migrations (under an advisory lock, so instances may start together). */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const db = new Database(options.url, options.poolSize);
    try {
      await db.migrate();
    } catch (error) {
      await db.close();
      throw error;
    }
    return new PostgresStore(db, options.url, options.instanceId ?? randomUUID());
  }

  /** Applies pending migrations and closes; answers the schema version in place. */
  static async migrate(url: string): Promise<number> {
    const db = new Database(url, 1);
    try {
      return await db.migrate();
    } finally {
      await db.close();
    }
  }

  async isEmpty(): Promise<boolean> {
    const [row] = await this.#query(
      // EXISTS, not COUNT(*): a restart on a million numbers must not read them all.
      `SELECT (EXISTS (SELECT 1 FROM apps) OR EXISTS (SELECT 1 FROM wabas) OR
              EXISTS (SELECT 1 FROM phone_numbers) OR EXISTS (SELECT 1 FROM tokens))::int AS n`,
    );
    return Number(row?.n ?? 0) === 0;
  }

  async replaceState(state: StateSnapshot, options: { keepLog?: boolean } = {}): Promise<void> {
    await this.#change(
      async (query) => {
        await query('SELECT pg_advisory_xact_lock($1)', [LOCKS.state]);
        for (const table of STATE_TABLES) {
          // A merge keeps the log, the admin-set pair limits, OTPs and register calls: none is in a scenario.
          if (options.keepLog === true && MERGE_KEEPS.includes(table)) continue;
          await query(`DELETE FROM ${table}`);
        }
        for (const app of state.apps) await query(...insert('apps', APP_COLUMNS, appToRow(app)));
        for (const business of state.businesses) {
          await query(...insert('businesses', ['id', 'name'], { ...business }));
        }
        for (const waba of state.wabas) await query(...insert('wabas', WABA_COLUMNS, wabaToRow(waba)));
        for (const number of state.phone_numbers) {
          await query(...insert('phone_numbers', PHONE_COLUMNS, phoneNumberToRow(number)));
        }
        for (const qr of state.qr_codes) await query(...insert('qr_codes', qrCodes.QR_COLUMNS, { ...qr }));
        await qrCodes.raiseQrPosition(query, Math.max(0, ...state.qr_codes.map((qr) => qr.position)));
        for (const profile of state.business_profiles) {
          await query(...insert('business_profiles', PROFILE_COLUMNS, profileToRow(profile)));
        }
        for (const token of state.tokens) await query(...insert('tokens', TOKEN_COLUMNS, tokenToRow(token)));
        await this.#setMeta(query, SCENARIO_SEED_META, JSON.stringify(state.seed));
      },
      () => [{ kind: 'state', id: null }],
    );
  }

  async replaceStateInBatches(
    fill: (add: (batch: StateBatch) => Promise<void>) => Promise<StateSeed>,
  ): Promise<void> {
    // One transaction for the whole load: other instances see the old state until it commits.
    await this.#db.transaction(async (query) => {
      await query('SELECT pg_advisory_xact_lock($1)', [LOCKS.state]);
      for (const table of STATE_TABLES) await query(`DELETE FROM ${table}`);
      const { seed } = await fill(async (batch) => {
        await insertMany(query, 'apps', APP_COLUMNS, (batch.apps ?? []).map(appToRow));
        await insertMany(
          query,
          'businesses',
          ['id', 'name'],
          (batch.businesses ?? []).map((b) => ({ ...b })),
        );
        await insertMany(query, 'wabas', WABA_COLUMNS, (batch.wabas ?? []).map(wabaToRow));
        await insertMany(
          query,
          'phone_numbers',
          PHONE_COLUMNS,
          (batch.phone_numbers ?? []).map(phoneNumberToRow),
        );
        const codes = batch.qr_codes ?? [];
        await insertMany(
          query,
          'qr_codes',
          qrCodes.QR_COLUMNS,
          codes.map((qr) => ({ ...qr })),
        );
        if (codes.length > 0) {
          await qrCodes.raiseQrPosition(
            query,
            codes.reduce((max, qr) => Math.max(max, qr.position), 0),
          );
        }
        await insertMany(
          query,
          'business_profiles',
          PROFILE_COLUMNS,
          (batch.business_profiles ?? []).map(profileToRow),
        );
        await insertMany(query, 'tokens', TOKEN_COLUMNS, (batch.tokens ?? []).map(tokenToRow));
      });
      await this.#setMeta(query, SCENARIO_SEED_META, JSON.stringify(seed));
    });
  }

  getPhoneNumber(id: string): Promise<PhoneNumberRecord | undefined> {
    return phoneNumbers.getPhoneNumber(this.#query, id);
  }

  async getWaba(id: string): Promise<WabaRecord | undefined> {
    const [row] = await this.#query('SELECT * FROM wabas WHERE id = $1', [id]);
    return row && wabaFromRow(row);
  }

  async getBusiness(id: string): Promise<BusinessRecord | undefined> {
    const [row] = await this.#query('SELECT id, name FROM businesses WHERE id = $1', [id]);
    return row && { id: String(row.id), name: String(row.name) };
  }

  async getApp(id: string): Promise<AppRecord | undefined> {
    const [row] = await this.#query('SELECT * FROM apps WHERE id = $1', [id]);
    return row && appFromRow(row);
  }

  async getTokenByDigest(digest: string): Promise<TokenRecord | undefined> {
    const [row] = await this.#query('SELECT * FROM tokens WHERE digest = $1', [digest]);
    return row && tokenFromRow(row);
  }

  async countPhoneNumbers(): Promise<number> {
    const [row] = await this.#query('SELECT COUNT(*) AS n FROM phone_numbers');
    return Number(row?.n ?? 0);
  }

  scanPhoneNumbers(afterId: string | null, limit: number): Promise<PhoneNumberRecord[]> {
    return phoneNumbers.scanPhoneNumbers(this.#query, afterId, limit);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.#query('SELECT * FROM tokens ORDER BY seq')).map(tokenFromRow);
  }

  async isWabaActive(wabaId: string): Promise<boolean> {
    const rows = await this.#query(
      "SELECT 1 AS x FROM phone_numbers WHERE waba_id = $1 AND status = 'CONNECTED' LIMIT 1",
      [wabaId],
    );
    return rows.length > 0;
  }

  async getPairRateLimit(appId: string, wabaId: string): Promise<RateLimitOverride | undefined> {
    const [row] = await this.#query(
      'SELECT per_hour, active_per_hour FROM rate_limit_overrides WHERE app_id = $1 AND waba_id = $2',
      [appId, wabaId],
    );
    return row && limitsFromRow(row);
  }

  async setRateLimit(target: RateLimitTarget, limits: RateLimitOverride): Promise<void> {
    await this.#change(
      async (query) => {
        if (target.app !== undefined && target.waba !== undefined) {
          // Merge under a row lock: concurrent partial updates of one pair must not lose each other.
          await query(
            `INSERT INTO rate_limit_overrides (app_id, waba_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
            [target.app, target.waba],
          );
          const [current] = await query(
            `SELECT per_hour, active_per_hour FROM rate_limit_overrides WHERE app_id = $1 AND waba_id = $2
           FOR UPDATE`,
            [target.app, target.waba],
          );
          const merged = { ...(current && limitsFromRow(current)), ...limits };
          await query(
            'UPDATE rate_limit_overrides SET per_hour = $3, active_per_hour = $4 WHERE app_id = $1 AND waba_id = $2',
            [target.app, target.waba, merged.per_hour ?? null, merged.active_per_hour ?? null],
          );
          return;
        }
        const table = target.app !== undefined ? 'apps' : 'wabas';
        const id = target.app ?? target.waba;
        const [row] = await query(`SELECT rate_limit FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
        if (row === undefined) return;
        const current =
          row.rate_limit === null ? {} : (JSON.parse(String(row.rate_limit)) as RateLimitOverride);
        await query(`UPDATE ${table} SET rate_limit = $1 WHERE id = $2`, [
          JSON.stringify({ ...current, ...limits }),
          id,
        ]);
      },
      () => [{ kind: 'rate_limit', id: null }],
    );
  }

  getQrCode(code: string): Promise<QrCodeRecord | undefined> {
    return qrCodes.getQrCode(this.#query, code);
  }

  listQrCodes(phoneNumberId: string, query: KeysetQuery<number>, code?: string): Promise<QrCodeRecord[]> {
    return qrCodes.listQrCodes(this.#query, phoneNumberId, query, code);
  }

  createQrCode(
    record: Omit<QrCodeRecord, 'position'>,
    maxPerNumber: number,
  ): Promise<QrCodeRecord | 'limit'> {
    return this.#change(
      (query) => qrCodes.createQrCode(query, record, maxPerNumber),
      (created) => (created === 'limit' ? [] : [qrNotice(record.phone_number_id, record.code)]),
    );
  }

  updateQrCode(
    phoneNumberId: string,
    code: string,
    prefilledMessage: string,
  ): Promise<QrCodeRecord | undefined> {
    return this.#change(
      (query) => qrCodes.updateQrCode(query, phoneNumberId, code, prefilledMessage),
      (updated) => (updated === undefined ? [] : [qrNotice(phoneNumberId, code)]),
    );
  }

  deleteQrCode(phoneNumberId: string, code: string): Promise<boolean> {
    return this.#change(
      (query) => qrCodes.deleteQrCode(query, phoneNumberId, code),
      (deleted) => (deleted ? [qrNotice(phoneNumberId, code)] : []),
    );
  }

  listWabaPhoneNumbers(wabaId: string, query: PhoneNumberQuery): Promise<PhoneNumberRecord[]> {
    return phoneNumbers.listWabaPhoneNumbers(this.#query, wabaId, query);
  }

  createPhoneNumber(record: PhoneNumberRecord, digits: string): Promise<'created' | 'in_use'> {
    return this.#change(
      (query) => phoneNumbers.createPhoneNumber(query, record, digits),
      (result) =>
        result === 'created'
          ? [{ kind: 'phone_number', id: record.id, phone_number_id: record.id, waba_id: record.waba_id }]
          : [],
    );
  }

  async listApps(): Promise<AppRecord[]> {
    return (await this.#query('SELECT * FROM apps ORDER BY seq')).map(appFromRow);
  }

  async listWabas(): Promise<WabaRecord[]> {
    return (await this.#query('SELECT * FROM wabas ORDER BY seq')).map(wabaFromRow);
  }

  readState(): Promise<StateSnapshot> {
    // One snapshot: every table as of the same moment.
    return this.#db.transaction(async (query) => {
      const [seed] = await query('SELECT value FROM meta WHERE key = $1', [SCENARIO_SEED_META]);
      return {
        seed: seed === undefined ? null : (JSON.parse(String(seed.value)) as number | null),
        apps: (await query('SELECT * FROM apps ORDER BY seq')).map(appFromRow),
        businesses: (await query('SELECT id, name FROM businesses ORDER BY seq')).map((row) => ({
          id: String(row.id),
          name: String(row.name),
        })),
        wabas: (await query('SELECT * FROM wabas ORDER BY seq')).map(wabaFromRow),
        phone_numbers: (await query('SELECT * FROM phone_numbers ORDER BY seq')).map(phoneNumberFromRow),
        qr_codes: (await query('SELECT * FROM qr_codes ORDER BY position')).map(qrFromRow),
        tokens: (await query('SELECT * FROM tokens ORDER BY seq')).map(tokenFromRow),
        business_profiles: (
          await query(
            `SELECT b.* FROM business_profiles AS b JOIN phone_numbers AS p ON p.id = b.phone_number_id
             ORDER BY p.seq`,
          )
        ).map(profileFromRow),
      };
    }, 'REPEATABLE READ');
  }

  commitPhoneNumberChange(change: PhoneNumberChange): Promise<void> {
    const { id, waba_id } = change.number;
    return this.#change(
      (query) => phoneNumbers.commitPhoneNumberChange(query, change),
      () => [{ kind: 'phone_number', id, phone_number_id: id, waba_id }],
    );
  }

  async getOtp(phoneNumberId: string): Promise<OtpRecord | undefined> {
    const [row] = await this.#query('SELECT * FROM otp_codes WHERE phone_number_id = $1', [phoneNumberId]);
    if (row === undefined) return undefined;
    return {
      phone_number_id: String(row.phone_number_id),
      code: String(row.code),
      code_method: row.code_method === 'VOICE' ? 'VOICE' : 'SMS',
      language: String(row.language),
      issued_at: String(row.issued_at),
      sequence: Number(row.sequence),
    };
  }

  async putOtp(otp: OtpRecord): Promise<void> {
    await this.#query(
      `INSERT INTO otp_codes (phone_number_id, code, code_method, language, issued_at, sequence)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (phone_number_id) DO UPDATE SET code = excluded.code,
         code_method = excluded.code_method, language = excluded.language,
         issued_at = excluded.issued_at, sequence = excluded.sequence`,
      [otp.phone_number_id, otp.code, otp.code_method, otp.language, otp.issued_at, otp.sequence],
    );
  }

  admitLimitedCall(
    window: LimitedCallWindow,
    phoneNumberId: string,
    at: string,
    since: string,
    max: number,
  ): Promise<boolean> {
    const table = CALL_WINDOW_TABLES[window];
    return this.#db.transaction(async (query) => {
      // One window of one number at a time, so the count and the insert cannot interleave.
      await query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        LOCKS.callWindows,
        `${window}:${phoneNumberId}`,
      ]);
      const [row] = await query(`SELECT COUNT(*) AS n FROM ${table} WHERE phone_number_id = $1 AND at > $2`, [
        phoneNumberId,
        since,
      ]);
      if (Number(row?.n) >= max) return false;
      await query(`INSERT INTO ${table} (phone_number_id, at) VALUES ($1, $2)`, [phoneNumberId, at]);
      return true;
    });
  }

  async getBusinessProfile(phoneNumberId: string): Promise<BusinessProfileRecord | undefined> {
    const [row] = await this.#query('SELECT * FROM business_profiles WHERE phone_number_id = $1', [
      phoneNumberId,
    ]);
    return row && profileFromRow(row);
  }

  async commitBusinessProfileChange(change: BusinessProfileChange): Promise<void> {
    const [sql, values] = insert('business_profiles', PROFILE_COLUMNS, profileToRow(change.profile));
    const updates = PROFILE_COLUMNS.filter((c) => c !== 'phone_number_id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    const id = change.profile.phone_number_id;
    await this.#change(
      async (query) => {
        await query(`${sql} ON CONFLICT (phone_number_id) DO UPDATE SET ${updates}`, values);
        for (const entry of change.history) await phoneNumbers.insertHistory(query, entry);
      },
      () => [{ kind: 'business_profile', id, phone_number_id: id }],
    );
  }

  async commitWabaChange(change: WabaChange): Promise<void> {
    const columns = WABA_COLUMNS.filter((c) => c !== 'id');
    const row = wabaToRow(change.waba);
    await this.#change(
      async (query) => {
        await query(
          `UPDATE wabas SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
          [row.id, ...columns.map((c) => row[c] ?? null)],
        );
        for (const entry of change.history) {
          await query(
            `INSERT INTO waba_history (waba_id, at, actor, change, from_value, to_value, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [entry.waba_id, entry.at, entry.actor, entry.change, entry.from, entry.to, entry.reason],
          );
        }
        for (const event of change.events) await phoneNumbers.insertOutboxEvent(query, event);
      },
      () => [{ kind: 'waba', id: change.waba.id, waba_id: change.waba.id }],
    );
  }

  async listWabaHistory(wabaId: string): Promise<WabaHistoryEntry[]> {
    const rows = await this.#query('SELECT * FROM waba_history WHERE waba_id = $1 ORDER BY id DESC', [
      wabaId,
    ]);
    return rows.map(wabaHistoryFromRow);
  }

  listHistory(phoneNumberId: string): Promise<HistoryEntry[]> {
    return phoneNumbers.listHistory(this.#query, phoneNumberId);
  }

  async setAppWebhook(appId: string, webhook: WebhookSubscription | null): Promise<void> {
    await this.#change(
      (query) => query('UPDATE apps SET webhook = $1 WHERE id = $2', [json(webhook), appId]),
      () => [{ kind: 'webhook_subscription', id: appId }],
    );
  }

  async setAppWebhookState(appId: string, url: string, state: SubscriptionState): Promise<void> {
    // Read and rewrite under a row lock, keeping the JSON's key order as SQLite's json_set does.
    await this.#change(
      async (query) => {
        const [row] = await query('SELECT webhook FROM apps WHERE id = $1 FOR UPDATE', [appId]);
        if (row === undefined || row.webhook === null) return;
        const webhook = JSON.parse(String(row.webhook)) as WebhookSubscription;
        if (webhook.url !== url) return;
        await query('UPDATE apps SET webhook = $1 WHERE id = $2', [
          JSON.stringify({ ...webhook, state }),
          appId,
        ]);
      },
      () => [{ kind: 'webhook_subscription', id: appId }],
    );
  }

  async setNumberWebhookState(
    phoneNumberId: string,
    url: string,
    state: NumberWebhookOverride['state'],
  ): Promise<void> {
    await this.#change(
      async (query) => {
        const [row] = await query('SELECT webhook_override FROM phone_numbers WHERE id = $1 FOR UPDATE', [
          phoneNumberId,
        ]);
        if (row === undefined || row.webhook_override === null) return;
        const override = JSON.parse(String(row.webhook_override)) as NumberWebhookOverride;
        if (override.url !== url) return;
        await query('UPDATE phone_numbers SET webhook_override = $1 WHERE id = $2', [
          JSON.stringify({ ...override, state }),
          phoneNumberId,
        ]);
      },
      () => [{ kind: 'webhook_subscription', id: phoneNumberId, phone_number_id: phoneNumberId }],
    );
  }

  dueDeliveries(now: string, limit: number, leaseMs?: number): Promise<DeliveryRecord[]> {
    if (leaseMs === undefined) return outbox.dueDeliveries(this.#query, now, limit);
    return outbox.claimDeliveries(this.#query, now, limit, this.instanceId, leaseMs);
  }

  recordAttempts(results: readonly AttemptResult[]): Promise<void> {
    return this.#change(
      (query) => outbox.recordAttempts(query, results),
      () => results.map((result) => ({ kind: 'delivery', id: String(result.outbox_id) })),
    );
  }

  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return outbox.listDeliveries(this.#query, query);
  }

  getDelivery(id: number): Promise<DeliveryRecord | undefined> {
    return outbox.getDelivery(this.#query, id);
  }

  redeliver(id: number, now: string): Promise<boolean> {
    return this.#change(
      (query) => outbox.redeliver(query, id, now),
      (queued) => (queued ? [{ kind: 'delivery', id: String(id) }] : []),
    );
  }

  outboxLag(): Promise<{ pending: number; oldest_created_at: string | null }> {
    return outbox.outboxLag(this.#query);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const [row] = await this.#query('SELECT value FROM meta WHERE key = $1', [key]);
    return row === undefined ? undefined : String(row.value);
  }

  async initMeta(key: string, value: string): Promise<string> {
    await this.#query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      key,
      value,
    ]);
    return (await this.getMeta(key)) ?? value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    // Only the clock offset is held in memory by instances; other meta keys are read from the store.
    if (key !== CLOCK_OFFSET_META) return this.#setMeta(this.#query, key, value);
    await this.#change(
      (query) => this.#setMeta(query, key, value),
      () => [{ kind: 'clock', id: null }],
    );
  }

  listFaultRules(): Promise<FaultRuleRecord[]> {
    return faultRules.listFaultRules(this.#query);
  }

  addFaultRule(rule: string, times: number | null): Promise<FaultRuleRecord> {
    return this.#change(
      (query) => faultRules.addFaultRule(query, rule, times),
      (added) => [{ kind: 'fault_rule', id: added.id }],
    );
  }

  deleteFaultRule(id: string): Promise<boolean> {
    return this.#change(
      (query) => faultRules.deleteFaultRule(query, id),
      (deleted) => (deleted ? [{ kind: 'fault_rule', id }] : []),
    );
  }

  async clearFaultRules(): Promise<void> {
    await this.#change(
      (query) => query('DELETE FROM fault_rules'),
      () => [{ kind: 'fault_rule', id: null }],
    );
  }

  useFaultRule(id: string): Promise<FaultRuleRecord | undefined> {
    return this.#change(
      (query) => faultRules.useFaultRule(query, id),
      (used) => (used === undefined ? [] : [{ kind: 'fault_rule', id }]),
    );
  }

  async #setMeta(query: Query, key: string, value: string): Promise<void> {
    await query(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A clean stop hands its unfinished deliveries back at once instead of when their leases run out.
    await outbox.releaseClaims(this.#query, this.instanceId).catch(() => {});
    await this.#db.close();
  }
}
