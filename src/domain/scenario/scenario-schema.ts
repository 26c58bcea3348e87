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
import type {
  ScenarioApp,
  ScenarioBusiness,
  ScenarioDocument,
  ScenarioPermission,
  ScenarioPhoneNumber,
  ScenarioToken,
  ScenarioWaba,
} from '../../contract/scenario.ts';
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
 * The scenario format as data: the one definition of what a scenario may contain. `validateScenario`
 * compiles it with Ajv and adds only the cross-references JSON Schema cannot say; `phonegraph scenario
 * schema` prints it. A node's `description` is what an error message says was expected there (nodes
 * without one are described from their `enum`, `const`, `anyOf` or `type`), so a new field is one
 * property here, with its description.
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

export type Schema = { readonly [keyword: string]: unknown };

function ref(name: string): Schema {
  return { $ref: `#/$defs/${name}` };
}

/** A string matching `source`; `expected` is the description, and what errors say was expected. */
function pattern(source: string, expected: string, extra: Schema = {}): Schema {
  return { type: 'string', pattern: source, description: expected, ...extra };
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

function integer(minimum: number, maximum: number, expected: string): Schema {
  return { type: 'integer', minimum, maximum, description: expected };
}

/** Formats checked in code beyond their pattern (registered with Ajv by the validator). */
export const SCENARIO_FORMATS = {
  /** A real date and time: February 30 has the shape but is refused. */
  time: 'phonegraph-time',
  /** An http(s) URL that the WHATWG URL parser accepts. */
  httpUrl: 'phonegraph-http-url',
} as const;

const TEXT: Schema = { type: 'string', minLength: 1, description: 'a non-empty string' };
const BOOLEAN: Schema = { type: 'boolean' };
const HTTP_URL: Schema = pattern(SCENARIO_PATTERNS.httpUrl, 'an http or https URL', {
  format: SCENARIO_FORMATS.httpUrl,
});
const BASE64: Schema = nullable(pattern(SCENARIO_PATTERNS.base64, 'a standard base64 string'));

const QUALITY: Schema = object(
  {
    score: values(QUALITY_SCORES),
    date: integer(0, LIMITS.maxCount, 'a non-negative integer (unix seconds)'),
    reasons: list({ type: 'string' }),
  },
  ['score'],
);

const BUSINESS_PROFILE: Schema = object({
  about: {
    type: 'string',
    maxLength: BUSINESS_PROFILE_TEXT_LIMITS.about,
    description: `a string of at most ${BUSINESS_PROFILE_TEXT_LIMITS.about} characters`,
  },
  address: {
    type: 'string',
    maxLength: BUSINESS_PROFILE_TEXT_LIMITS.address,
    description: `a string of at most ${BUSINESS_PROFILE_TEXT_LIMITS.address} characters`,
  },
  description: {
    type: 'string',
    maxLength: BUSINESS_PROFILE_TEXT_LIMITS.description,
    description: `a string of at most ${BUSINESS_PROFILE_TEXT_LIMITS.description} characters`,
  },
  email: {
    type: 'string',
    maxLength: BUSINESS_PROFILE_TEXT_LIMITS.email,
    description: `a string of at most ${BUSINESS_PROFILE_TEXT_LIMITS.email} characters`,
  },
  websites: {
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: MAX_BUSINESS_WEBSITE_LENGTH },
    maxItems: MAX_BUSINESS_WEBSITES,
    description: `at most ${MAX_BUSINESS_WEBSITES} URLs of at most ${MAX_BUSINESS_WEBSITE_LENGTH} characters`,
  },
  vertical: values(BUSINESS_VERTICALS),
  profile_picture_handle: TEXT,
});

/** One property per key of the contract type: the compiler refuses a key missing on either side. */
type PropertiesOf<T> = { readonly [K in keyof Required<T>]: Schema };

const PHONE_NUMBER_PROPERTIES = {
  id: pattern(SCENARIO_PATTERNS.phoneNumberId, 'a numeric string of 15-16 digits'),
  display_phone_number: pattern(
    SCENARIO_PATTERNS.displayPhoneNumber,
    'an international phone number such as +1 555-010-0001',
    { maxLength: LIMITS.displayPhoneNumberMaxLength },
  ),
  verified_name: TEXT,
  status: values(PHONE_NUMBER_STATUSES),
  account_mode: values(ACCOUNT_MODES),
  certificate: BASE64,
  new_certificate: BASE64,
  name_status: values(NAME_STATUSES),
  new_name_status: values(NAME_STATUSES),
  requested_verified_name: nullable(TEXT),
  quality: ref('quality'),
  quality_score: ref('quality'),
  quality_rating: values(QUALITY_RATINGS),
  code_verification_status: values(CODE_VERIFICATION_STATUSES),
  is_official_business_account: BOOLEAN,
  is_pin_enabled: BOOLEAN,
  pin: pattern(SCENARIO_PATTERNS.pin, 'a two-step PIN of 6 digits (stored hashed)'),
  pin_hash: pattern(SCENARIO_PATTERNS.pinHash, 'a salted scrypt hash of the PIN, as export writes it'),
  messaging_limit_tier: values(MESSAGING_LIMIT_TIERS),
  eligibility_for_api_business_global_search: TEXT,
  search_visibility: values(SEARCH_VISIBILITIES),
  platform_type: values(PLATFORM_TYPES),
  throughput: {
    anyOf: [values(THROUGHPUT_LEVELS), object({ level: values(THROUGHPUT_LEVELS) }, ['level'])],
    description: `one of ${THROUGHPUT_LEVELS.join(', ')}, or {level}`,
  },
  webhook_configuration: nullable(
    object({ override_callback_uri: HTTP_URL, verify_token: TEXT }, [
      'override_callback_uri',
      'verify_token',
    ]),
  ),
  is_preverified_number: BOOLEAN,
  is_on_biz_app: BOOLEAN,
  whatsapp_business_manager_messaging_limit: values(BUSINESS_MANAGER_MESSAGING_LIMITS),
  last_onboarded_time: ref('time'),
  created_time: ref('time'),
  qr_codes: list(
    object(
      {
        code: pattern(SCENARIO_PATTERNS.qrCode, '14 characters of A-Z and 2-7 ending in 1'),
        prefilled_message: {
          type: 'string',
          minLength: 1,
          maxLength: LIMITS.prefilledMessageMaxLength,
          description: `a string of 1-${LIMITS.prefilledMessageMaxLength} characters`,
        },
      },
      ['prefilled_message'],
    ),
  ),
  business_profile: BUSINESS_PROFILE,
} satisfies PropertiesOf<ScenarioPhoneNumber>;

