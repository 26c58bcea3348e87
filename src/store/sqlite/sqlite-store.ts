import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AppRecord,
  BusinessProfileChange,
  BusinessProfileRecord,
  WabaChange,
  WabaHistoryEntry,
  RateLimitOverride,
  AttemptResult,
  BusinessRecord,
  DeliveryAttempt,
  DeliveryQuery,
  DeliveryRecord,
  DeliveryStatus,
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
} from '../records.ts';
import {
  SCENARIO_SEED_META,
  StoreOpenError,
  StoreUnavailableError,
  type KeysetQuery,
  type LimitedCallWindow,
  type PhoneNumberQuery,
  type RateLimitTarget,
  type StateSeed,
  type Store,
} from '../store.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { PHONE_COLUMNS, PHONE_JSON_COLUMNS, PROFILE_COLUMNS, WABA_COLUMNS } from '../columns.ts';

type Row = Record<string, unknown>;

const EMPTY_STATE: StateSnapshot = {
  seed: null,
  apps: [],
  businesses: [],
  wabas: [],
  phone_numbers: [],
  qr_codes: [],
  tokens: [],
  business_profiles: [],
};

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

/** The last QR position handed out (`meta`), so positions stay increasing across deletes. */
const QR_POSITION_META = 'qr_last_position';
/** What a scenario merge keeps: they refer to numbers by id only. */
const LOG_TABLES = ['webhook_attempts', 'history', 'outbox', 'waba_history'];
/** Other tables a merge keeps: runtime state of the Graph and admin planes, keyed by ids. */
const MERGE_KEEPS = ['rate_limit_overrides', 'otp_codes', 'register_calls', 'request_code_calls'];

/** The table of each limited call window (phone-number.md §5.2). */
const CALL_WINDOW_TABLES: Readonly<Record<LimitedCallWindow, string>> = {
  register: 'register_calls',
  request_code: 'request_code_calls',
};

export interface SqliteStoreOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function parsed<T>(value: unknown): T {
  return JSON.parse(String(value)) as T;
}

function nullableParsed<T>(value: unknown): T | null {
  return value === null || value === undefined ? null : parsed<T>(value);
}

function appFromRow(row: Row): AppRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    secret: String(row.secret),
    appsecret_proof_required: row.appsecret_proof_required === 1,
    api_version: (row.api_version ?? null) as AppRecord['api_version'],
    wabas: parsed<AppRecord['wabas']>(row.wabas),
    rate_limit: nullableParsed(row.rate_limit),
    webhook: nullableParsed(row.webhook),
  };
}

function wabaFromRow(row: Row): WabaRecord {
  return {
    id: String(row.id),
    business_id: String(row.business_id),
    name: String(row.name),
    timezone_id: String(row.timezone_id),
    currency: String(row.currency),
    message_template_namespace: String(row.message_template_namespace),
    banned: row.banned === 1,
    rate_limit: nullableParsed(row.rate_limit),
    account_review_status: String(row.account_review_status) as WabaRecord['account_review_status'],
    business_verification_status: String(
      row.business_verification_status,
    ) as WabaRecord['business_verification_status'],
    country: String(row.country),
    ownership_type: String(row.ownership_type) as WabaRecord['ownership_type'],
  };
}

function wabaToRow(waba: WabaRecord): Row {
  return { ...waba, banned: waba.banned ? 1 : 0, rate_limit: json(waba.rate_limit) };
}

function profileFromRow(row: Row): BusinessProfileRecord {
  const text = (value: unknown): string | null =>
    value === null || value === undefined ? null : String(value);
  return {
    phone_number_id: String(row.phone_number_id),
    about: text(row.about),
    address: text(row.address),
    description: text(row.description),
    email: text(row.email),
    websites: parsed<string[]>(row.websites),
    vertical: text(row.vertical) as BusinessProfileRecord['vertical'],
    profile_picture_handle: text(row.profile_picture_handle),
  };
}

function profileToRow(profile: BusinessProfileRecord): Row {
  return { ...profile, websites: JSON.stringify(profile.websites) };
}

function wabaHistoryFromRow(row: Row): WabaHistoryEntry {
  return {
    waba_id: String(row.waba_id),
    at: String(row.at),
    actor: String(row.actor),
    change: String(row.change),
    from: (row.from_value ?? null) as string | null,
    to: (row.to_value ?? null) as string | null,
    reason: (row.reason ?? null) as string | null,
  };
}

const PHONE_BOOLEAN_COLUMNS = [
  'is_official_business_account',
  'is_pin_enabled',
  'is_preverified_number',
  'is_on_biz_app',
] as const;

