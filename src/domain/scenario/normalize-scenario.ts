import type {
  PhoneNumberStatus,
  PlatformType,
  QualityRating,
  QualityScore,
  QualityScoreValue,
  ThroughputLevel,
} from '../../contract/phone-number.ts';
import type {
  ScenarioApp,
  ScenarioDocument,
  ScenarioPhoneNumber,
  ScenarioQrCode,
  ScenarioThroughput,
  ScenarioToken,
  ScenarioWaba,
} from '../../contract/scenario.ts';
import type { ScenarioBusinessProfile } from '../../contract/scenario.ts';
import { WABA_DEFAULTS } from '../../contract/waba.ts';
import type {
  AppRecord,
  BusinessProfileRecord,
  PhoneNumberRecord,
  QrCodeRecord,
  StateSnapshot,
  TokenRecord,
  WabaRecord,
} from '../../store/records.ts';
import { emptyProfile } from '../business-profile.ts';
import { hashPinSync } from '../two-step-pin.ts';
import { DEFAULT_WEBHOOK_FIELDS, TOKEN_PERMISSIONS } from './scenario-schema.ts';
import { randomHex, randomNumericId, randomSourceFor, randomString } from './seeded-random.ts';
import type { RandomSource } from './seeded-random.ts';
import { phoneDigits, sha256Hex } from './validate-scenario.ts';

export interface NormalizeOptions {
  /** Load time (the injected clock). */
  readonly now: Date;
  readonly issueCertificate: (phoneNumber: string, name: string, issuedAt: number) => string;
}

/*
 * Defaults for whatever a scenario leaves out (documented for users; keep this table and the code in step).
 *
 * | record       | field                                      | default                                                        |
 * | ------------ | ------------------------------------------ | -------------------------------------------------------------- |
 * | any          | id                                         | 15 random digits (seeded by `seed`), never a given id          |
 * | app          | name                                       | `App {id}`                                                     |
 * | app          | secret                                     | `phonegraph-secret-{id}`                                       |
 * | app          | appsecret_proof_required                   | false                                                          |
 * | app          | api_version                                | null (unversioned paths use the server default)                |
 * | app          | wabas                                      | `*` (every WABA of the state)                                  |
 * | app          | rate_limit                                 | null (server-wide limits)                                      |
 * | app          | webhook                                    | none; when given: fields `account_update`,                     |
 * |              |                                            | `phone_number_name_update`, `phone_number_quality_update`,     |
 * |              |                                            | state `pending_verification`                                   |
 * | business     | name                                       | `Business {id}`                                                |
 * | WABA         | name                                       | `WABA {id}`                                                    |
 * | WABA         | timezone_id / currency / banned            | `"1"` / `USD` / false                                          |
 * | WABA         | message_template_namespace                 | random lowercase hex 8-4-4-4-12 (seeded)                       |
 * | WABA         | rate_limit                                 | null (the app's limits)                                        |
 * | WABA         | account_review_status                      | APPROVED                                                       |
 * | WABA         | business_verification_status / country     | verified / US                                                  |
 * | WABA         | ownership_type                             | SELF                                                           |
 * | number       | display_phone_number                       | `+1 555-01X-XXXX`, X = the id's last 5 digits (next free one   |
 * |              |                                            | on a clash)                                                    |
 * | number       | status                                     | CONNECTED                                                      |
 * | number       | account_mode                               | LIVE                                                           |
 * | number       | name_status                                | APPROVED                                                       |
 * | number       | requested_verified_name                    | null                                                           |
 * | number       | new_name_status                            | PENDING_REVIEW if requested_verified_name is set, else NONE    |
 * | number       | certificate                                | issued at load if name_status is APPROVED or                   |
 * |              |                                            | AVAILABLE_WITHOUT_REVIEW, else none                            |
 * | number       | new_certificate                            | issued at load if new_name_status is APPROVED and              |
 * |              |                                            | requested_verified_name is set, else none                      |
 * | number       | quality_score.score                        | from quality_rating, else GREEN                                |
 * | number       | quality_score.date / .reasons              | load time (unix s) / []                                        |
 * | number       | code_verification_status                   | NOT_VERIFIED if status is PENDING or UNVERIFIED, else VERIFIED |
 * | number       | platform_type                              | CLOUD_API if status is CONNECTED, FLAGGED, RESTRICTED or       |
 * |              |                                            | RATE_LIMITED, else NOT_APPLICABLE                              |
 * | number       | throughput.level                           | NOT_APPLICABLE if platform_type is, else STANDARD              |
 * | number       | is_pin_enabled                             | true if a PIN is given or platform_type is CLOUD_API, else     |
 * |              |                                            | false                                                          |
 * | number       | pin_hash                                   | none (the next register stores the PIN it sends); `pin` is     |
 * |              |                                            | stored as a salted hash, `pin_hash` verbatim                   |
 * | number       | business_profile                           | none (an empty profile); given fields only                     |
 * | number       | messaging_limit_tier                       | TIER_1K                                                        |
 * | number       | is_official_business_account               | false                                                          |
 * | number       | eligibility_for_api_business_global_search | NON_ELIGIBLE_UNDEFINED_COUNTRY                                 |
 * | number       | search_visibility                          | VISIBLE                                                        |
 * | number       | is_preverified_number / is_on_biz_app      | false / false                                                  |
 * | number       | whatsapp_business_manager_messaging_limit  | UNTIERED                                                       |
 * | number       | webhook_configuration                      | none (the app's URL); when given: `pending_verification`       |
 * | number       | last_onboarded_time                        | load time                                                      |
 * | number       | created_time                               | load time + the number's index in file order, in ms            |
 * | QR code      | code                                       | 13 random `[A-Z2-7]` + `1` (seeded), never a given code        |
 * | QR code      | position                                   | 1, 2, 3… in file order across the scenario (oldest first)      |
 * | token        | permissions                                | both                                                           |
 * | token        | wabas / expires_at / revoked               | `*` (all of the app's) / null (never) / false                  |
 */

