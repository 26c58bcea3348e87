import type { GraphVersion } from './versions.ts';

export const PHONE_NUMBER_STATUSES = [
  'PENDING',
  'DELETED',
  'MIGRATED',
  'BANNED',
  'RESTRICTED',
  'RATE_LIMITED',
  'FLAGGED',
  'CONNECTED',
  'DISCONNECTED',
  'UNKNOWN',
  'UNVERIFIED',
] as const;
export type PhoneNumberStatus = (typeof PHONE_NUMBER_STATUSES)[number];

export const NAME_STATUSES = [
  'APPROVED',
  'AVAILABLE_WITHOUT_REVIEW',
  'DECLINED',
  'EXPIRED',
  'PENDING_REVIEW',
  'NONE',
] as const;
export type NameStatus = (typeof NAME_STATUSES)[number];

export const ACCOUNT_MODES = ['SANDBOX', 'LIVE'] as const;
export type AccountMode = (typeof ACCOUNT_MODES)[number];

export const CODE_VERIFICATION_STATUSES = ['NOT_VERIFIED', 'VERIFIED', 'EXPIRED'] as const;
export type CodeVerificationStatus = (typeof CODE_VERIFICATION_STATUSES)[number];

export const QUALITY_RATINGS = ['GREEN', 'YELLOW', 'RED', 'NA'] as const;
export type QualityRating = (typeof QUALITY_RATINGS)[number];

export const QUALITY_SCORES = ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'] as const;
export type QualityScoreValue = (typeof QUALITY_SCORES)[number];

export const PLATFORM_TYPES = ['CLOUD_API', 'ON_PREMISE', 'NOT_APPLICABLE'] as const;
export type PlatformType = (typeof PLATFORM_TYPES)[number];

export const THROUGHPUT_LEVELS = ['STANDARD', 'HIGH', 'NOT_APPLICABLE'] as const;
export type ThroughputLevel = (typeof THROUGHPUT_LEVELS)[number];

export const MESSAGING_LIMIT_TIERS = [
  'TIER_50',
  'TIER_250',
  'TIER_1K',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
] as const;
export type MessagingLimitTier = (typeof MESSAGING_LIMIT_TIERS)[number];

export const BUSINESS_MANAGER_MESSAGING_LIMITS = [
  'TIER_250',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
  'UNTIERED',
] as const;
export type BusinessManagerMessagingLimit = (typeof BUSINESS_MANAGER_MESSAGING_LIMITS)[number];

export const SEARCH_VISIBILITIES = ['VISIBLE', 'HIDDEN'] as const;
export type SearchVisibility = (typeof SEARCH_VISIBILITIES)[number];

export const CAN_SEND_MESSAGE = ['AVAILABLE', 'LIMITED', 'BLOCKED'] as const;
export type CanSendMessage = (typeof CAN_SEND_MESSAGE)[number];

export interface QualityScore {
  score: QualityScoreValue;
  date: number;
  reasons: string[];
}

export interface HealthError {
  error_code: number;
  error_description: string;
  possible_solution: string;
}

export interface HealthEntity {
  entity_type: 'PHONE_NUMBER' | 'WABA' | 'BUSINESS' | 'APP';
  id: string;
  can_send_message: CanSendMessage;
  additional_info?: string[];
  errors?: HealthError[];
}

export interface HealthStatus {
  can_send_message: CanSendMessage;
  entities: HealthEntity[];
}

/** Every readable field of the node, as it appears on the wire. */
export interface PhoneNumberFields {
  id: string;
  display_phone_number: string;
  verified_name: string;
  account_mode: AccountMode;
  certificate: string;
  new_certificate: string;
  name_status: NameStatus;
  new_name_status: NameStatus;
  quality_score: QualityScore;
  status: PhoneNumberStatus;
  code_verification_status: CodeVerificationStatus;
  quality_rating: QualityRating;
  is_official_business_account: boolean;
  is_pin_enabled: boolean;
  messaging_limit_tier: MessagingLimitTier;
  eligibility_for_api_business_global_search: string;
  search_visibility: SearchVisibility;
  platform_type: PlatformType;
  throughput: { level: ThroughputLevel };
  webhook_configuration: { application?: string; phone_number?: string };
  is_preverified_number: boolean;
  health_status: HealthStatus;
  is_on_biz_app: boolean;
  whatsapp_business_manager_messaging_limit: BusinessManagerMessagingLimit;
  /** The requested new display name, present while `new_name_status` is not `NONE`. */
  new_display_name: string;
}

