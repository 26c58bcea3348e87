/** The WhatsApp Business Account node (phone-number.md §6), as data. */

export const ACCOUNT_REVIEW_STATUSES = ['APPROVED', 'PENDING', 'REJECTED'] as const;
export type AccountReviewStatus = (typeof ACCOUNT_REVIEW_STATUSES)[number];

/** Lower case, as Graph writes them. */
export const BUSINESS_VERIFICATION_STATUSES = [
  'expired',
  'failed',
  'ineligible',
  'not_verified',
  'pending',
  'pending_need_more_info',
  'pending_submission',
  'rejected',
  'revoked',
  'verified',
] as const;
export type BusinessVerificationStatus = (typeof BUSINESS_VERIFICATION_STATUSES)[number];

export const OWNERSHIP_TYPES = ['CLIENT_OWNED', 'ON_BEHALF_OF', 'SELF'] as const;
export type OwnershipType = (typeof OWNERSHIP_TYPES)[number];

/** Values a scenario WABA gets when it leaves them out. */
export const WABA_DEFAULTS = {
  account_review_status: 'APPROVED',
  business_verification_status: 'verified',
  country: 'US',
  ownership_type: 'SELF',
} as const satisfies {
  account_review_status: AccountReviewStatus;
  business_verification_status: BusinessVerificationStatus;
  country: string;
  ownership_type: OwnershipType;
};

/** Readable fields of the node, in the spec's order. */
export const WABA_FIELDS = [
  'id',
  'name',
  'timezone_id',
  'currency',
  'message_template_namespace',
  'account_review_status',
  'business_verification_status',
  'country',
  'ownership_type',
  'health_status',
] as const;
export type WabaFieldName = (typeof WABA_FIELDS)[number];

/** Default fields of a WABA read, in the order of Meta's reference example. */
export const WABA_DEFAULT_FIELDS = [
  'id',
  'name',
  'timezone_id',
  'message_template_namespace',
] as const satisfies readonly WabaFieldName[];

/** ISO 3166 alpha-2. */
export const COUNTRY_PATTERN = '^[A-Z]{2}$';
