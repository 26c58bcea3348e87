import type {
  AccountMode,
  BusinessManagerMessagingLimit,
  CodeVerificationStatus,
  MessagingLimitTier,
  NameStatus,
  PhoneNumberStatus,
  PlatformType,
  QualityScore,
  SearchVisibility,
  ThroughputLevel,
} from '../contract/phone-number.ts';
import type { BusinessVertical } from '../contract/business-profile.ts';
import type { GraphVersion } from '../contract/versions.ts';
import type { AccountReviewStatus, BusinessVerificationStatus, OwnershipType } from '../contract/waba.ts';

/** Rows as the store keeps them: plain data, every default already applied. */

export type Permission = 'whatsapp_business_management' | 'whatsapp_business_messaging';

export interface RateLimitOverride {
  per_hour?: number;
  active_per_hour?: number;
}

export type SubscriptionState = 'pending_verification' | 'active';

export interface WebhookSubscription {
  url: string;
  verify_token: string;
  fields: string[];
  state: SubscriptionState;
}

export interface AppRecord {
  id: string;
  name: string;
  secret: string;
  appsecret_proof_required: boolean;
  api_version: GraphVersion | null;
  /** `'*'` = installed on every WABA of the state. */
  wabas: '*' | string[];
  rate_limit: RateLimitOverride | null;
  webhook: WebhookSubscription | null;
}

export interface BusinessRecord {
  id: string;
  name: string;
}

export interface WabaRecord {
  id: string;
  business_id: string;
  name: string;
  timezone_id: string;
  currency: string;
  message_template_namespace: string;
  banned: boolean;
  rate_limit: RateLimitOverride | null;
  account_review_status: AccountReviewStatus;
  business_verification_status: BusinessVerificationStatus;
  /** ISO 3166 alpha-2. */
  country: string;
  ownership_type: OwnershipType;
}

export interface NumberWebhookOverride {
  url: string;
  verify_token: string;
  state: SubscriptionState;
}

export interface PhoneNumberRecord {
  id: string;
  waba_id: string;
  display_phone_number: string;
  verified_name: string;
  status: PhoneNumberStatus;
  account_mode: AccountMode;
  /** Present once the name is approved; kept verbatim when a scenario gives it. */
  certificate: string | null;
  new_certificate: string | null;
  name_status: NameStatus;
  new_name_status: NameStatus;
  /** The name a pending or approved new-name request asks for. */
  requested_verified_name: string | null;
  quality_score: QualityScore;
  code_verification_status: CodeVerificationStatus;
  is_official_business_account: boolean;
  is_pin_enabled: boolean;
  /** The two-step PIN as a salted hash (domain/two-step-pin.ts), never in clear; null when none is stored. */
  pin_hash: string | null;
  messaging_limit_tier: MessagingLimitTier;
  eligibility_for_api_business_global_search: string;
  search_visibility: SearchVisibility;
  platform_type: PlatformType;
  throughput_level: ThroughputLevel;
  webhook_override: NumberWebhookOverride | null;
  is_preverified_number: boolean;
  is_on_biz_app: boolean;
  whatsapp_business_manager_messaging_limit: BusinessManagerMessagingLimit;
  /** ISO-8601 UTC. */
  last_onboarded_time: string;
  /** ISO-8601 UTC. */
  created_time: string;
}

export interface QrCodeRecord {
  code: string;
  phone_number_id: string;
  prefilled_message: string;
  /** Creation order across the server; lists sort newest first by it. */
  position: number;
}

/** A number's business profile (phone-number.md §5.3); null fields are not set. */
export interface BusinessProfileRecord {
  phone_number_id: string;
  about: string | null;
  address: string | null;
  description: string | null;
  email: string | null;
  websites: string[];
  vertical: BusinessVertical | null;
  /** The upload handle of the picture phonegraph serves as `profile_picture_url`. */
  profile_picture_handle: string | null;
}

/** The last one-time code `request_code` issued for a number (phone-number.md §5.2). */
export interface OtpRecord {
  phone_number_id: string;
  /** 6 decimal digits. */
  code: string;
  code_method: 'SMS' | 'VOICE';
  language: string;
  /** ISO-8601 UTC on the injected clock; the code expires 10 minutes later. */
  issued_at: string;
  /** How many codes the number has been issued, this one included (seeds the next code). */
  sequence: number;
}