export type PhoneNumberFieldName = keyof PhoneNumberFields;

/** Subfields a client may select inside an object-valued field; `true` marks a leaf. */
export interface SubfieldTable {
  readonly [name: string]: true | SubfieldTable;
}

export interface FieldSpec {
  readonly name: PhoneNumberFieldName;
  readonly since: GraphVersion;
  readonly until?: GraphVersion;
  readonly subfields?: SubfieldTable;
}

const HEALTH_ERROR_FIELDS: SubfieldTable = {
  error_code: true,
  error_description: true,
  possible_solution: true,
};

/** phone-number.md §2, in the spec's order. */
export const PHONE_NUMBER_FIELDS: readonly FieldSpec[] = [
  { name: 'id', since: 'v11.0' },
  { name: 'display_phone_number', since: 'v11.0' },
  { name: 'verified_name', since: 'v11.0' },
  { name: 'account_mode', since: 'v11.0' },
  { name: 'certificate', since: 'v11.0' },
  { name: 'new_certificate', since: 'v11.0' },
  { name: 'name_status', since: 'v11.0' },
  { name: 'new_name_status', since: 'v11.0' },
  { name: 'quality_score', since: 'v11.0', subfields: { score: true, date: true, reasons: true } },
  { name: 'status', since: 'v11.0' },
  { name: 'code_verification_status', since: 'v11.0' },
  { name: 'quality_rating', since: 'v11.0' },
  { name: 'is_official_business_account', since: 'v11.0' },
  { name: 'is_pin_enabled', since: 'v11.0' },
  { name: 'messaging_limit_tier', since: 'v11.0' },
  { name: 'eligibility_for_api_business_global_search', since: 'v11.0' },
  { name: 'search_visibility', since: 'v11.0', until: 'v20.0' },
  { name: 'platform_type', since: 'v14.0' },
  { name: 'throughput', since: 'v14.0', subfields: { level: true } },
  { name: 'webhook_configuration', since: 'v14.0', subfields: { application: true, phone_number: true } },
  { name: 'is_preverified_number', since: 'v15.0' },
  {
    name: 'health_status',
    since: 'v19.0',
    subfields: {
      can_send_message: true,
      entities: {
        entity_type: true,
        id: true,
        can_send_message: true,
        additional_info: true,
        errors: HEALTH_ERROR_FIELDS,
      },
    },
  },
  { name: 'new_display_name', since: 'v11.0' },
  { name: 'is_on_biz_app', since: 'v22.0' },
  { name: 'whatsapp_business_manager_messaging_limit', since: 'v24.0' },
];

/** The default fields from v14.0 on, in output order; the SDK types its default reads with them. */
export const PHONE_NUMBER_DEFAULT_FIELDS_V14 = [
  'verified_name',
  'code_verification_status',
  'display_phone_number',
  'quality_rating',
  'platform_type',
  'throughput',
  'id',
] as const satisfies readonly PhoneNumberFieldName[];

/** Default fields when a request has no `fields`, by the first version they apply to. */
export const PHONE_NUMBER_DEFAULT_FIELDS: readonly {
  since: GraphVersion;
  fields: readonly PhoneNumberFieldName[];
}[] = [
  {
    since: 'v11.0',
    fields: ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'id'],
  },
  { since: 'v14.0', fields: PHONE_NUMBER_DEFAULT_FIELDS_V14 },
];

export const NODE_TYPES = {
  phoneNumber: 'WhatsAppBusinessPhoneNumber',
  qrCode: 'WhatsAppBusinessMessageQRDL',
  waba: 'WhatsAppBusinessAccount',
  businessProfile: 'WhatsAppBusinessProfile',
} as const;