const REGISTERED_STATUSES: readonly PhoneNumberStatus[] = [
  'CONNECTED',
  'FLAGGED',
  'RESTRICTED',
  'RATE_LIMITED',
];
const UNVERIFIED_STATUSES: readonly PhoneNumberStatus[] = ['PENDING', 'UNVERIFIED'];
const GENERATED_ID_DIGITS = 15;
const QR_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface Clock {
  readonly ms: number;
  readonly seconds: number;
  readonly iso: string;
}

/** Everything generated while normalizing, with what it must not collide with. */
export interface Generators {
  readonly id: () => string;
  readonly namespace: () => string;
  readonly qrCode: () => string;
  readonly displayPhoneNumber: (id: string) => string;
}

/** What a generator must not produce again: the given values, and what it produced before. */
export interface Taken {
  has(key: string): boolean;
  add(key: string): unknown;
}

function uniqueGenerator(taken: Taken, make: () => string): () => string {
  return () => {
    for (;;) {
      const candidate = make();
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  };
}

function allNumbers(doc: ScenarioDocument): ScenarioPhoneNumber[] {
  return (doc.businesses ?? []).flatMap((b) => (b.wabas ?? []).flatMap((w) => [...(w.phone_numbers ?? [])]));
}

function givenIds(doc: ScenarioDocument): Set<string> {
  const wabas = (doc.businesses ?? []).flatMap((b) => b.wabas ?? []);
  const ids = [...(doc.apps ?? []), ...(doc.businesses ?? []), ...wabas, ...allNumbers(doc)].map((x) => x.id);
  return new Set(ids.filter((id): id is string => id !== undefined));
}

function uuidLike(source: RandomSource): string {
  const hex = randomHex(source, 32);
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

/** `+1 555-01X-XXXX` from the id's last five digits, moving on to the next free ones on a clash. */
function displayPhoneNumberGenerator(taken: Taken): (id: string) => string {
  return (id) => {
    const base = Number(id.slice(-5));
    for (let step = 0; ; step++) {
      const five = String((base + step) % 100_000).padStart(5, '0');
      const display = `+1 555-01${five.slice(0, 1)}-${five.slice(1)}`;
      if (!taken.has(phoneDigits(display))) {
        taken.add(phoneDigits(display));
        return display;
      }
      if (step >= 100_000) throw new RangeError('no free +1 555-01X-XXXX number left');
    }
  };
}

function generators(doc: ScenarioDocument): Generators {
  const numbers = allNumbers(doc);
  const givenCodes = numbers.flatMap((n) =>
    (n.qr_codes ?? []).flatMap((qr) => (qr.code === undefined ? [] : [qr.code])),
  );
  const givenDisplays = numbers.flatMap((n) =>
    n.display_phone_number === undefined ? [] : [n.display_phone_number],
  );
  return generatorsAvoiding(doc.seed ?? null, {
    ids: givenIds(doc),
    codes: new Set(givenCodes),
    phoneDigits: new Set(givenDisplays.map(phoneDigits)),
  });
}

/**
 * The generators of a scenario with this seed, never producing a value in `taken` (the given ids, QR
 * codes and phone-number digits); each adds what it produces to its set.
 */
export function generatorsAvoiding(
  seed: number | null,
  taken: { readonly ids: Taken; readonly codes: Taken; readonly phoneDigits: Taken },
): Generators {
  // One stream per kind, so adding a QR code does not shift every generated id.
  const ids = randomSourceFor(seed, 'ids');
  const namespaces = randomSourceFor(seed, 'waba-namespaces');
  const codes = randomSourceFor(seed, 'qr-codes');
  return {
    id: uniqueGenerator(taken.ids, () => randomNumericId(ids, GENERATED_ID_DIGITS)),
    namespace: () => uuidLike(namespaces),
    qrCode: uniqueGenerator(taken.codes, () => `${randomString(codes, QR_ALPHABET, 13)}1`),
    displayPhoneNumber: displayPhoneNumberGenerator(taken.phoneDigits),
  };
}

/** The load time in the forms the defaults use. */
export function loadClock(now: Date): Clock {
  const ms = now.getTime();
  return { ms, seconds: Math.floor(ms / 1000), iso: now.toISOString() };
}

function isoTime(text: string): string {
  return new Date(text).toISOString();
}

export function normalizeApp(app: ScenarioApp, id: string): AppRecord {
  const webhook = app.webhook ?? null;
  return {
    id,
    name: app.name ?? `App ${id}`,
    secret: app.secret ?? `phonegraph-secret-${id}`,
    appsecret_proof_required: app.appsecret_proof_required ?? false,
    api_version: app.api_version ?? null,
    wabas: app.wabas === undefined || app.wabas === '*' ? '*' : [...app.wabas],
    rate_limit: app.rate_limit ? { ...app.rate_limit } : null,
    webhook:
      webhook === null
        ? null
        : {
            url: webhook.url,
            verify_token: webhook.verify_token,
            fields: [...(webhook.fields ?? DEFAULT_WEBHOOK_FIELDS)],
            state: 'pending_verification',
          },
  };
}

export function normalizeWaba(
  waba: ScenarioWaba,
  id: string,
  businessId: string,
  gen: Generators,
): WabaRecord {
  return {
    id,
    business_id: businessId,
    name: waba.name ?? `WABA ${id}`,
    timezone_id: waba.timezone_id ?? '1',
    currency: waba.currency ?? 'USD',
    message_template_namespace: waba.message_template_namespace ?? gen.namespace(),
    banned: waba.banned ?? false,
    rate_limit: waba.rate_limit ? { ...waba.rate_limit } : null,
    account_review_status: waba.account_review_status ?? WABA_DEFAULTS.account_review_status,
    business_verification_status:
      waba.business_verification_status ?? WABA_DEFAULTS.business_verification_status,
    country: waba.country ?? WABA_DEFAULTS.country,
    ownership_type: waba.ownership_type ?? WABA_DEFAULTS.ownership_type,
  };
}

export function normalizeProfile(
  profile: ScenarioBusinessProfile,
  phoneNumberId: string,
): BusinessProfileRecord {
  return {
    ...emptyProfile(phoneNumberId),
    about: profile.about ?? null,
    address: profile.address ?? null,
    description: profile.description ?? null,
    email: profile.email ?? null,
    websites: [...(profile.websites ?? [])],
    vertical: profile.vertical ?? null,
    profile_picture_handle: profile.profile_picture_handle ?? null,
  };
}

function scoreOfRating(rating: QualityRating): QualityScoreValue {
  return rating;
}

function qualityOf(number: ScenarioPhoneNumber, clock: Clock): QualityScore {
  const given = number.quality ?? number.quality_score;
  const rating = number.quality_rating;
  return {
    score: given?.score ?? (rating === undefined ? 'GREEN' : scoreOfRating(rating)),
    date: given?.date ?? clock.seconds,
    reasons: [...(given?.reasons ?? [])],
  };
}

function throughputLevel(given: ScenarioThroughput | undefined, platform: PlatformType): ThroughputLevel {
  if (given !== undefined) return typeof given === 'string' ? given : given.level;
  return platform === 'NOT_APPLICABLE' ? 'NOT_APPLICABLE' : 'STANDARD';
}

type NameFields = Pick<
  PhoneNumberRecord,
  'name_status' | 'new_name_status' | 'requested_verified_name' | 'certificate' | 'new_certificate'
>;

/** Certificates are issued at load for approved names, as a real approval would have issued them. */
function nameFields(
  number: ScenarioPhoneNumber,
  display: string,
  clock: Clock,
  options: NormalizeOptions,
): NameFields {
  const nameStatus = number.name_status ?? 'APPROVED';
  const requested = number.requested_verified_name ?? null;
  const newNameStatus = number.new_name_status ?? (requested === null ? 'NONE' : 'PENDING_REVIEW');
  const nameApproved = nameStatus === 'APPROVED' || nameStatus === 'AVAILABLE_WITHOUT_REVIEW';
  const certificate =
    number.certificate ??
    (nameApproved ? options.issueCertificate(display, number.verified_name, clock.seconds) : null);
  const newCertificate =
    number.new_certificate ??
    (newNameStatus === 'APPROVED' && requested !== null
      ? options.issueCertificate(display, requested, clock.seconds)
      : null);
  return {
    name_status: nameStatus,
    new_name_status: newNameStatus,
    requested_verified_name: requested,
    certificate,
    new_certificate: newCertificate,
  };
}

export interface NumberPlace {
  readonly wabaId: string;
  /** Position in file order across the whole scenario. */
  readonly index: number;
}

export function normalizePhoneNumber(
  number: ScenarioPhoneNumber,
  place: NumberPlace,
  gen: Generators,
  clock: Clock,
  options: NormalizeOptions,
): PhoneNumberRecord {
  const id = number.id ?? gen.id();
  const display = number.display_phone_number ?? gen.displayPhoneNumber(id);
  const status = number.status ?? 'CONNECTED';
  const platform =
    number.platform_type ?? (REGISTERED_STATUSES.includes(status) ? 'CLOUD_API' : 'NOT_APPLICABLE');
  const override = number.webhook_configuration ?? null;
  const pinHash = number.pin_hash ?? (number.pin === undefined ? null : hashPinSync(number.pin));
  return {
    id,
    waba_id: place.wabaId,
    display_phone_number: display,
    verified_name: number.verified_name,
    status,
    account_mode: number.account_mode ?? 'LIVE',
    ...nameFields(number, display, clock, options),
    quality_score: qualityOf(number, clock),
    code_verification_status:
      number.code_verification_status ?? (UNVERIFIED_STATUSES.includes(status) ? 'NOT_VERIFIED' : 'VERIFIED'),
    is_official_business_account: number.is_official_business_account ?? false,
    is_pin_enabled: number.is_pin_enabled ?? (pinHash !== null || platform === 'CLOUD_API'),
    pin_hash: pinHash,
    messaging_limit_tier: number.messaging_limit_tier ?? 'TIER_1K',
    eligibility_for_api_business_global_search:
      number.eligibility_for_api_business_global_search ?? 'NON_ELIGIBLE_UNDEFINED_COUNTRY',
    search_visibility: number.search_visibility ?? 'VISIBLE',
    platform_type: platform,
    throughput_level: throughputLevel(number.throughput, platform),
    webhook_override:
      override === null
        ? null
        : {
            url: override.override_callback_uri,
            verify_token: override.verify_token,
            state: 'pending_verification',
          },
    is_preverified_number: number.is_preverified_number ?? false,
    is_on_biz_app: number.is_on_biz_app ?? false,
    whatsapp_business_manager_messaging_limit: number.whatsapp_business_manager_messaging_limit ?? 'UNTIERED',
    last_onboarded_time:
      number.last_onboarded_time === undefined ? clock.iso : isoTime(number.last_onboarded_time),
    // Creation sorts must follow file order, so each number is one millisecond younger than the previous.
    created_time:
      number.created_time === undefined
        ? new Date(clock.ms + place.index).toISOString()
        : isoTime(number.created_time),
  };
}

export function normalizeQrCode(
  qr: ScenarioQrCode,
  phoneNumberId: string,
  position: number,
  gen: Generators,
): QrCodeRecord {
  return {
    code: qr.code ?? gen.qrCode(),
    phone_number_id: phoneNumberId,
    prefilled_message: qr.prefilled_message,
    position,
  };
}

export function normalizeToken(token: ScenarioToken): TokenRecord {
  return {
    digest: token.sha256 ?? sha256Hex(token.value ?? ''),
    app_id: token.app,
    permissions: [...(token.permissions ?? TOKEN_PERMISSIONS)],
    wabas: token.wabas === undefined || token.wabas === '*' ? '*' : [...token.wabas],
    expires_at:
      token.expires_at === undefined || token.expires_at === null ? null : isoTime(token.expires_at),
    revoked: token.revoked ?? false,
  };
}

/**
 * Turns a validated scenario into the store's normalized state: every default applied, every omitted id
 * and code generated (reproducibly when the scenario has a `seed`).
 */
export function normalizeScenario(doc: ScenarioDocument, options: NormalizeOptions): StateSnapshot {
  const clock = loadClock(options.now);
  const gen = generators(doc);
  const state: StateSnapshot = {
    seed: doc.seed ?? null,
    apps: (doc.apps ?? []).map((app) => normalizeApp(app, app.id ?? gen.id())),
    businesses: [],
    wabas: [],
    phone_numbers: [],
    qr_codes: [],
    tokens: (doc.tokens ?? []).map(normalizeToken),
    business_profiles: [],
  };
  for (const business of doc.businesses ?? []) {
    const businessId = business.id ?? gen.id();
    state.businesses.push({ id: businessId, name: business.name ?? `Business ${businessId}` });
    for (const waba of business.wabas ?? []) {
      const wabaRecord = normalizeWaba(waba, waba.id ?? gen.id(), businessId, gen);
      state.wabas.push(wabaRecord);
      for (const number of waba.phone_numbers ?? []) {
        const place = { wabaId: wabaRecord.id, index: state.phone_numbers.length };
        const record = normalizePhoneNumber(number, place, gen, clock, options);
        state.phone_numbers.push(record);
        for (const qr of number.qr_codes ?? []) {
          state.qr_codes.push(normalizeQrCode(qr, record.id, state.qr_codes.length + 1, gen));
        }
        if (number.business_profile !== undefined)
          state.business_profiles.push(normalizeProfile(number.business_profile, record.id));
      }
    }
  }
  return state;
}