const PHONE_NUMBER: Schema = {
  ...object(PHONE_NUMBER_PROPERTIES, ['verified_name']),
  // `quality` is an alias of `quality_score`: one or the other; `pin` and `pin_hash` likewise.
  dependentSchemas: {
    quality: {
      properties: {
        quality_score: { not: {}, description: 'no quality_score next to quality (they are aliases)' },
      },
    },
    pin: {
      properties: {
        pin_hash: { not: {}, description: 'no pin_hash next to pin (give one or the other)' },
      },
    },
  },
};

const WABA: Schema = object({
  id: ref('id'),
  name: TEXT,
  timezone_id: pattern(SCENARIO_PATTERNS.timezoneId, 'a numeric string such as "1"'),
  currency: pattern(SCENARIO_PATTERNS.currency, 'a 3-letter currency code such as USD'),
  banned: BOOLEAN,
  message_template_namespace: pattern(
    SCENARIO_PATTERNS.namespace,
    'a lowercase UUID such as 3f2b8c1e-6d4a-4e8b-9c1d-2a7f5e9b0c3d (generated when absent)',
  ),
  rate_limit: nullable(ref('rate_limit')),
  account_review_status: values(ACCOUNT_REVIEW_STATUSES),
  business_verification_status: values(BUSINESS_VERIFICATION_STATUSES),
  country: pattern(SCENARIO_PATTERNS.country, 'ISO 3166 alpha-2 code, e.g. US'),
  ownership_type: values(OWNERSHIP_TYPES),
  phone_numbers: list(PHONE_NUMBER),
} satisfies PropertiesOf<ScenarioWaba>);

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
        url: HTTP_URL,
        verify_token: TEXT,
        fields: uniqueList(
          pattern(SCENARIO_PATTERNS.webhookField, 'a webhook field name such as account_update'),
        ),
      },
      ['url', 'verify_token'],
    ),
  ),
} satisfies PropertiesOf<ScenarioApp>);

const TOKEN: Schema = {
  ...object(
    {
      value: pattern(SCENARIO_PATTERNS.token, 'a non-empty string without spaces'),
      sha256: pattern(SCENARIO_PATTERNS.sha256, '64 lowercase hex digits'),
      app: ref('id'),
      permissions: uniqueList(values(TOKEN_PERMISSIONS)),
      wabas: ref('waba_selection'),
      expires_at: nullable(ref('time')),
      revoked: BOOLEAN,
    } satisfies PropertiesOf<ScenarioToken>,
    ['app'],
  ),
  // The literal token or its digest: exactly one of them.
  oneOf: [{ required: ['value'] }, { required: ['sha256'] }],
};

const DEFS: Schema = {
  id: pattern(SCENARIO_PATTERNS.id, 'a numeric string of 1-20 digits'),
  time: pattern(SCENARIO_PATTERNS.isoTime, 'an ISO-8601 time such as 2026-01-15T10:00:00Z', {
    format: SCENARIO_FORMATS.time,
  }),
  quality: QUALITY,
  rate_limit: object({
    per_hour: integer(1, LIMITS.maxCount, 'a positive integer'),
    active_per_hour: integer(1, LIMITS.maxCount, 'a positive integer'),
  }),
  waba_selection: {
    anyOf: [{ const: '*' }, uniqueList(ref('id'))],
    description: '"*" or a list of WABA ids',
  },
};

const BUSINESS: Schema = object({
  id: ref('id'),
  name: TEXT,
  wabas: list(WABA),
} satisfies PropertiesOf<ScenarioBusiness>);

/**
 * JSON Schema (draft 2020-12) of a scenario document. Cross-references (ids unique across the document,
 * a token's app and WABAs existing and within its app's WABAs, `quality_rating` agreeing with
 * `quality.score`) are beyond JSON Schema and checked by the validator in code.
 */
export const SCENARIO_JSON_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'phonegraph scenario',
  description: 'The state a phonegraph server starts from or is reset to (control-plane.md §1).',
  ...object(
    {
      version: { const: 1 },
      seed: nullable(integer(0, LIMITS.maxSeed, 'a non-negative integer')),
      apps: list(APP),
      businesses: list(BUSINESS),
      tokens: list(TOKEN),
    } satisfies PropertiesOf<ScenarioDocument>,
    ['version'],
  ),
  $defs: DEFS,
};

/**
 * The schemas of the items a streaming load validates one at a time (a business or WABA without its
 * list, one phone number); the same pieces as the document schema, so the errors read the same.
 */
export const SCENARIO_ITEM_SCHEMAS: Readonly<Record<'business' | 'waba' | 'phoneNumber', Schema>> = {
  business: { ...BUSINESS, $defs: DEFS },
  waba: { ...WABA, $defs: DEFS },
  phoneNumber: { ...PHONE_NUMBER, $defs: DEFS },
};
