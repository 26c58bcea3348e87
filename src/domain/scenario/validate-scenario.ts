import { createHash } from 'node:crypto';
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
import type { QualityRating, QualityScoreValue } from '../../contract/phone-number.ts';
import type {
  ScenarioApp,
  ScenarioDocument,
  ScenarioPhoneNumber,
  ScenarioToken,
  ScenarioWaba,
} from '../../contract/scenario.ts';
import { NATIVE_VERSIONS } from '../../contract/versions.ts';
import {
  BUSINESS_PROFILE_TEXT_LIMITS,
  BUSINESS_VERTICALS,
  MAX_BUSINESS_WEBSITE_LENGTH,
  MAX_BUSINESS_WEBSITES,
} from '../../contract/business-profile.ts';
import {
  ACCOUNT_REVIEW_STATUSES,
  BUSINESS_VERIFICATION_STATUSES,
  OWNERSHIP_TYPES,
} from '../../contract/waba.ts';
import { LIMITS, SCENARIO_PATTERNS, TOKEN_PERMISSIONS } from './scenario-schema.ts';

/** A scenario that cannot be loaded; the message names the file, the place in it and what would do. */
export class ScenarioError extends Error {
  readonly file: string;
  readonly path: string;
  readonly expected: string;

  constructor(file: string, path: string, expected: string) {
    super(`${file}: ${path}: expected ${expected}`);
    this.name = 'ScenarioError';
    this.file = file;
    this.path = path;
    this.expected = expected;
  }
}

