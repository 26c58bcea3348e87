import {
  ACCOUNT_MODES,
  BUSINESS_MANAGER_MESSAGING_LIMITS,
  CODE_VERIFICATION_STATUSES,
  MESSAGING_LIMIT_TIERS,
  NAME_STATUSES,
  PHONE_NUMBER_STATUSES,
  PLATFORM_TYPES,
  QUALITY_RATINGS,
  QUALITY_SCORES,
  SEARCH_VISIBILITIES,
  THROUGHPUT_LEVELS,
} from '../../contract/phone-number.ts';
import {
  BUSINESS_PROFILE_TEXT_LIMITS,
  BUSINESS_VERTICALS,
  MAX_BUSINESS_WEBSITE_LENGTH,
  MAX_BUSINESS_WEBSITES,
} from '../../contract/business-profile.ts';
import type { ScenarioPermission } from '../../contract/scenario.ts';
import {
  ACCOUNT_REVIEW_STATUSES,
  BUSINESS_VERIFICATION_STATUSES,
  COUNTRY_PATTERN,
  OWNERSHIP_TYPES,
} from '../../contract/waba.ts';
import { PIN_HASH_PATTERN } from '../two-step-pin.ts';
import { NATIVE_VERSIONS } from '../../contract/versions.ts';
import type { Permission } from '../../store/records.ts';

/**
 * The scenario format as data. The validator (validate-scenario.ts) shares these patterns and value
 * lists, so the schema `phonegraph scenario schema` prints and the checks the server runs cannot drift.
 */

export const TOKEN_PERMISSIONS = [
  'whatsapp_business_management',
  'whatsapp_business_messaging',
] as const satisfies readonly ScenarioPermission[];

// Compile-time proof that the list, the scenario type and the store type name the same permissions.
type _Listed = (typeof TOKEN_PERMISSIONS)[number];
const _listCoversScenario: [Exclude<ScenarioPermission, _Listed>] extends [never] ? true : never = true;
const _listCoversStore: [Exclude<Permission, _Listed> | Exclude<_Listed, Permission>] extends [never]
  ? true
  : never = true;

/** The fields phonegraph emits events for (webhooks.md). */
export const DEFAULT_WEBHOOK_FIELDS = [
  'account_update',
  'phone_number_name_update',
  'phone_number_quality_update',
  'account_review_update',
] as const;

/** ECMA-262 sources, anchored (JSON Schema patterns are not). */
export const SCENARIO_PATTERNS = {
  id: '^[0-9]{1,20}$',
  phoneNumberId: '^[0-9]{15,16}$',
  qrCode: '^[A-Z2-7]{13}1$',
  sha256: '^[0-9a-f]{64}$',
  // Shape only: the validator also rejects impossible dates such as February 30.
  isoTime:
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})$',
  namespace: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  currency: '^[A-Z]{3}$',
  timezoneId: '^[0-9]{1,4}$',
  base64: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
  displayPhoneNumber: '^\\+?[0-9][0-9 ()-]*[0-9]$',
  webhookField: '^[a-z][a-z0-9_]*$',
  token: '^\\S+$',
  httpUrl: '^https?://\\S+$',
  pin: '^[0-9]{6}$',
  pinHash: PIN_HASH_PATTERN,
  country: COUNTRY_PATTERN,
} as const;

export const LIMITS = {
  displayPhoneNumberMaxLength: 32,
  prefilledMessageMaxLength: 140,
  maxSeed: Number.MAX_SAFE_INTEGER,
  maxCount: Number.MAX_SAFE_INTEGER,
} as const;

type Schema = { readonly [keyword: string]: unknown };

function ref(name: string): Schema {
  return { $ref: `#/$defs/${name}` };
}

function pattern(source: string, description: string): Schema {
  return { type: 'string', pattern: source, description };
}

function values(list: readonly string[]): Schema {
  return { enum: [...list] };
}

function object(properties: Record<string, Schema>, required: readonly string[] = []): Schema {
  return { type: 'object', properties, required: [...required], additionalProperties: false };
}

