import type {
  AppRecord,
  BusinessProfileRecord,
  DeliveryAttempt,
  DeliveryRecord,
  DeliveryStatus,
  HistoryEntry,
  PhoneNumberRecord,
  QrCodeRecord,
  RateLimitOverride,
  TokenRecord,
  WabaHistoryEntry,
  WabaRecord,
} from '../records.ts';
import type { Row } from './database.ts';
import { PHONE_COLUMNS, PHONE_JSON_COLUMNS } from '../columns.ts';

/** Conversions between records and PostgreSQL rows: booleans are native, nested values are JSON text. */

export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function parsed<T>(value: unknown): T {
  return JSON.parse(String(value)) as T;
}

function nullableParsed<T>(value: unknown): T | null {
  return value === null || value === undefined ? null : parsed<T>(value);
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export const APP_COLUMNS = [
  'id',
  'name',
  'secret',
  'appsecret_proof_required',
  'api_version',
  'wabas',
  'rate_limit',
  'webhook',
] as const;

export function appFromRow(row: Row): AppRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    secret: String(row.secret),
    appsecret_proof_required: row.appsecret_proof_required === true,
    api_version: (row.api_version ?? null) as AppRecord['api_version'],
    wabas: parsed<AppRecord['wabas']>(row.wabas),
    rate_limit: nullableParsed(row.rate_limit),
    webhook: nullableParsed(row.webhook),
  };
}

export function appToRow(app: AppRecord): Row {
  return {
    ...app,
    wabas: JSON.stringify(app.wabas),
    rate_limit: json(app.rate_limit),
    webhook: json(app.webhook),
  };
}

export function wabaFromRow(row: Row): WabaRecord {
  return {
    id: String(row.id),
    business_id: String(row.business_id),
    name: String(row.name),
    timezone_id: String(row.timezone_id),
    currency: String(row.currency),
    message_template_namespace: String(row.message_template_namespace),
    banned: row.banned === true,
    rate_limit: nullableParsed(row.rate_limit),
    account_review_status: String(row.account_review_status) as WabaRecord['account_review_status'],
    business_verification_status: String(
      row.business_verification_status,
    ) as WabaRecord['business_verification_status'],
    country: String(row.country),
    ownership_type: String(row.ownership_type) as WabaRecord['ownership_type'],
  };
}

export function wabaToRow(waba: WabaRecord): Row {
  return { ...waba, rate_limit: json(waba.rate_limit) };
}

export function profileFromRow(row: Row): BusinessProfileRecord {
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

export function profileToRow(profile: BusinessProfileRecord): Row {
  return { ...profile, websites: JSON.stringify(profile.websites) };
}

export function phoneNumberFromRow(row: Row): PhoneNumberRecord {
  const record: Row = {};
  for (const column of PHONE_COLUMNS) record[column] = row[column] ?? null;
  for (const column of PHONE_JSON_COLUMNS) record[column] = nullableParsed(row[column]);
  return record as unknown as PhoneNumberRecord;
}

export function phoneNumberToRow(record: PhoneNumberRecord): Row {
  const row: Row = { ...record };
  for (const column of PHONE_JSON_COLUMNS) row[column] = json(record[column]);
  return row;
}

export function qrFromRow(row: Row): QrCodeRecord {
  return {
    code: String(row.code),
    phone_number_id: String(row.phone_number_id),
    prefilled_message: String(row.prefilled_message),
    position: Number(row.position),
  };
}

export const TOKEN_COLUMNS = ['digest', 'app_id', 'permissions', 'wabas', 'expires_at', 'revoked'] as const;

export function tokenFromRow(row: Row): TokenRecord {
  return {
    digest: String(row.digest),
    app_id: String(row.app_id),
    permissions: parsed<TokenRecord['permissions']>(row.permissions),
    wabas: parsed<TokenRecord['wabas']>(row.wabas),
    expires_at: text(row.expires_at),
    revoked: row.revoked === true,
  };
}

export function tokenToRow(token: TokenRecord): Row {
  return { ...token, permissions: JSON.stringify(token.permissions), wabas: JSON.stringify(token.wabas) };
}

export function historyFromRow(row: Row): HistoryEntry {
  return {
    phone_number_id: String(row.phone_number_id),
    at: String(row.at),
    actor: String(row.actor),
    change: String(row.change),
    from: text(row.from_value),
    to: text(row.to_value),
    reason: text(row.reason),
  };
}

export function wabaHistoryFromRow(row: Row): WabaHistoryEntry {
  return {
    waba_id: String(row.waba_id),
    at: String(row.at),
    actor: String(row.actor),
    change: String(row.change),
    from: text(row.from_value),
    to: text(row.to_value),
    reason: text(row.reason),
  };
}

export function deliveryFromRow(row: Row, attemptLog: DeliveryAttempt[] = []): DeliveryRecord {
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
    next_attempt_at: text(row.next_attempt_at),
    attempt_log: attemptLog,
  };
}

export function attemptFromRow(row: Row): DeliveryAttempt {
  return {
    at: String(row.at),
    url: String(row.url),
    http_status: row.http_status === null ? null : Number(row.http_status),
    latency_ms: row.latency_ms === null ? null : Number(row.latency_ms),
    error: text(row.error),
  };
}

export function limitsFromRow(row: Row): RateLimitOverride {
  const limits: RateLimitOverride = {};
  if (row.per_hour !== null && row.per_hour !== undefined) limits.per_hour = Number(row.per_hour);
  if (row.active_per_hour !== null && row.active_per_hour !== undefined)
    limits.active_per_hour = Number(row.active_per_hour);
  return limits;
}