/** Thrown deep inside the checks, which do not know the file name; validateScenario adds it. */
class Problem extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path}: expected ${expected}`);
  }
}

function fail(path: string, expected: string): never {
  throw new Problem(path, expected);
}

// ---------------------------------------------------------------------------------------------------
// Paths: `businesses[0].wabas[1].phone_numbers[2].status`, `$` for the document itself.

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function keyPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '$' ? key : `${parent}.${key}`;
}

function itemPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

// ---------------------------------------------------------------------------------------------------
// Leaf rules: one expectation text each, so a value and a missing key are reported alike.

interface Rule {
  readonly expected: string;
  readonly test: (value: unknown) => boolean;
  /** A more helpful expectation for a particular wrong value. */
  readonly hint?: (value: unknown) => string | undefined;
}

type Check = (value: unknown, path: string) => void;
type Shape = Readonly<Record<string, Rule | Check>>;
type Fields = Readonly<Record<string, unknown>>;

function rule(expected: string, test: (value: unknown) => boolean): Rule {
  return { expected, test };
}

function matching(source: string, expected: string, maxLength = Infinity): Rule {
  const re = new RegExp(source, 'u');
  return rule(expected, (v) => typeof v === 'string' && re.test(v) && [...v].length <= maxLength);
}

function oneOf(values: readonly string[]): Rule {
  return rule(`one of ${values.join(', ')}`, (v) => typeof v === 'string' && values.includes(v));
}

function nullable(base: Rule): Rule {
  return rule(`${base.expected}, or null`, (v) => v === null || base.test(v));
}

function integerIn(min: number, max: number, expected: string): Rule {
  return rule(expected, (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);
}

/** Date.parse rolls February 30 over to March 2: a real time survives a round trip of its fields. */
function isRealTime(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (m === null || Number.isNaN(Date.parse(text))) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m
    .slice(1)
    .map((p) => Number(p ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const fields = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  const clock = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  return [...fields, ...clock].join() === [year, month, day, hour, minute, second].join();
}

const TIME_SHAPE = matching(SCENARIO_PATTERNS.isoTime, '');
const TIME = rule(
  'an ISO-8601 time such as 2026-01-15T10:00:00Z',
  (v) => TIME_SHAPE.test(v) && isRealTime(v as string),
);
const TEXT = rule('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
const BOOLEAN = rule('true or false', (v) => typeof v === 'boolean');
const ID = matching(SCENARIO_PATTERNS.id, 'a numeric string of 1-20 digits');
const PHONE_NUMBER_ID = matching(SCENARIO_PATTERNS.phoneNumberId, 'a numeric string of 15-16 digits');
const POSITIVE_INTEGER = integerIn(1, LIMITS.maxCount, 'a positive integer');
const BASE64 = nullable(matching(SCENARIO_PATTERNS.base64, 'a standard base64 string'));
const URL_RULE = matching(SCENARIO_PATTERNS.httpUrl, 'an http or https URL');
const HTTP_URL = rule(URL_RULE.expected, (v) => URL_RULE.test(v) && URL.canParse(v as string));

// ---------------------------------------------------------------------------------------------------
// Structure

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function apply(spec: Rule | Check, value: unknown, path: string): void {
  if (typeof spec === 'function') spec(value, path);
  else if (!spec.test(value)) fail(path, spec.hint?.(value) ?? spec.expected);
}

function checkObject(value: unknown, path: string, shape: Shape, required: readonly string[] = []): Fields {
  if (!isRecord(value)) fail(path, 'an object (a mapping of keys to values)');
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(shape, key)) fail(keyPath(path, key), `a known key (one of ${known.join(', ')})`);
  }
  for (const key of required) {
    const spec = shape[key];
    if (value[key] === undefined) fail(keyPath(path, key), `${describe(spec)} (required)`);
  }
  for (const [key, spec] of Object.entries(shape)) {
    if (value[key] !== undefined) apply(spec, value[key], keyPath(path, key));
  }
  return value;
}

function describe(spec: Rule | Check | undefined): string {
  return spec === undefined || typeof spec === 'function' ? 'a value' : spec.expected;
}

function object(shape: Shape, required: readonly string[] = []): Check {
  return (value, path) => void checkObject(value, path, shape, required);
}

function listOf(item: Rule | Check): Check {
  return (value, path) => {
    if (!Array.isArray(value)) fail(path, 'a list');
    value.forEach((entry: unknown, index) => apply(item, entry, itemPath(path, index)));
  };
}

function uniqueListOf(item: Rule): Check {
  return (value, path) => {
    listOf(item)(value, path);
    (value as unknown[]).forEach((entry, index, all) => {
      if (all.indexOf(entry) !== index)
        fail(itemPath(path, index), `a value not listed before (${String(entry)})`);
    });
  };
}

/** Ids overflow JSON/YAML numbers, so a bare number is refused with a hint rather than rounded. */
function id(base: Rule): Rule {
  return { ...base, hint: (v) => (typeof v === 'number' ? `${base.expected}, in quotes` : undefined) };
}

const WABA_SELECTION: Check = (value, path) => {
  if (value === '*') return;
  if (!Array.isArray(value)) fail(path, '"*" or a list of WABA ids');
  uniqueListOf(ID)(value, path);
};

const RATE_LIMIT = object({ per_hour: POSITIVE_INTEGER, active_per_hour: POSITIVE_INTEGER });
const NULLABLE_RATE_LIMIT: Check = (value, path) => {
  if (value !== null) RATE_LIMIT(value, path);
};

function nullableObject(check: Check): Check {
  return (value, path) => {
    if (value !== null) check(value, path);
  };
}

const QUALITY = object(
  {
    score: oneOf(QUALITY_SCORES),
    date: integerIn(0, LIMITS.maxCount, 'a non-negative integer (unix seconds)'),
    reasons: listOf(rule('a string', (v) => typeof v === 'string')),
  },
  ['score'],
);

const THROUGHPUT_LEVEL = oneOf(THROUGHPUT_LEVELS);
const THROUGHPUT: Check = (value, path) => {
  if (isRecord(value)) checkObject(value, path, { level: THROUGHPUT_LEVEL }, ['level']);
  else if (!THROUGHPUT_LEVEL.test(value)) fail(path, `${THROUGHPUT_LEVEL.expected}, or {level}`);
};

const QR_CODE = object(
  {
    code: matching(SCENARIO_PATTERNS.qrCode, '14 characters of A-Z and 2-7 ending in 1'),
    prefilled_message: rule(
      `a string of 1-${LIMITS.prefilledMessageMaxLength} characters`,
      (v) => typeof v === 'string' && v.length > 0 && [...v].length <= LIMITS.prefilledMessageMaxLength,
    ),
  },
  ['prefilled_message'],
);

function textUpTo(n: number): Rule {
  return rule(`a string of at most ${n} characters`, (v) => typeof v === 'string' && [...v].length <= n);
}

const BUSINESS_PROFILE = object({
  about: textUpTo(BUSINESS_PROFILE_TEXT_LIMITS.about),
  address: textUpTo(BUSINESS_PROFILE_TEXT_LIMITS.address),
  description: textUpTo(BUSINESS_PROFILE_TEXT_LIMITS.description),
  email: textUpTo(BUSINESS_PROFILE_TEXT_LIMITS.email),
  websites: (value, path) => {
    listOf(
      rule(
        `a URL of 1-${MAX_BUSINESS_WEBSITE_LENGTH} characters`,
        (v) => typeof v === 'string' && v !== '' && [...v].length <= MAX_BUSINESS_WEBSITE_LENGTH,
      ),
    )(value, path);
    if ((value as unknown[]).length > MAX_BUSINESS_WEBSITES)
      fail(path, `at most ${MAX_BUSINESS_WEBSITES} websites`);
  },
  vertical: oneOf(BUSINESS_VERTICALS),
  profile_picture_handle: TEXT,
});

const PHONE_NUMBER_SHAPE: Shape = {
  id: id(PHONE_NUMBER_ID),
  display_phone_number: matching(
    SCENARIO_PATTERNS.displayPhoneNumber,
    'an international phone number such as +1 555-010-0001',
    LIMITS.displayPhoneNumberMaxLength,
  ),
  verified_name: TEXT,
  status: oneOf(PHONE_NUMBER_STATUSES),
  account_mode: oneOf(ACCOUNT_MODES),
  certificate: BASE64,
  new_certificate: BASE64,
  name_status: oneOf(NAME_STATUSES),
  new_name_status: oneOf(NAME_STATUSES),
  requested_verified_name: nullable(TEXT),
  quality: QUALITY,
  quality_score: QUALITY,
  quality_rating: oneOf(QUALITY_RATINGS),
  code_verification_status: oneOf(CODE_VERIFICATION_STATUSES),
  is_official_business_account: BOOLEAN,
  is_pin_enabled: BOOLEAN,
  pin: matching(SCENARIO_PATTERNS.pin, 'a 6-digit string'),
  pin_hash: matching(SCENARIO_PATTERNS.pinHash, 'a PIN hash as export writes it (scrypt$…)'),
  messaging_limit_tier: oneOf(MESSAGING_LIMIT_TIERS),
  eligibility_for_api_business_global_search: TEXT,
  search_visibility: oneOf(SEARCH_VISIBILITIES),
  platform_type: oneOf(PLATFORM_TYPES),
  throughput: THROUGHPUT,
  webhook_configuration: nullableObject(
    object({ override_callback_uri: HTTP_URL, verify_token: TEXT }, [
      'override_callback_uri',
      'verify_token',
    ]),
  ),
  is_preverified_number: BOOLEAN,
  is_on_biz_app: BOOLEAN,
  whatsapp_business_manager_messaging_limit: oneOf(BUSINESS_MANAGER_MESSAGING_LIMITS),
  last_onboarded_time: TIME,
  created_time: TIME,
  qr_codes: listOf(QR_CODE),
  business_profile: BUSINESS_PROFILE,
};

/** `quality_rating` shows the score (phone-number.md §1-§2). */
export function ratingOfScore(score: QualityScoreValue): QualityRating {
  return score;
}

const PHONE_NUMBER: Check = (value, path) => {
  const fields = checkObject(value, path, PHONE_NUMBER_SHAPE, ['verified_name']);
  if (fields['quality'] !== undefined && fields['quality_score'] !== undefined) {
    fail(keyPath(path, 'quality_score'), 'no quality_score next to quality (they are aliases)');
  }
  if (fields['pin'] !== undefined && fields['pin_hash'] !== undefined) {
    fail(keyPath(path, 'pin_hash'), 'no pin_hash next to pin (one or the other)');
  }
  const quality = (fields['quality'] ?? fields['quality_score']) as { score: QualityScoreValue } | undefined;
  const rating = fields['quality_rating'];
  if (quality !== undefined && rating !== undefined && ratingOfScore(quality.score) !== rating) {
    fail(
      keyPath(path, 'quality_rating'),
      `${ratingOfScore(quality.score)} (to agree with score ${quality.score})`,
    );
  }
};

const WABA = object({
  id: id(ID),
  name: TEXT,
  timezone_id: matching(SCENARIO_PATTERNS.timezoneId, 'a numeric string such as "1"'),
  currency: matching(SCENARIO_PATTERNS.currency, 'a 3-letter currency code such as USD'),
  banned: BOOLEAN,
  message_template_namespace: matching(
    SCENARIO_PATTERNS.namespace,
    'a lowercase UUID such as 3f2b8c1e-6d4a-4e8b-9c1d-2a7f5e9b0c3d',
  ),
  rate_limit: NULLABLE_RATE_LIMIT,
  account_review_status: oneOf(ACCOUNT_REVIEW_STATUSES),
  business_verification_status: oneOf(BUSINESS_VERIFICATION_STATUSES),
  country: matching(SCENARIO_PATTERNS.country, 'an ISO 3166 alpha-2 code such as US'),
  ownership_type: oneOf(OWNERSHIP_TYPES),
  phone_numbers: listOf(PHONE_NUMBER),
});

const BUSINESS = object({ id: id(ID), name: TEXT, wabas: listOf(WABA) });

const APP = object({
  id: id(ID),
  name: TEXT,
  secret: TEXT,
  appsecret_proof_required: BOOLEAN,
  api_version: nullable(oneOf(NATIVE_VERSIONS)),
  wabas: WABA_SELECTION,
  rate_limit: NULLABLE_RATE_LIMIT,
  webhook: nullableObject(
    object(
      {
        url: HTTP_URL,
        verify_token: TEXT,
        fields: uniqueListOf(
          matching(SCENARIO_PATTERNS.webhookField, 'a webhook field name such as account_update'),
        ),
      },
      ['url', 'verify_token'],
    ),
  ),
});

const TOKEN: Check = (value, path) => {
  const fields = checkObject(
    value,
    path,
    {
      value: matching(SCENARIO_PATTERNS.token, 'a non-empty string without spaces'),
      sha256: matching(SCENARIO_PATTERNS.sha256, '64 lowercase hex digits'),
      app: id(ID),
      permissions: uniqueListOf(oneOf(TOKEN_PERMISSIONS)),
      wabas: WABA_SELECTION,
      expires_at: nullable(TIME),
      revoked: BOOLEAN,
    },
    ['app'],
  );
  if ((fields['value'] === undefined) === (fields['sha256'] === undefined)) {
    fail(path, 'exactly one of value or sha256');
  }
};

const DOCUMENT: Check = object(
  {
    version: rule('1', (v) => v === 1),
    seed: nullable(integerIn(0, LIMITS.maxSeed, 'a non-negative integer')),
    apps: listOf(APP),
    businesses: listOf(BUSINESS),
    tokens: listOf(TOKEN),
  },
  ['version'],
);

// ---------------------------------------------------------------------------------------------------
// References between parts of the document (beyond JSON Schema).

interface At<T> {
  readonly item: T;
  readonly path: string;
}

interface Located {
  readonly apps: At<ScenarioApp>[];
  readonly businessIds: At<string | undefined>[];
  readonly wabas: At<ScenarioWaba>[];
  readonly numbers: At<ScenarioPhoneNumber>[];
  readonly tokens: At<ScenarioToken>[];
}

function locate(doc: ScenarioDocument): Located {
  const located: Located = { apps: [], businessIds: [], wabas: [], numbers: [], tokens: [] };
  doc.apps?.forEach((item, i) => located.apps.push({ item, path: itemPath('apps', i) }));
  doc.tokens?.forEach((item, i) => located.tokens.push({ item, path: itemPath('tokens', i) }));
  doc.businesses?.forEach((business, b) => {
    const businessPath = itemPath('businesses', b);
    located.businessIds.push({ item: business.id, path: businessPath });
    business.wabas?.forEach((waba, w) => {
      const wabaPath = itemPath(`${businessPath}.wabas`, w);
      located.wabas.push({ item: waba, path: wabaPath });
      waba.phone_numbers?.forEach((item, n) => {
        located.numbers.push({ item, path: itemPath(`${wabaPath}.phone_numbers`, n) });
      });
    });
  });
  return located;
}

/** Fails on the second occurrence of a key, naming the first. */
function uniqueness(describe: (first: string) => string): (key: string | undefined, path: string) => void {
  const seen = new Map<string, string>();
  return (key, path) => {
    if (key === undefined) return;
    const first = seen.get(key);
    if (first !== undefined) fail(path, describe(first));
    seen.set(key, path);
  };
}

function checkUniqueIds(located: Located): void {
  // Graph ids share one namespace: an app and a WABA cannot have the same id either.
  const claim = uniqueness((first) => `an id not used elsewhere in the scenario (already ${first})`);
  for (const { item, path } of located.apps) claim(item.id, keyPath(path, 'id'));
  for (const { item, path } of located.businessIds) claim(item, keyPath(path, 'id'));
  for (const { item, path } of located.wabas) claim(item.id, keyPath(path, 'id'));
  for (const { item, path } of located.numbers) claim(item.id, keyPath(path, 'id'));
}

export function phoneDigits(displayPhoneNumber: string): string {
  return displayPhoneNumber.replace(/\D/g, '');
}

function checkUniqueNumbersAndCodes(located: Located): void {
  const claimPhone = uniqueness((first) => `a phone number not used by another number (already ${first})`);
  const claimCode = uniqueness((first) => `a QR code not used elsewhere (already ${first})`);
  for (const { item, path } of located.numbers) {
    const display = item.display_phone_number;
    claimPhone(
      display === undefined ? undefined : phoneDigits(display),
      keyPath(path, 'display_phone_number'),
    );
    item.qr_codes?.forEach((qr, i) =>
      claimCode(qr.code, keyPath(itemPath(keyPath(path, 'qr_codes'), i), 'code')),
    );
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function listed(ids: readonly string[]): string {
  return ids.length === 0 ? 'there are none' : `one of ${ids.join(', ')}`;
}

function definedIds(items: readonly At<{ readonly id?: string }>[]): string[] {
  return items.flatMap(({ item }) => (item.id === undefined ? [] : [item.id]));
}

function checkAppWabas(located: Located, wabaIds: readonly string[]): void {
  for (const { item, path } of located.apps) {
    if (item.wabas === undefined || item.wabas === '*') continue;
    item.wabas.forEach((wabaId, i) => {
      if (!wabaIds.includes(wabaId)) {
        fail(itemPath(keyPath(path, 'wabas'), i), `the id of a WABA in this scenario (${listed(wabaIds)})`);
      }
    });
  }
}

function checkTokens(located: Located, wabaIds: readonly string[]): void {
  const claimDigest = uniqueness((first) => `a token not listed before (same token as ${first})`);
  const appIds = definedIds(located.apps);
  for (const { item: token, path } of located.tokens) {
    claimDigest(token.sha256 ?? sha256Hex(token.value ?? ''), path);
    const app = located.apps.find(({ item }) => item.id === token.app)?.item;
    if (app === undefined)
      fail(keyPath(path, 'app'), `the id of an app in this scenario (${listed(appIds)})`);
    if (token.wabas === undefined || token.wabas === '*') continue;
    const appWabas = app.wabas === undefined || app.wabas === '*' ? wabaIds : app.wabas;
    token.wabas.forEach((wabaId, i) => {
      if (!appWabas.includes(wabaId)) {
        fail(
          itemPath(keyPath(path, 'wabas'), i),
          `a WABA app ${token.app} is installed on (${listed(appWabas)})`,
        );
      }
    });
  }
}

function checkReferences(doc: ScenarioDocument): void {
  const located = locate(doc);
  checkUniqueIds(located);
  checkUniqueNumbersAndCodes(located);
  const wabaIds = definedIds(located.wabas);
  checkAppWabas(located, wabaIds);
  checkTokens(located, wabaIds);
}

/**
 * Checks a parsed scenario document completely (structure, enums, cross-references) and returns it
 * typed. Throws a ScenarioError naming the first problem found.
 */
export function validateScenario(doc: unknown, file: string): ScenarioDocument {
  try {
    DOCUMENT(doc, '$');
    // Every key and value was checked against the ScenarioDocument shape just above.
    const typed = doc as ScenarioDocument;
    checkReferences(typed);
    return typed;
  } catch (error) {
    if (error instanceof Problem) throw new ScenarioError(file, error.path, error.expected);
    throw error;
  }
}
