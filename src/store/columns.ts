// The stored columns of each record, in table order: one list both stores (SQLite, PostgreSQL) use.
import type { PhoneNumberRecord } from './records.ts';

export const WABA_COLUMNS = [
  'id',
  'business_id',
  'name',
  'timezone_id',
  'currency',
  'message_template_namespace',
  'banned',
  'rate_limit',
  'account_review_status',
  'business_verification_status',
  'country',
  'ownership_type',
] as const;

export const PROFILE_COLUMNS = [
  'phone_number_id',
  'about',
  'address',
  'description',
  'email',
  'websites',
  'vertical',
  'profile_picture_handle',
] as const;

export const PHONE_COLUMNS: readonly (keyof PhoneNumberRecord)[] = [
  'id',
  'waba_id',
  'display_phone_number',
  'verified_name',
  'status',
  'account_mode',
  'certificate',
  'new_certificate',
  'name_status',
  'new_name_status',
  'requested_verified_name',
  'quality_score',
  'code_verification_status',
  'is_official_business_account',
  'is_pin_enabled',
  'pin_hash',
  'messaging_limit_tier',
  'eligibility_for_api_business_global_search',
  'search_visibility',
  'platform_type',
  'throughput_level',
  'webhook_override',
  'is_preverified_number',
  'is_on_biz_app',
  'whatsapp_business_manager_messaging_limit',
  'last_onboarded_time',
  'created_time',
];

/** Columns held as JSON text. */
export const PHONE_JSON_COLUMNS = ['quality_score', 'webhook_override'] as const;