function list(items: Schema): Schema {
  return { type: 'array', items };
}

function uniqueList(items: Schema): Schema {
  return { type: 'array', items, uniqueItems: true };
}

function nullable(schema: Schema): Schema {
  return { anyOf: [schema, { type: 'null' }] };
}

const TEXT: Schema = { type: 'string', minLength: 1 };
const BOOLEAN: Schema = { type: 'boolean' };

const QUALITY: Schema = object(
  {
    score: values(QUALITY_SCORES),
    date: { type: 'integer', minimum: 0, maximum: LIMITS.maxCount, description: 'unix seconds' },
    reasons: list({ type: 'string' }),
  },
  ['score'],
);

const BUSINESS_PROFILE: Schema = object({
  about: { type: 'string', maxLength: BUSINESS_PROFILE_TEXT_LIMITS.about },
  address: { type: 'string', maxLength: BUSINESS_PROFILE_TEXT_LIMITS.address },
  description: { type: 'string', maxLength: BUSINESS_PROFILE_TEXT_LIMITS.description },
  email: { type: 'string', maxLength: BUSINESS_PROFILE_TEXT_LIMITS.email },
  websites: {
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: MAX_BUSINESS_WEBSITE_LENGTH },
    maxItems: MAX_BUSINESS_WEBSITES,
  },
  vertical: values(BUSINESS_VERTICALS),
  profile_picture_handle: TEXT,
});

const PHONE_NUMBER: Schema = {
  ...object(
    {
      id: pattern(SCENARIO_PATTERNS.phoneNumberId, 'phone-number id: 15-16 digits, as a string'),
      display_phone_number: {
        ...pattern(SCENARIO_PATTERNS.displayPhoneNumber, 'international display form, e.g. +1 555-010-0001'),
        maxLength: LIMITS.displayPhoneNumberMaxLength,
      },
      verified_name: TEXT,
      status: values(PHONE_NUMBER_STATUSES),
      account_mode: values(ACCOUNT_MODES),
      certificate: nullable(pattern(SCENARIO_PATTERNS.base64, 'standard base64, kept verbatim')),
      new_certificate: nullable(pattern(SCENARIO_PATTERNS.base64, 'standard base64, kept verbatim')),
      name_status: values(NAME_STATUSES),
      new_name_status: values(NAME_STATUSES),
      requested_verified_name: nullable(TEXT),
      quality: ref('quality'),
      quality_score: ref('quality'),
      quality_rating: values(QUALITY_RATINGS),
      code_verification_status: values(CODE_VERIFICATION_STATUSES),
      is_official_business_account: BOOLEAN,
      is_pin_enabled: BOOLEAN,
      pin: pattern(SCENARIO_PATTERNS.pin, 'two-step PIN, 6 digits (stored hashed)'),
      pin_hash: pattern(SCENARIO_PATTERNS.pinHash, 'salted scrypt hash of the PIN, as export writes it'),
      messaging_limit_tier: values(MESSAGING_LIMIT_TIERS),
      eligibility_for_api_business_global_search: TEXT,
      search_visibility: values(SEARCH_VISIBILITIES),
      platform_type: values(PLATFORM_TYPES),
      throughput: {
        anyOf: [values(THROUGHPUT_LEVELS), object({ level: values(THROUGHPUT_LEVELS) }, ['level'])],
      },
      webhook_configuration: nullable(
        object(
          {
            override_callback_uri: pattern(SCENARIO_PATTERNS.httpUrl, 'http or https URL'),
            verify_token: TEXT,
          },
          ['override_callback_uri', 'verify_token'],
        ),
      ),
      is_preverified_number: BOOLEAN,
      is_on_biz_app: BOOLEAN,
      whatsapp_business_manager_messaging_limit: values(BUSINESS_MANAGER_MESSAGING_LIMITS),
      last_onboarded_time: ref('time'),
      created_time: ref('time'),
      qr_codes: list(
        object(
          {
            code: pattern(SCENARIO_PATTERNS.qrCode, '14 chars of [A-Z2-7] ending in 1'),
            prefilled_message: { type: 'string', minLength: 1, maxLength: LIMITS.prefilledMessageMaxLength },
          },
          ['prefilled_message'],
        ),
      ),
      business_profile: BUSINESS_PROFILE,
    },
    ['verified_name'],
  ),
  // `quality` is an alias of `quality_score`: one or the other; `pin` and `pin_hash` likewise.
  not: { anyOf: [{ required: ['quality', 'quality_score'] }, { required: ['pin', 'pin_hash'] }] },
};

