/**
 * Versioned PostgreSQL schema migrations: the SQLite ones (store/sqlite/migrations.ts) in meaning, folded
 * into one first version because this store ships with all of them. `schema_migrations` records each
 * version applied; never edit a shipped migration: append a new one.
 *
 * Text compares byte-wise (`COLLATE "C"`) as it does in SQLite, so id and time orders are the same on
 * both stores whatever the database's locale. `seq` columns keep insertion order (SQLite's rowid).
 */
const T = 'TEXT COLLATE "C"';

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key ${T} PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE apps (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id ${T} PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    appsecret_proof_required BOOLEAN NOT NULL,
    api_version TEXT,
    wabas TEXT NOT NULL,
    rate_limit TEXT,
    webhook TEXT
  );
  CREATE TABLE businesses (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id ${T} PRIMARY KEY,
    name TEXT NOT NULL
  );
  CREATE TABLE wabas (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id ${T} PRIMARY KEY,
    business_id ${T} NOT NULL REFERENCES businesses(id),
    name TEXT NOT NULL,
    timezone_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    message_template_namespace TEXT NOT NULL,
    banned BOOLEAN NOT NULL,
    rate_limit TEXT,
    account_review_status TEXT NOT NULL DEFAULT 'APPROVED',
    business_verification_status TEXT NOT NULL DEFAULT 'verified',
    country TEXT NOT NULL DEFAULT 'US',
    ownership_type TEXT NOT NULL DEFAULT 'SELF'
  );
  CREATE TABLE phone_numbers (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id ${T} PRIMARY KEY,
    waba_id ${T} NOT NULL REFERENCES wabas(id),
    display_phone_number ${T} NOT NULL,
    verified_name TEXT NOT NULL,
    status ${T} NOT NULL,
    account_mode ${T} NOT NULL,
    certificate TEXT,
    new_certificate TEXT,
    name_status TEXT NOT NULL,
    new_name_status TEXT NOT NULL,
    requested_verified_name TEXT,
    quality_score TEXT NOT NULL,
    code_verification_status TEXT NOT NULL,
    is_official_business_account BOOLEAN NOT NULL,
    is_pin_enabled BOOLEAN NOT NULL,
    pin_hash TEXT,
    messaging_limit_tier ${T} NOT NULL,
    eligibility_for_api_business_global_search TEXT NOT NULL,
    search_visibility TEXT NOT NULL,
    platform_type TEXT NOT NULL,
    throughput_level TEXT NOT NULL,
    webhook_override TEXT,
    is_preverified_number BOOLEAN NOT NULL,
    is_on_biz_app BOOLEAN NOT NULL,
    whatsapp_business_manager_messaging_limit TEXT NOT NULL,
    last_onboarded_time ${T} NOT NULL,
    created_time ${T} NOT NULL
  );
  CREATE INDEX phone_numbers_waba ON phone_numbers(waba_id);
  CREATE INDEX phone_numbers_waba_status ON phone_numbers(waba_id, status);
  CREATE TABLE tokens (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    digest ${T} PRIMARY KEY,
    app_id ${T} NOT NULL REFERENCES apps(id),
    permissions TEXT NOT NULL,
    wabas TEXT NOT NULL,
    expires_at TEXT,
    revoked BOOLEAN NOT NULL
  );
  CREATE TABLE qr_codes (
    code ${T} PRIMARY KEY,
    phone_number_id ${T} NOT NULL REFERENCES phone_numbers(id),
    prefilled_message TEXT NOT NULL,
    position BIGINT NOT NULL UNIQUE
  );
  CREATE INDEX qr_codes_number_position ON qr_codes(phone_number_id, position);
  CREATE TABLE business_profiles (
    phone_number_id ${T} PRIMARY KEY REFERENCES phone_numbers(id),
    about TEXT,
    address TEXT,
    description TEXT,
    email TEXT,
    websites TEXT NOT NULL,
    vertical TEXT,
    profile_picture_handle TEXT
  );
  CREATE TABLE history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone_number_id ${T} NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    reason TEXT
  );
  CREATE INDEX history_number ON history(phone_number_id, id);
  CREATE TABLE waba_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    waba_id ${T} NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    reason TEXT
  );
  CREATE INDEX waba_history_waba ON waba_history(waba_id, id);
  CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id ${T} NOT NULL UNIQUE,
    app_id ${T} NOT NULL,
    phone_number_id ${T} NOT NULL,
    waba_id ${T} NOT NULL,
    field TEXT NOT NULL,
    payload TEXT NOT NULL,
    status ${T} NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at ${T},
    created_at ${T} NOT NULL
  );
  CREATE INDEX outbox_pending ON outbox(status, app_id, phone_number_id, id);
  CREATE INDEX outbox_number ON outbox(phone_number_id, id);
  CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
  CREATE TABLE webhook_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox(id),
    at TEXT NOT NULL,
    url TEXT NOT NULL,
    http_status INTEGER,
    latency_ms INTEGER,
    error TEXT
  );
  CREATE INDEX webhook_attempts_outbox ON webhook_attempts(outbox_id);
  CREATE TABLE rate_limit_overrides (
    app_id ${T} NOT NULL,
    waba_id ${T} NOT NULL,
    per_hour INTEGER,
    active_per_hour INTEGER,
    PRIMARY KEY (app_id, waba_id)
  );
  CREATE TABLE otp_codes (
    phone_number_id ${T} PRIMARY KEY,
    code TEXT NOT NULL,
    code_method TEXT NOT NULL,
    language TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    sequence INTEGER NOT NULL
  );
  CREATE TABLE register_calls (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone_number_id ${T} NOT NULL,
    at ${T} NOT NULL
  );
  CREATE INDEX register_calls_number ON register_calls(phone_number_id, at);
  CREATE TABLE request_code_calls (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone_number_id ${T} NOT NULL,
    at ${T} NOT NULL
  );
  CREATE INDEX request_code_calls_number ON request_code_calls(phone_number_id, at);
  `,
  // 2-5: the SQLite migrations 2-5, folded into 1 above; kept as empty versions so a version number
  // means the same schema on both stores.
  'SELECT 1',
  'SELECT 1',
  'SELECT 1',
  'SELECT 1',
  // 6: scale-out. Fault rules live in the store (shared by instances, remaining decremented
  // atomically); outbox rows get a claim (which instance delivers it, until when) so one instance at a
  // time sends an event.
  `
  CREATE TABLE fault_rules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule TEXT NOT NULL,
    remaining INTEGER,
    matched INTEGER NOT NULL DEFAULT 0
  );
  ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
  ALTER TABLE outbox ADD COLUMN lease_until TIMESTAMPTZ;
  `,
];