function phoneNumberFromRow(row: Row): PhoneNumberRecord {
  const record: Row = { ...row };
  for (const column of PHONE_BOOLEAN_COLUMNS) record[column] = row[column] === 1;
  for (const column of PHONE_JSON_COLUMNS) record[column] = nullableParsed(row[column]);
  return record as unknown as PhoneNumberRecord;
}

function phoneNumberToRow(record: PhoneNumberRecord): Row {
  const row: Row = { ...record };
  for (const column of PHONE_BOOLEAN_COLUMNS) row[column] = record[column] ? 1 : 0;
  for (const column of PHONE_JSON_COLUMNS) row[column] = json(record[column]);
  return row;
}

function qrFromRow(row: Row): QrCodeRecord {
  return {
    code: String(row.code),
    phone_number_id: String(row.phone_number_id),
    prefilled_message: String(row.prefilled_message),
    position: Number(row.position),
  };
}

function tokenFromRow(row: Row): TokenRecord {
  return {
    digest: String(row.digest),
    app_id: String(row.app_id),
    permissions: parsed<TokenRecord['permissions']>(row.permissions),
    wabas: parsed<TokenRecord['wabas']>(row.wabas),
    expires_at: (row.expires_at ?? null) as string | null,
    revoked: row.revoked === 1,
  };
}

const SEED_KEY = SCENARIO_SEED_META;

function deliveryFromRow(row: Row, attemptLog: DeliveryAttempt[] = []): DeliveryRecord {
  return {
    id: Number(row.id),
    event_id: String(row.event_id),
    app_id: String(row.app_id),
    phone_number_id: String(row.phone_number_id),
    waba_id: String(row.waba_id),
    field: String(row.field),
    payload: String(row.payload),
    status: String(row.status) as DeliveryStatus,
    created_at: String(row.created_at),
    attempts: Number(row.attempts),
    next_attempt_at: (row.next_attempt_at ?? null) as string | null,
    attempt_log: attemptLog,
  };
}

function attemptFromRow(row: Row): DeliveryAttempt {
  return {
    at: String(row.at),
    url: String(row.url),
    http_status: row.http_status === null ? null : Number(row.http_status),
    latency_ms: row.latency_ms === null ? null : Number(row.latency_ms),
    error: (row.error ?? null) as string | null,
  };
}

const TRANSIENT_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL']);

/** Busy, locked or I/O failures may pass on retry; constraint and SQL errors are bugs and stay as they are. */
function asUnavailable(error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && [...TRANSIENT_CODES].some((prefix) => code.startsWith(prefix))) {
    return new StoreUnavailableError(`sqlite: ${code}`, { cause: error });
  }
  return error;
}

function limitsFromRow(row: Row): RateLimitOverride {
  const limits: RateLimitOverride = {};
  if (row.per_hour !== null && row.per_hour !== undefined) limits.per_hour = Number(row.per_hour);
  if (row.active_per_hour !== null && row.active_per_hour !== undefined)
    limits.active_per_hour = Number(row.active_per_hour);
  return limits;
}

