import type { WabaFieldName } from '../contract/waba.ts';
import type { AppRecord, WabaRecord } from '../store/records.ts';
import { wabaHealthStatus } from './health-status.ts';

/** What a read of one WABA sees: the WABA and the calling token's app. */
export interface WabaContext {
  readonly waba: WabaRecord;
  readonly app: AppRecord;
}

/** How each readable WABA field is computed from stored state (phone-number.md §6). */
export const WABA_FIELD_VALUES: Readonly<Record<WabaFieldName, (context: WabaContext) => unknown>> = {
  id: ({ waba }) => waba.id,
  name: ({ waba }) => waba.name,
  timezone_id: ({ waba }) => waba.timezone_id,
  currency: ({ waba }) => waba.currency,
  message_template_namespace: ({ waba }) => waba.message_template_namespace,
  account_review_status: ({ waba }) => waba.account_review_status,
  business_verification_status: ({ waba }) => waba.business_verification_status,
  country: ({ waba }) => waba.country,
  ownership_type: ({ waba }) => waba.ownership_type,
  health_status: ({ waba, app }) =>
    wabaHealthStatus({
      wabaId: waba.id,
      wabaBanned: waba.banned,
      reviewRejected: waba.account_review_status === 'REJECTED',
      businessId: waba.business_id,
      appId: app.id,
    }),
};

/** The admin plane's view of a WABA: every stored field that does not depend on a caller. */
export function adminWabaView(waba: WabaRecord): Record<string, unknown> {
  return {
    id: waba.id,
    business_id: waba.business_id,
    name: waba.name,
    timezone_id: waba.timezone_id,
    currency: waba.currency,
    message_template_namespace: waba.message_template_namespace,
    account_review_status: waba.account_review_status,
    business_verification_status: waba.business_verification_status,
    country: waba.country,
    ownership_type: waba.ownership_type,
    banned: waba.banned,
  };
}