const WABA: Schema = object({
  id: ref('id'),
  name: TEXT,
  timezone_id: pattern(SCENARIO_PATTERNS.timezoneId, 'numeric string, e.g. "1"'),
  currency: pattern(SCENARIO_PATTERNS.currency, 'ISO 4217 code, e.g. USD'),
  banned: BOOLEAN,
  message_template_namespace: pattern(
    SCENARIO_PATTERNS.namespace,
    'lowercase UUID form; generated when absent',
  ),
  rate_limit: nullable(ref('rate_limit')),
  account_review_status: values(ACCOUNT_REVIEW_STATUSES),
  business_verification_status: values(BUSINESS_VERIFICATION_STATUSES),
  country: pattern(SCENARIO_PATTERNS.country, 'ISO 3166 alpha-2 code, e.g. US'),
  ownership_type: values(OWNERSHIP_TYPES),
  phone_numbers: list(PHONE_NUMBER),
});

const APP: Schema = object({
  id: ref('id'),
  name: TEXT,
  secret: TEXT,
  appsecret_proof_required: BOOLEAN,
  api_version: nullable(values(NATIVE_VERSIONS)),
  wabas: ref('waba_selection'),
  rate_limit: nullable(ref('rate_limit')),
  webhook: nullable(
    object(
      {
        url: pattern(SCENARIO_PATTERNS.httpUrl, 'http or https URL'),
        verify_token: TEXT,
        fields: uniqueList(pattern(SCENARIO_PATTERNS.webhookField, 'webhook field name')),
      },
      ['url', 'verify_token'],
    ),
  ),
});

const TOKEN: Schema = {
  ...object(
    {
      value: pattern(SCENARIO_PATTERNS.token, 'the literal token (stored hashed)'),
      sha256: pattern(SCENARIO_PATTERNS.sha256, 'lowercase hex SHA-256 of the token'),
      app: ref('id'),
      permissions: uniqueList(values(TOKEN_PERMISSIONS)),
      wabas: ref('waba_selection'),
      expires_at: nullable(ref('time')),
      revoked: BOOLEAN,
    },
    ['app'],
  ),
  oneOf: [{ required: ['value'] }, { required: ['sha256'] }],
};

/**
 * JSON Schema (draft 2020-12) of a scenario document. Cross-references (ids unique across the document,
 * a token's app and WABAs existing and within its app's WABAs, `quality_rating` agreeing with
 * `quality.score`) are beyond JSON Schema and checked by the validator only.
 */
export const SCENARIO_JSON_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'phonegraph scenario',
  description: 'The state a phonegraph server starts from or is reset to (control-plane.md §1).',
  ...object(
    {
      version: { const: 1 },
      seed: nullable({ type: 'integer', minimum: 0, maximum: LIMITS.maxSeed }),
      apps: list(APP),
      businesses: list(object({ id: ref('id'), name: TEXT, wabas: list(WABA) })),
      tokens: list(TOKEN),
    },
    ['version'],
  ),
  $defs: {
    id: pattern(SCENARIO_PATTERNS.id, 'numeric id (1-20 digits) as a string'),
    time: pattern(SCENARIO_PATTERNS.isoTime, 'ISO-8601 time, e.g. 2026-01-15T10:00:00Z'),
    quality: QUALITY,
    rate_limit: object({
      per_hour: { type: 'integer', minimum: 1, maximum: LIMITS.maxCount },
      active_per_hour: { type: 'integer', minimum: 1, maximum: LIMITS.maxCount },
    }),
    waba_selection: { anyOf: [{ const: '*' }, uniqueList(ref('id'))] },
  },
};