function insertSql(table: string, columns: readonly string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`;
}

class RollbackProbe extends Error {}

/** Why a database cannot be used, naming the file (and its directory when that is the cause). */
function openError(path: string, error: unknown): StoreOpenError {
  const code = (error as { code?: unknown }).code;
  const reason = (error as Error).message;
  const dir = dirname(resolve(path));
  let message: string;
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY'))
    message = `database ${path} is read-only (${reason}); make the file and its directory ${dir} writable`;
  else if (typeof code === 'string' && code.startsWith('SQLITE_CANTOPEN'))
    message = `cannot open database ${path} (${reason}); check that the directory ${dir} exists and is writable`;
  else message = `cannot use database ${path}: ${reason}`;
  return new StoreOpenError(message, { cause: error });
}

/** The embedded default store: one SQLite file in WAL mode, one transaction per change. */
/** One outbox row per webhook event, written in the transaction of the change that caused it. */
const INSERT_OUTBOX = `INSERT INTO outbox (event_id, app_id, phone_number_id, waba_id, field, payload, status, attempts,
    next_attempt_at, created_at)
  VALUES (@event_id, @app_id, @phone_number_id, @waba_id, @field, @payload, @status, 0,
    @next_attempt_at, @created_at)`;

/** `UPDATE table SET every column but id … WHERE id = @id`, with named parameters. */
function updateById(table: string, columns: readonly string[]): string {
  const assignments = columns.filter((c) => c !== 'id').map((c) => `${c} = @${c}`);
  return `UPDATE ${table} SET ${assignments.join(', ')} WHERE id = @id`;
}

function faultRuleFromRow(row: Row): FaultRuleRecord {
  return {
    id: String(row.id),
    rule: String(row.rule),
    remaining: row.remaining === null ? null : Number(row.remaining),
    matched: Number(row.matched),
  };
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    let db: Database.Database | undefined;
    try {
      db = new Database(options.path);
      this.#db = db;
      this.#open();
      this.#probeWrite();
    } catch (error) {
      if (db?.open === true) db.close();
      throw openError(options.path, error);
    }
  }

  /** A real write, rolled back: a read-only file or directory is refused at start, naming the path. */
  #probeWrite(): void {
    const probe = this.#db.transaction(() => {
      this.#db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', '1')").run();
      throw new RollbackProbe();
    });
    try {
      probe.immediate();
    } catch (error) {
      if (!(error instanceof RollbackProbe)) throw error;
    }
  }

  #open(): void {
    this.#db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable across process crashes (only a power loss may lose the last commit).
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    // 16 MiB of pages in the heap; no mmap: mapped pages count in RSS (256 MiB of them at 1M numbers), and
    // the OS page cache serves the rest with one pread each (docs/reliability.md, "Read cache").
    this.#db.pragma('cache_size = -16384');
    this.#db.pragma('mmap_size = 0');
    this.#migrate();
  }

  #migrate(): void {
    const current = this.#db.pragma('user_version', { simple: true }) as number;
    SQLITE_MIGRATIONS.slice(current).forEach((sql, offset) => {
      this.#db.transaction(() => {
        this.#db.exec(sql);
        this.#db.pragma(`user_version = ${current + offset + 1}`);
      })();
    });
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get(sql: string, ...params: unknown[]): Row | undefined {
    try {
      return this.#statement(sql).get(...params) as Row | undefined;
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  #all(sql: string, params: Record<string, unknown>): Row[] {
    try {
      return this.#statement(sql).all(params) as Row[];
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  /** One write transaction; busy and locked failures become retryable. */
  #write<T>(body: () => T): T {
    try {
      return this.#db.transaction(body).immediate();
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async isEmpty(): Promise<boolean> {
    const row = this.#get(
      // EXISTS, not COUNT(*): a restart on a million numbers must not read them all.
      `SELECT EXISTS (SELECT 1 FROM apps) OR EXISTS (SELECT 1 FROM wabas) OR
              EXISTS (SELECT 1 FROM phone_numbers) OR EXISTS (SELECT 1 FROM tokens) AS n`,
    );
    return Number(row?.n ?? 0) === 0;
  }

  async replaceState(state: StateSnapshot, options: { keepLog?: boolean } = {}): Promise<void> {
    this.#db.transaction(() => {
      for (const table of STATE_TABLES) {
        // A merge keeps the log, the admin-set pair limits, OTPs and register calls: none is in a scenario.
        if (options.keepLog === true && (LOG_TABLES.includes(table) || MERGE_KEEPS.includes(table))) continue;
        this.#db.exec(`DELETE FROM ${table}`);
      }
      this.#insertState(state);
      this.#statement(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ).run(SEED_KEY, JSON.stringify(state.seed));
    })();
  }

  async replaceStateInBatches(
    fill: (add: (batch: StateBatch) => Promise<void>) => Promise<StateSeed>,
  ): Promise<void> {
    // One transaction spanning the whole load (better-sqlite3's helper cannot span awaits): a failed or
    // killed load rolls back to the state before it, and a million rows commit once.
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw asUnavailable(error);
    }
    try {
      for (const table of STATE_TABLES) this.#db.exec(`DELETE FROM ${table}`);
      const { seed } = await fill(async (batch) => {
        this.#insertState({ ...EMPTY_STATE, ...batch });
      });
      this.#statement(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ).run(SEED_KEY, JSON.stringify(seed));
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  #insertState(state: StateSnapshot): void {
    const appInsert = this.#statement(
      insertSql('apps', [
        'id',
        'name',
        'secret',
        'appsecret_proof_required',
        'api_version',
        'wabas',
        'rate_limit',
        'webhook',
      ]),
    );
    for (const app of state.apps) {
      appInsert.run({
        ...app,
        appsecret_proof_required: app.appsecret_proof_required ? 1 : 0,
        wabas: JSON.stringify(app.wabas),
        rate_limit: json(app.rate_limit),
        webhook: json(app.webhook),
      });
    }
    const businessInsert = this.#statement(insertSql('businesses', ['id', 'name']));
    for (const business of state.businesses) businessInsert.run(business);
    const wabaInsert = this.#statement(insertSql('wabas', WABA_COLUMNS));
    for (const waba of state.wabas) wabaInsert.run(wabaToRow(waba));
    const phoneInsert = this.#statement(insertSql('phone_numbers', PHONE_COLUMNS));
    for (const number of state.phone_numbers) phoneInsert.run(phoneNumberToRow(number));
    const qrInsert = this.#statement(
      insertSql('qr_codes', ['code', 'phone_number_id', 'prefilled_message', 'position']),
    );
    for (const qr of state.qr_codes) qrInsert.run(qr satisfies QrCodeRecord);
    if (state.qr_codes.length > 0) {
      this.#raiseQrPosition(state.qr_codes.reduce((max, qr) => Math.max(max, qr.position), 0));
    }
    const profileInsert = this.#statement(insertSql('business_profiles', PROFILE_COLUMNS));
    for (const profile of state.business_profiles) profileInsert.run(profileToRow(profile));
    const tokenInsert = this.#statement(
      insertSql('tokens', ['digest', 'app_id', 'permissions', 'wabas', 'expires_at', 'revoked']),
    );
    for (const token of state.tokens) {
      tokenInsert.run({
        ...token,
        permissions: JSON.stringify(token.permissions),
        wabas: JSON.stringify(token.wabas),
        revoked: token.revoked ? 1 : 0,
      });
    }
  }

  /** Raises the high-water mark of QR positions (never lowers it). */
  #raiseQrPosition(position: number): void {
    this.#statement(
      `INSERT INTO meta (key, value) VALUES (@key, @value) ON CONFLICT(key) DO UPDATE SET value =
         CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)`,
    ).run({ key: QR_POSITION_META, value: String(position) });
  }

  async getPhoneNumber(id: string): Promise<PhoneNumberRecord | undefined> {
    return this.getPhoneNumberNow(id);
  }

  getPhoneNumberNow(id: string): PhoneNumberRecord | undefined {
    const row = this.#get('SELECT * FROM phone_numbers WHERE id = ?', id);
    return row && phoneNumberFromRow(row);
  }

  async getWaba(id: string): Promise<WabaRecord | undefined> {
    const row = this.#get('SELECT * FROM wabas WHERE id = ?', id);
    return row && wabaFromRow(row);
  }

  async getBusiness(id: string): Promise<BusinessRecord | undefined> {
    const row = this.#get('SELECT id, name FROM businesses WHERE id = ?', id);
    return row && { id: String(row.id), name: String(row.name) };
  }

  async getApp(id: string): Promise<AppRecord | undefined> {
    const row = this.#get('SELECT * FROM apps WHERE id = ?', id);
    return row && appFromRow(row);
  }

  async getTokenByDigest(digest: string): Promise<TokenRecord | undefined> {
    const row = this.#get('SELECT * FROM tokens WHERE digest = ?', digest);
    return row && tokenFromRow(row);
  }

  async countPhoneNumbers(): Promise<number> {
    return Number(this.#get('SELECT COUNT(*) AS n FROM phone_numbers')?.n ?? 0);
  }

  async scanPhoneNumbers(afterId: string | null, limit: number): Promise<PhoneNumberRecord[]> {
    const rows = this.#statement('SELECT * FROM phone_numbers WHERE id > ? ORDER BY id LIMIT ?').all(
      afterId ?? '',
      limit,
    ) as Row[];
    return rows.map(phoneNumberFromRow);
  }

  async isWabaActive(wabaId: string): Promise<boolean> {
    return (
      this.#get(
        "SELECT 1 AS x FROM phone_numbers WHERE waba_id = ? AND status = 'CONNECTED' LIMIT 1",
        wabaId,
      ) !== undefined
    );
  }

  async getPairRateLimit(appId: string, wabaId: string): Promise<RateLimitOverride | undefined> {
    const row = this.#get(
      'SELECT per_hour, active_per_hour FROM rate_limit_overrides WHERE app_id = ? AND waba_id = ?',
      appId,
      wabaId,
    );
    return row && limitsFromRow(row);
  }

  async setRateLimit(target: RateLimitTarget, limits: RateLimitOverride): Promise<void> {
    this.#db.transaction(() => {
      if (target.app !== undefined && target.waba !== undefined) {
        const current = this.#get(
          'SELECT per_hour, active_per_hour FROM rate_limit_overrides WHERE app_id = ? AND waba_id = ?',
          target.app,
          target.waba,
        );
        const merged = { ...(current && limitsFromRow(current)), ...limits };
        this.#statement(
          `INSERT INTO rate_limit_overrides (app_id, waba_id, per_hour, active_per_hour) VALUES (?, ?, ?, ?)
           ON CONFLICT(app_id, waba_id) DO UPDATE SET per_hour = excluded.per_hour, active_per_hour = excluded.active_per_hour`,
        ).run(target.app, target.waba, merged.per_hour ?? null, merged.active_per_hour ?? null);
        return;
      }
      const table = target.app !== undefined ? 'apps' : 'wabas';
      const id = target.app ?? target.waba;
      const row = this.#get(`SELECT rate_limit FROM ${table} WHERE id = ?`, id);
      if (row === undefined) return;
      const merged = { ...nullableParsed<RateLimitOverride>(row.rate_limit), ...limits };
      this.#statement(`UPDATE ${table} SET rate_limit = ? WHERE id = ?`).run(JSON.stringify(merged), id);
    })();
  }

  async listTokens(): Promise<TokenRecord[]> {
    const rows = this.#statement('SELECT * FROM tokens ORDER BY rowid').all() as Row[];
    return rows.map(tokenFromRow);
  }

  async getQrCode(code: string): Promise<QrCodeRecord | undefined> {
    const row = this.#get('SELECT * FROM qr_codes WHERE code = ?', code);
    return row && qrFromRow(row);
  }

  async listQrCodes(
    phoneNumberId: string,
    query: KeysetQuery<number>,
    code?: string,
  ): Promise<QrCodeRecord[]> {
    // List order is newest first: toward the end means smaller positions.
    const older = query.toward === 'end';
    const conditions = ['phone_number_id = @phoneNumberId'];
    if (query.from !== null) conditions.push(older ? 'position < @from' : 'position > @from');
    if (code !== undefined) conditions.push('code = @code');
    const sql = `SELECT * FROM qr_codes WHERE ${conditions.join(' AND ')}
      ORDER BY position ${older ? 'DESC' : 'ASC'} LIMIT @limit`;
    const rows = this.#all(sql, { phoneNumberId, from: query.from, code, limit: query.limit });
    return rows.map(qrFromRow);
  }

  async createQrCode(
    record: Omit<QrCodeRecord, 'position'>,
    maxPerNumber: number,
  ): Promise<QrCodeRecord | 'limit'> {
    return this.#write(() => {
      const count = Number(
        this.#get('SELECT COUNT(*) AS n FROM qr_codes WHERE phone_number_id = ?', record.phone_number_id)?.n,
      );
      if (count >= maxPerNumber) return 'limit' as const;
      // Positions never repeat, even after the newest code is deleted, so a cursor never names two codes.
      // Every insert raises the meta position (here and in replaceState), so it is the highest one; the
      // scan of every code's position (no index on it) is only for a database that predates the meta row.
      const last = this.#get('SELECT CAST(value AS INTEGER) AS p FROM meta WHERE key = ?', QR_POSITION_META);
      const position =
        last === undefined
          ? Number(this.#get('SELECT COALESCE(MAX(position), 0) AS p FROM qr_codes')?.p) + 1
          : Number(last.p) + 1;
      this.#raiseQrPosition(position);
      const created: QrCodeRecord = { ...record, position };
      this.#statement(
        insertSql('qr_codes', ['code', 'phone_number_id', 'prefilled_message', 'position']),
      ).run(created);
      return created;
    });
  }

  async updateQrCode(
    phoneNumberId: string,
    code: string,
    prefilledMessage: string,
  ): Promise<QrCodeRecord | undefined> {
    return this.#write(() => {
      this.#statement('UPDATE qr_codes SET prefilled_message = ? WHERE code = ? AND phone_number_id = ?').run(
        prefilledMessage,
        code,
        phoneNumberId,
      );
      const row = this.#get(
        'SELECT * FROM qr_codes WHERE code = ? AND phone_number_id = ?',
        code,
        phoneNumberId,
      );
      return row && qrFromRow(row);
    });
  }

  async deleteQrCode(phoneNumberId: string, code: string): Promise<boolean> {
    return this.#write(
      () =>
        this.#statement('DELETE FROM qr_codes WHERE code = ? AND phone_number_id = ?').run(
          code,
          phoneNumberId,
        ).changes > 0,
    );
  }

  async listWabaPhoneNumbers(wabaId: string, query: PhoneNumberQuery): Promise<PhoneNumberRecord[]> {
    const column = query.sortBy;
    // Reading toward the end of a descending list walks to smaller keys.
    const smaller = query.toward === 'end' ? query.descending : !query.descending;
    const conditions = ['waba_id = @wabaId'];
    const params: Record<string, unknown> = { wabaId, limit: query.limit };
    if (!query.includeDeleted) conditions.push("status <> 'DELETED'");
    query.equal.forEach((filter, index) => {
      conditions.push(`${filter.column} = @f${index}`);
      params[`f${index}`] = typeof filter.value === 'boolean' ? (filter.value ? 1 : 0) : filter.value;
    });
    if (query.from !== null) {
      conditions.push(`(${column}, id) ${smaller ? '<' : '>'} (@fromTime, @fromId)`);
      params.fromTime = query.from[0];
      params.fromId = query.from[1];
    }
    const direction = smaller ? 'DESC' : 'ASC';
    const sql = `SELECT * FROM phone_numbers WHERE ${conditions.join(' AND ')}
      ORDER BY ${column} ${direction}, id ${direction} LIMIT @limit`;
    return this.#all(sql, params).map(phoneNumberFromRow);
  }

  async createPhoneNumber(record: PhoneNumberRecord, digits: string): Promise<'created' | 'in_use'> {
    return this.#write(() => {
      const clash = this.#get(
        `SELECT 1 AS hit FROM phone_numbers WHERE status <> 'DELETED' AND
          replace(replace(replace(replace(replace(display_phone_number, '+', ''), ' ', ''), '-', ''), '(', ''), ')', '') = ?
          LIMIT 1`,
        digits,
      );
      if (clash !== undefined) return 'in_use' as const;
      this.#statement(insertSql('phone_numbers', PHONE_COLUMNS)).run(phoneNumberToRow(record));
      return 'created' as const;
    });
  }

  async listApps(): Promise<AppRecord[]> {
    return (this.#statement('SELECT * FROM apps ORDER BY rowid').all() as Row[]).map(appFromRow);
  }

  async listWabas(): Promise<WabaRecord[]> {
    return (this.#statement('SELECT * FROM wabas ORDER BY rowid').all() as Row[]).map(wabaFromRow);
  }

  async readState(): Promise<StateSnapshot> {
    const read = this.#db.transaction((): StateSnapshot => {
      const all = (sql: string): Row[] => this.#statement(sql).all() as Row[];
      const seed = this.#get('SELECT value FROM meta WHERE key = ?', SEED_KEY);
      return {
        seed: seed === undefined ? null : parsed<number | null>(seed.value),
        apps: all('SELECT * FROM apps ORDER BY rowid').map(appFromRow),
        businesses: all('SELECT id, name FROM businesses ORDER BY rowid').map((row) => ({
          id: String(row.id),
          name: String(row.name),
        })),
        wabas: all('SELECT * FROM wabas ORDER BY rowid').map(wabaFromRow),
        phone_numbers: all('SELECT * FROM phone_numbers ORDER BY rowid').map(phoneNumberFromRow),
        qr_codes: all('SELECT * FROM qr_codes ORDER BY position').map((row) => ({
          code: String(row.code),
          phone_number_id: String(row.phone_number_id),
          prefilled_message: String(row.prefilled_message),
          position: Number(row.position),
        })),
        tokens: all('SELECT * FROM tokens ORDER BY rowid').map(tokenFromRow),
        business_profiles: all(
          `SELECT b.* FROM business_profiles AS b JOIN phone_numbers AS p ON p.id = b.phone_number_id
           ORDER BY p.rowid`,
        ).map(profileFromRow),
      };
    });
    return read();
  }

  /** Built once: better-sqlite3 wraps a transaction function per call of `transaction()`. */
  #commitNumber: ((change: PhoneNumberChange) => void) | undefined;

  async commitPhoneNumberChange(change: PhoneNumberChange): Promise<void> {
    if (this.#commitNumber === undefined) {
      const update = this.#statement(updateById('phone_numbers', PHONE_COLUMNS));
      const history = this.#statement(
        `INSERT INTO history (phone_number_id, at, actor, change, from_value, to_value, reason)
         VALUES (@phone_number_id, @at, @actor, @change, @from, @to, @reason)`,
      );
      const outbox = this.#statement(INSERT_OUTBOX);
      this.#commitNumber = this.#db.transaction((committed: PhoneNumberChange) => {
        update.run(phoneNumberToRow(committed.number));
        for (const entry of committed.history) history.run(entry);
        for (const event of committed.events) {
          outbox.run({ ...event, next_attempt_at: event.status === 'pending' ? event.created_at : null });
        }
      });
    }
    try {
      this.#commitNumber(change);
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async getOtp(phoneNumberId: string): Promise<OtpRecord | undefined> {
    const row = this.#get('SELECT * FROM otp_codes WHERE phone_number_id = ?', phoneNumberId);
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
    this.#write(() =>
      this.#statement(
        `INSERT INTO otp_codes (phone_number_id, code, code_method, language, issued_at, sequence)
         VALUES (@phone_number_id, @code, @code_method, @language, @issued_at, @sequence)
         ON CONFLICT(phone_number_id) DO UPDATE SET code = excluded.code,
           code_method = excluded.code_method, language = excluded.language,
           issued_at = excluded.issued_at, sequence = excluded.sequence`,
      ).run(otp),
    );
  }

  async admitLimitedCall(
    window: LimitedCallWindow,
    phoneNumberId: string,
    at: string,
    since: string,
    max: number,
  ): Promise<boolean> {
    const table = CALL_WINDOW_TABLES[window];
    return this.#write(() => {
      const row = this.#statement(
        `SELECT COUNT(*) AS n FROM ${table} WHERE phone_number_id = ? AND at > ?`,
      ).get(phoneNumberId, since) as Row;
      if (Number(row.n) >= max) return false;
      this.#statement(`INSERT INTO ${table} (phone_number_id, at) VALUES (?, ?)`).run(phoneNumberId, at);
      return true;
    });
  }

  async getBusinessProfile(phoneNumberId: string): Promise<BusinessProfileRecord | undefined> {
    const row = this.#get('SELECT * FROM business_profiles WHERE phone_number_id = ?', phoneNumberId);
    return row && profileFromRow(row);
  }

  async commitBusinessProfileChange(change: BusinessProfileChange): Promise<void> {
    const upsert = this.#statement(
      `${insertSql('business_profiles', PROFILE_COLUMNS)} ON CONFLICT(phone_number_id) DO UPDATE SET
       ${PROFILE_COLUMNS.filter((c) => c !== 'phone_number_id')
         .map((c) => `${c} = excluded.${c}`)
         .join(', ')}`,
    );
    const history = this.#statement(
      `INSERT INTO history (phone_number_id, at, actor, change, from_value, to_value, reason)
       VALUES (@phone_number_id, @at, @actor, @change, @from, @to, @reason)`,
    );
    this.#write(() => {
      upsert.run(profileToRow(change.profile));
      for (const entry of change.history) history.run(entry);
    });
  }

  async commitWabaChange(change: WabaChange): Promise<void> {
    const update = this.#statement(updateById('wabas', WABA_COLUMNS));
    const history = this.#statement(
      `INSERT INTO waba_history (waba_id, at, actor, change, from_value, to_value, reason)
       VALUES (@waba_id, @at, @actor, @change, @from, @to, @reason)`,
    );
    const outbox = this.#statement(INSERT_OUTBOX);
    this.#write(() => {
      update.run(wabaToRow(change.waba));
      for (const entry of change.history) history.run(entry);
      for (const event of change.events) {
        outbox.run({ ...event, next_attempt_at: event.status === 'pending' ? event.created_at : null });
      }
    });
  }

  async listWabaHistory(wabaId: string): Promise<WabaHistoryEntry[]> {
    const rows = this.#statement('SELECT * FROM waba_history WHERE waba_id = ? ORDER BY id DESC').all(
      wabaId,
    ) as Row[];
    return rows.map(wabaHistoryFromRow);
  }

  async listHistory(phoneNumberId: string): Promise<HistoryEntry[]> {
    const rows = this.#statement('SELECT * FROM history WHERE phone_number_id = ? ORDER BY id DESC').all(
      phoneNumberId,
    ) as Row[];
    return rows.map((row) => ({
      phone_number_id: String(row.phone_number_id),
      at: String(row.at),
      actor: String(row.actor),
      change: String(row.change),
      from: (row.from_value ?? null) as string | null,
      to: (row.to_value ?? null) as string | null,
      reason: (row.reason ?? null) as string | null,
    }));
  }

  async setAppWebhook(appId: string, webhook: WebhookSubscription | null): Promise<void> {
    this.#statement('UPDATE apps SET webhook = ? WHERE id = ?').run(json(webhook), appId);
  }

  async setAppWebhookState(appId: string, url: string, state: SubscriptionState): Promise<void> {
    this.#statement(
      `UPDATE apps SET webhook = json_set(webhook, '$.state', ?)
       WHERE id = ? AND webhook IS NOT NULL AND json_extract(webhook, '$.url') = ?`,
    ).run(state, appId, url);
  }

  async setNumberWebhookState(
    phoneNumberId: string,
    url: string,
    state: NumberWebhookOverride['state'],
  ): Promise<void> {
    this.#statement(
      `UPDATE phone_numbers SET webhook_override = json_set(webhook_override, '$.state', ?)
       WHERE id = ? AND webhook_override IS NOT NULL AND json_extract(webhook_override, '$.url') = ?`,
    ).run(state, phoneNumberId, url);
  }

  async dueDeliveries(now: string, limit: number): Promise<DeliveryRecord[]> {
    const rows = this.#statement(
      `SELECT o.* FROM (
         SELECT MIN(id) AS id FROM outbox WHERE status = 'pending' GROUP BY app_id, phone_number_id
       ) AS head JOIN outbox AS o ON o.id = head.id
       WHERE o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?`,
    ).all(now, limit) as Row[];
    return rows.map((row) => deliveryFromRow(row));
  }

  async recordAttempts(results: readonly AttemptResult[]): Promise<void> {
    const attempt = this.#statement(
      `INSERT INTO webhook_attempts (outbox_id, at, url, http_status, latency_ms, error)
       SELECT @outbox_id, @at, @url, @http_status, @latency_ms, @error
       WHERE EXISTS (SELECT 1 FROM outbox WHERE id = @outbox_id)`,
    );
    const update = this.#statement(
      `UPDATE outbox SET status = @status, attempts = attempts + @counted, next_attempt_at = @next_attempt_at
       WHERE id = @outbox_id`,
    );
    try {
      this.#db.transaction(() => {
        for (const result of results) {
          if (result.attempt !== null) attempt.run({ outbox_id: result.outbox_id, ...result.attempt });
          update.run({
            outbox_id: result.outbox_id,
            status: result.status,
            counted: result.counted ? 1 : 0,
            next_attempt_at: result.next_attempt_at,
          });
        }
      })();
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  #withAttempts(rows: Row[]): DeliveryRecord[] {
    const attempts = this.#statement('SELECT * FROM webhook_attempts WHERE outbox_id = ? ORDER BY id');
    return rows.map((row) => deliveryFromRow(row, (attempts.all(row.id) as Row[]).map(attemptFromRow)));
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    const rows = this.#statement(
      `SELECT * FROM outbox WHERE (@phone IS NULL OR phone_number_id = @phone)
         AND (@status IS NULL OR status = @status) AND (@field IS NULL OR field = @field)
         ORDER BY id DESC LIMIT @limit`,
    ).all({
      phone: query.phone_number ?? null,
      status: query.status ?? null,
      field: query.field ?? null,
      limit: query.limit,
    }) as Row[];
    return this.#withAttempts(rows);
  }

  async getDelivery(id: number): Promise<DeliveryRecord | undefined> {
    const row = this.#get('SELECT * FROM outbox WHERE id = ?', id);
    return row === undefined ? undefined : this.#withAttempts([row])[0];
  }

  async redeliver(id: number, now: string): Promise<boolean> {
    const result = this.#statement(
      "UPDATE outbox SET status = 'pending', next_attempt_at = ? WHERE id = ?",
    ).run(now, id);
    return result.changes > 0;
  }

  async outboxLag(): Promise<{ pending: number; oldest_created_at: string | null }> {
    const row = this.#get(
      "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'",
    );
    return { pending: Number(row?.n ?? 0), oldest_created_at: (row?.oldest ?? null) as string | null };
  }

  async listFaultRules(): Promise<FaultRuleRecord[]> {
    return this.#all('SELECT * FROM fault_rules ORDER BY id', {}).map(faultRuleFromRow);
  }

  async addFaultRule(rule: string, times: number | null): Promise<FaultRuleRecord> {
    const row = this.#write(
      () =>
        this.#statement('INSERT INTO fault_rules (rule, remaining) VALUES (?, ?) RETURNING *').get(
          rule,
          times,
        ) as Row,
    );
    return faultRuleFromRow(row);
  }

  async deleteFaultRule(id: string): Promise<boolean> {
    if (!/^\d{1,15}$/.test(id)) return false;
    return this.#write(
      () => this.#statement('DELETE FROM fault_rules WHERE id = ?').run(Number(id)).changes > 0,
    );
  }

  async clearFaultRules(): Promise<void> {
    this.#write(() => this.#statement('DELETE FROM fault_rules').run());
  }

  async useFaultRule(id: string): Promise<FaultRuleRecord | undefined> {
    const row = this.#write(
      () =>
        this.#statement(
          `UPDATE fault_rules SET remaining = remaining - 1, matched = matched + 1
           WHERE id = ? AND (remaining IS NULL OR remaining > 0) RETURNING *`,
        ).get(Number(id)) as Row | undefined,
    );
    return row && faultRuleFromRow(row);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.#get('SELECT value FROM meta WHERE key = ?', key);
    return row === undefined ? undefined : String(row.value);
  }

  async initMeta(key: string, value: string): Promise<string> {
    this.#statement('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return (await this.getMeta(key)) ?? value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#statement(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