export interface TokenRecord {
  /** Lowercase hex SHA-256 of the token; the token itself is never stored. */
  digest: string;
  app_id: string;
  permissions: Permission[];
  /** Granular WABA targets; `'*'` = every WABA of the app. */
  wabas: '*' | string[];
  /** ISO-8601 UTC, or null for a token that never expires. */
  expires_at: string | null;
  revoked: boolean;
}

/** A whole state: what a scenario loads and what export writes. */
export interface StateSnapshot {
  seed: number | null;
  apps: AppRecord[];
  businesses: BusinessRecord[];
  wabas: WabaRecord[];
  phone_numbers: PhoneNumberRecord[];
  qr_codes: QrCodeRecord[];
  tokens: TokenRecord[];
  business_profiles: BusinessProfileRecord[];
}

/** Part of a state, as a bulk load adds it (`Store.replaceStateInBatches`). */
export type StateBatch = Partial<Omit<StateSnapshot, 'seed'>>;

/** One line of a number's change history (phone-number.md §4). */
export interface HistoryEntry {
  phone_number_id: string;
  /** ISO-8601 UTC. */
  at: string;
  /** `admin`, `graph:{app-id}` or `scenario`. */
  actor: string;
  /** `status`, `name_status`, `new_name_status`, `new_name`, `quality_score`, `messaging_limit_tier`. */
  change: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}

/** One line of a WABA's change history (review and verification status). */
export interface WabaHistoryEntry {
  waba_id: string;
  at: string;
  actor: string;
  /** `account_review_status` or `business_verification_status`. */
  change: string;
  from: string | null;
  to: string | null;
  reason: string | null;
}

/** One WABA change: the WABA as it is now, its history lines and the events it causes. */
export interface WabaChange {
  waba: WabaRecord;
  history: WabaHistoryEntry[];
  events: OutboxEvent[];
}

/** A business-profile change: the profile as it is now and the number's history line. */
export interface BusinessProfileChange {
  profile: BusinessProfileRecord;
  history: HistoryEntry[];
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'skipped';

/** An event as a change writes it to the outbox, one per receiving app. */
export interface OutboxEvent {
  event_id: string;
  app_id: string;
  phone_number_id: string;
  waba_id: string;
  field: string;
  /** The envelope as plain JSON; the dispatcher writes it in Graph's wire encoding. */
  payload: string;
  status: DeliveryStatus;
  /** ISO-8601 UTC: when the change happened, and the first time the event may be sent. */
  created_at: string;
}

/** One change: the number as it is now, its history lines and the events it causes. */
export interface PhoneNumberChange {
  number: PhoneNumberRecord;
  history: HistoryEntry[];
  events: OutboxEvent[];
}

export interface DeliveryAttempt {
  at: string;
  url: string;
  http_status: number | null;
  latency_ms: number | null;
  error: string | null;
}

/** An outbox row with its attempts (the delivery log). */
export interface DeliveryRecord extends OutboxEvent {
  id: number;
  attempts: number;
  next_attempt_at: string | null;
  attempt_log: DeliveryAttempt[];
}

/** What one dispatch of an outbox row produced; applied in one batched transaction. */
export interface AttemptResult {
  outbox_id: number;
  /** null when no request was made (e.g. marking failed after the window). */
  attempt: DeliveryAttempt | null;
  status: DeliveryStatus;
  next_attempt_at: string | null;
  /** Counts toward `attempts`. */
  counted: boolean;
}

export interface DeliveryQuery {
  phone_number?: string;
  status?: DeliveryStatus;
  /** The webhook field (`account_update`, …). */
  field?: string;
  limit: number;
}

/** A stored fault rule (docs/faults.md): the rule as given, as JSON, and its counters. */
export interface FaultRuleRecord {
  readonly id: string;
  /** The `FaultRuleInput` JSON: match, action, times, probability. */
  readonly rule: string;
  /** Fires left; null = unlimited. */
  readonly remaining: number | null;
  readonly matched: number;
}
