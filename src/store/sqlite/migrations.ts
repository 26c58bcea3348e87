/**
 * Versioned schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records the last one applied. Never edit a shipped migration: append a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    appsecret_proof_required INTEGER NOT NULL,
    api_version TEXT,
    wabas TEXT NOT NULL,
    rate_limit TEXT,
    webhook TEXT
  );
  CREATE TABLE businesses (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
  );
  CREATE TABLE wabas (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses(id),
    name TEXT NOT NULL,
    timezone_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    message_template_namespace TEXT NOT NULL,
    banned INTEGER NOT NULL,
    rate_limit TEXT
  );
  CREATE TABLE phone_numbers (
    id TEXT PRIMARY KEY,
    waba_id TEXT NOT NULL REFERENCES wabas(id),
    display_phone_number TEXT NOT NULL,
    verified_name TEXT NOT NULL,
    status TEXT NOT NULL,
    account_mode TEXT NOT NULL,
    certificate TEXT,
    new_certificate TEXT,
    name_status TEXT NOT NULL,
    new_name_status TEXT NOT NULL,
    requested_verified_name TEXT,
    quality_score TEXT NOT NULL,
    code_verification_status TEXT NOT NULL,
    is_official_business_account INTEGER NOT NULL,
    is_pin_enabled INTEGER NOT NULL,
    messaging_limit_tier TEXT NOT NULL,
    eligibility_for_api_business_global_search TEXT NOT NULL,
    search_visibility TEXT NOT NULL,
    platform_type TEXT NOT NULL,
    throughput_level TEXT NOT NULL,
    webhook_override TEXT,
    is_preverified_number INTEGER NOT NULL,
    is_on_biz_app INTEGER NOT NULL,
    whatsapp_business_manager_messaging_limit TEXT NOT NULL,
    last_onboarded_time TEXT NOT NULL,
    created_time TEXT NOT NULL
  );
  CREATE INDEX phone_numbers_waba ON phone_numbers(waba_id);
  CREATE TABLE tokens (
    digest TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id),
    permissions TEXT NOT NULL,
    wabas TEXT NOT NULL,
    expires_at TEXT,
    revoked INTEGER NOT NULL
  );
  CREATE TABLE qr_codes (
    code TEXT PRIMARY KEY,
    phone_number_id TEXT NOT NULL REFERENCES phone_numbers(id),
    prefilled_message TEXT NOT NULL,
    position INTEGER NOT NULL
  );
  CREATE INDEX qr_codes_number_position ON qr_codes(phone_number_id, position);
  CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_number_id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    reason TEXT
  );
  CREATE INDEX history_number ON history(phone_number_id, id);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL,
    phone_number_id TEXT NOT NULL,
    waba_id TEXT NOT NULL,
    field TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX outbox_pending ON outbox(status, app_id, phone_number_id, id);
  CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    at TEXT NOT NULL,
    url TEXT NOT NULL,
    http_status INTEGER,
    latency_ms INTEGER,
    error TEXT
  );
  CREATE INDEX webhook_attempts_outbox ON webhook_attempts(outbox_id);
  `,
  // 2: deliveries are looked up by number and status for the log; due rows by time.
  `
  CREATE INDEX outbox_number ON outbox(phone_number_id, id);
  CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
  `,
  // 3: Business Use Case rate limits: whether a WABA is active, and admin-set (app, WABA) pair limits.
  `
  CREATE INDEX phone_numbers_waba_status ON phone_numbers(waba_id, status);
  CREATE TABLE rate_limit_overrides (
    app_id TEXT NOT NULL,
    waba_id TEXT NOT NULL,
    per_hour INTEGER,
    active_per_hour INTEGER,
    PRIMARY KEY (app_id, waba_id)
  );
  `,
  // 4: lifecycle edges: the last OTP of each number (request_code) and register calls for the 72 h limit.
  `
  CREATE TABLE otp_codes (
    phone_number_id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    code_method TEXT NOT NULL,
    language TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    sequence INTEGER NOT NULL
  );
  CREATE TABLE register_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_number_id TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX register_calls_number ON register_calls(phone_number_id, at);
  `,
  // 5: fidelity round 2: the two-step PIN as a salted hash, business profiles, WABA review fields and
  // history, and request_code calls for their own 72 h limit. Register calls now count deregister too.
  `
  ALTER TABLE phone_numbers ADD COLUMN pin_hash TEXT;
  ALTER TABLE wabas ADD COLUMN account_review_status TEXT NOT NULL DEFAULT 'APPROVED';
  ALTER TABLE wabas ADD COLUMN business_verification_status TEXT NOT NULL DEFAULT 'verified';
  ALTER TABLE wabas ADD COLUMN country TEXT NOT NULL DEFAULT 'US';
  ALTER TABLE wabas ADD COLUMN ownership_type TEXT NOT NULL DEFAULT 'SELF';
  CREATE TABLE business_profiles (
    phone_number_id TEXT PRIMARY KEY REFERENCES phone_numbers(id),
    about TEXT,
    address TEXT,
    description TEXT,
    email TEXT,
    websites TEXT NOT NULL,
    vertical TEXT,
    profile_picture_handle TEXT
  );
  CREATE TABLE waba_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    waba_id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    change TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    reason TEXT
  );
  CREATE INDEX waba_history_waba ON waba_history(waba_id, id);
  CREATE TABLE request_code_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_number_id TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX request_code_calls_number ON request_code_calls(phone_number_id, at);
  `,
  // 6: fault rules live in the store (survive restarts; PostgreSQL shares them between instances).
  `
  CREATE TABLE fault_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule TEXT NOT NULL,
    remaining INTEGER,
    matched INTEGER NOT NULL DEFAULT 0
  );
  `,
];
