import type { PhoneNumberFieldName, QualityRating } from '../contract/phone-number.ts';
import type { AppRecord, PhoneNumberRecord, WabaRecord } from '../store/records.ts';
import { healthStatus } from './health-status.ts';

/** What a read of one number sees: the number, its WABA and the calling token's app. */
export interface PhoneNumberContext {
  readonly number: PhoneNumberRecord;
  readonly waba: WabaRecord;
  readonly app: AppRecord;
}

/** `undefined` means the key is left out of the response (e.g. no certificate before approval). */
export type FieldValue = (context: PhoneNumberContext) => unknown;

/** `quality_rating` follows `quality_score.score`; a number with no rating yet reads `UNKNOWN`. */
function qualityRating(number: PhoneNumberRecord): QualityRating {
  return number.quality_score.score;
}

/** A certificate is shown only while the name it certifies stands approved (phone-number.md §2). */
function hasApprovedName(number: PhoneNumberRecord): boolean {
  return number.name_status === 'APPROVED' || number.name_status === 'AVAILABLE_WITHOUT_REVIEW';
}

function webhookConfiguration({ number, app }: PhoneNumberContext): Record<string, string> | undefined {
  const value: Record<string, string> = {};
  if (app.webhook !== null) value.application = app.webhook.url;
  if (number.webhook_override !== null) value.phone_number = number.webhook_override.url;
  return Object.keys(value).length === 0 ? undefined : value;
}

/** How each readable field is computed from stored state (phone-number.md §2-§3). */
export const PHONE_NUMBER_FIELD_VALUES: Readonly<Record<PhoneNumberFieldName, FieldValue>> = {
  id: ({ number }) => number.id,
  display_phone_number: ({ number }) => number.display_phone_number,
  verified_name: ({ number }) => number.verified_name,
  account_mode: ({ number }) => number.account_mode,
  certificate: ({ number }) => (hasApprovedName(number) ? (number.certificate ?? undefined) : undefined),
  new_certificate: ({ number }) =>
    number.new_name_status === 'APPROVED' ? (number.new_certificate ?? undefined) : undefined,
  name_status: ({ number }) => number.name_status,
  new_name_status: ({ number }) => number.new_name_status,
  quality_score: ({ number }) => ({
    score: number.quality_score.score,
    date: number.quality_score.date,
    reasons: [...number.quality_score.reasons],
  }),
  status: ({ number }) => number.status,
  code_verification_status: ({ number }) => number.code_verification_status,
  quality_rating: ({ number }) => qualityRating(number),
  is_official_business_account: ({ number }) => number.is_official_business_account,
  is_pin_enabled: ({ number }) => number.is_pin_enabled,
  messaging_limit_tier: ({ number }) => number.messaging_limit_tier,
  eligibility_for_api_business_global_search: ({ number }) =>
    number.eligibility_for_api_business_global_search,
  search_visibility: ({ number }) => number.search_visibility,
  platform_type: ({ number }) => number.platform_type,
  throughput: ({ number }) => ({ level: number.throughput_level }),
  webhook_configuration: webhookConfiguration,
  is_preverified_number: ({ number }) => number.is_preverified_number,
  health_status: ({ number, waba, app }) =>
    healthStatus({
      phoneNumberId: number.id,
      status: number.status,
      wabaId: waba.id,
      wabaBanned: waba.banned,
      businessId: waba.business_id,
      appId: app.id,
    }),
  // The stored ISO time; the Graph layer writes it in Graph's format or the request's `date_format`.
  last_onboarded_time: ({ number }) =>
    number.last_onboarded_time === '' ? undefined : number.last_onboarded_time,
  is_on_biz_app: ({ number }) => number.is_on_biz_app,
  whatsapp_business_manager_messaging_limit: ({ number }) => number.whatsapp_business_manager_messaging_limit,
  new_display_name: ({ number }) =>
    number.new_name_status === 'NONE' ? undefined : (number.requested_verified_name ?? undefined),
};
