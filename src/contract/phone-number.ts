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

/** phone-number.md §1: the rating is the score; `NA` (Meta's old enum) is in no captured response. */
export const QUALITY_RATINGS = ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'] as const;
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
  /** Graph time `2023-08-22T19:05:53+0000`; unix seconds (a number) with `date_format=U`. */
  last_onboarded_time: string;
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

/**
 * A field's type as `metadata=1` names it (graph-api.md §6); `datetime` fields are Graph time strings
 * that `date_format` rewrites.
 */
export type FieldType = 'numeric string' | 'string' | 'enum' | 'bool' | 'datetime' | 'object' | 'edge';

export interface FieldSpec {
  readonly name: PhoneNumberFieldName;
  readonly type: FieldType;
  readonly description: string;
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
  { name: 'id', type: 'numeric string', description: 'The phone number ID', since: 'v11.0' },
  {
    name: 'display_phone_number',
    type: 'string',
    description: 'International format representation of the phone number',
    since: 'v11.0',
  },
  {
    name: 'verified_name',
    type: 'string',
    description: 'The verified name associated with the phone number',
    since: 'v11.0',
  },
  { name: 'account_mode', type: 'enum', description: 'Account mode of the phone number', since: 'v11.0' },
  {
    name: 'certificate',
    type: 'string',
    description: 'Certificate of the phone number, present once the name is approved',
    since: 'v11.0',
  },
  {
    name: 'new_certificate',
    type: 'string',
    description: 'Certificate of the approved new display name',
    since: 'v11.0',
  },
  { name: 'name_status', type: 'enum', description: 'Status of the display name review', since: 'v11.0' },
  {
    name: 'new_name_status',
    type: 'enum',
    description: 'Status of the review of a requested new display name',
    since: 'v11.0',
  },
  {
    name: 'quality_score',
    type: 'object',
    description: 'Quality score of the phone number',
    since: 'v11.0',
    subfields: { score: true, date: true, reasons: true },
  },
  { name: 'status', type: 'enum', description: 'Status of the phone number', since: 'v11.0' },
  {
    name: 'code_verification_status',
    type: 'enum',
    description: 'Code verification status of the phone number',
    since: 'v11.0',
  },
  { name: 'quality_rating', type: 'enum', description: 'Quality rating of the phone number', since: 'v11.0' },
  {
    name: 'is_official_business_account',
    type: 'bool',
    description: 'Whether the phone number is an official business account',
    since: 'v11.0',
  },
  {
    name: 'is_pin_enabled',
    type: 'bool',
    description: 'Whether a two-step verification PIN is set',
    since: 'v11.0',
  },
  {
    name: 'messaging_limit_tier',
    type: 'enum',
    description: 'Messaging limit tier of the phone number',
    since: 'v11.0',
  },
  {
    name: 'eligibility_for_api_business_global_search',
    type: 'string',
    description: 'Eligibility of the phone number for business global search',
    since: 'v11.0',
  },
  {
    name: 'search_visibility',
    type: 'enum',
    description: 'Search visibility of the phone number',
    since: 'v11.0',
    until: 'v20.0',
  },
  {
    name: 'platform_type',
    type: 'enum',
    description: 'Platform the phone number is registered with',
    since: 'v14.0',
  },
  {
    name: 'throughput',
    type: 'object',
    description: 'Messaging throughput level of the phone number',
    since: 'v14.0',
    subfields: { level: true },
  },
  {
    name: 'webhook_configuration',
    type: 'object',
    description: 'Webhook URLs of the application and of the phone number override',
    since: 'v14.0',
    subfields: { application: true, phone_number: true },
  },
  {
    name: 'is_preverified_number',
    type: 'bool',
    description: 'Whether the phone number is a pre-verified number',
    since: 'v15.0',
  },
  {
    name: 'health_status',
    type: 'object',
    description: 'Messaging health of the phone number and of the entities it depends on',
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
  {
    name: 'last_onboarded_time',
    type: 'datetime',
    description: 'When the phone number completed onboarding',
    since: 'v11.0',
  },
  {
    name: 'new_display_name',
    type: 'string',
    description: 'The requested new display name, while a name change is requested',
    since: 'v11.0',
  },
  {
    name: 'is_on_biz_app',
    type: 'bool',
    description: 'Whether the phone number is also on the WhatsApp Business app',
    since: 'v22.0',
  },
  {
    name: 'whatsapp_business_manager_messaging_limit',
    type: 'enum',
    description: 'Business-level messaging limit from WhatsApp Business Manager',
    since: 'v24.0',
  },
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

/**
 * The default fields of an item of the WABA `phone_numbers` list from v14.0 on (phone-number.md §2):
 * `last_onboarded_time` when the number has one, `webhook_configuration` reduced to `{application}`.
 */
export const PHONE_NUMBER_LIST_DEFAULT_FIELDS_V14 = [
  'verified_name',
  'code_verification_status',
  'display_phone_number',
  'quality_rating',
  'platform_type',
  'throughput',
  'last_onboarded_time',
  'webhook_configuration',
  'id',
] as const satisfies readonly PhoneNumberFieldName[];

/** The list items' own defaults, by the first version they apply to (subselections allowed). */
export const PHONE_NUMBER_LIST_DEFAULT_FIELDS: readonly {
  since: GraphVersion;
  fields: readonly string[];
}[] = [
  {
    since: 'v11.0',
    fields: [
      'verified_name',
      'code_verification_status',
      'display_phone_number',
      'quality_rating',
      'last_onboarded_time',
      'id',
    ],
  },
  {
    since: 'v14.0',
    fields: PHONE_NUMBER_LIST_DEFAULT_FIELDS_V14.map((field) =>
      field === 'webhook_configuration' ? 'webhook_configuration{application}' : field,
    ),
  },
];

export const NODE_TYPES = {
  phoneNumber: 'WhatsAppBusinessPhoneNumber',
  qrCode: 'WhatsAppBusinessMessageQRDL',
  waba: 'WhatsAppBusinessAccount',
  businessProfile: 'WhatsAppBusinessProfile',
} as const;
