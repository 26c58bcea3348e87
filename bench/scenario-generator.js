// Generates the scenarios the read-path benchmark loads, and the exact bodies the benchmarked request
// must return. Shared by bench/performance.js and test/bench.test.ts so the two cannot drift.
// Plain JavaScript (no build step); types for the TypeScript test live in scenario-generator.d.ts.

export const BENCH_APP_ID = '1000000000000001';
export const BENCH_BUSINESS_ID = '2000000000000001';
export const BENCH_TOKEN = 'EAAG-phonegraph-bench-token';
export const BENCH_API_VERSION = 'v21.0';
/** The fields the benchmarked request asks for; the node adds `id` after them. */
export const READ_FIELDS = ['status', 'quality_score', 'display_phone_number'];
/** Unix seconds given explicitly so the expected bodies do not depend on load time. */
export const QUALITY_DATE = 1_767_225_600; // 2026-01-01T00:00:00Z

const FIRST_PHONE_NUMBER_ID = 400_000_000_000_001; // 15 digits, exact as a double
const FIRST_WABA_ID = 3_000_000_000_000_001;

// A mix of states, so the bodies are not all identical; every tenth number differs from the common case.
const STATUSES = ['CONNECTED', 'CONNECTED', 'CONNECTED', 'CONNECTED', 'FLAGGED', 'CONNECTED', 'RESTRICTED'];
const QUALITIES = [
  { score: 'GREEN', reasons: [] },
  { score: 'GREEN', reasons: [] },
  { score: 'YELLOW', reasons: ['Users blocked this number after receiving messages'] },
  { score: 'GREEN', reasons: [] },
  { score: 'RED', reasons: ['Messages reported as spam'] },
];

/** The path of the benchmarked request for one phone-number id. */
export function readPath(id, token = BENCH_TOKEN) {
  return `/${BENCH_API_VERSION}/${id}?fields=${READ_FIELDS.join(',')}&access_token=${encodeURIComponent(token)}`;
}

export function phoneNumberId(index) {
  return String(FIRST_PHONE_NUMBER_ID + index);
}

/** `+1 555-XXX-XXXX`, unique for index < 10 000 000. */
export function displayPhoneNumber(index) {
  const high = String(Math.floor(index / 10_000)).padStart(3, '0');
  const low = String(index % 10_000).padStart(4, '0');
  return `+1 555-${high}-${low}`;
}

function numberAt(index, options) {
  const quality = QUALITIES[index % QUALITIES.length];
  return {
    id: phoneNumberId(index),
    display_phone_number: displayPhoneNumber(index),
    verified_name: `Bench Number ${index}`,
    status: STATUSES[index % STATUSES.length],
    quality: { score: quality.score, date: QUALITY_DATE, reasons: [...quality.reasons] },
    ...(options.pendingNames ? { name_status: 'PENDING_REVIEW' } : {}),
  };
}

/**
 * The exact body of `GET /v21.0/{id}?fields=status,quality_score,display_phone_number` for the number at
 * `index` of a generated scenario (Graph puts `id` last).
 */
export function expectedReadBody(index) {
  const quality = QUALITIES[index % QUALITIES.length];
  return {
    status: STATUSES[index % STATUSES.length],
    quality_score: { score: quality.score, date: QUALITY_DATE, reasons: [...quality.reasons] },
    display_phone_number: displayPhoneNumber(index),
    id: phoneNumberId(index),
  };
}

/**
 * A scenario with `numbers` phone numbers spread round-robin over `wabas` WABAs of one business, one
 * app installed on all of them, and one token with both permissions on all of them.
 *
 * The app's BUC rate limit is raised far above what a benchmark run can reach: with the default
 * (5000 calls per hour per WABA) a load test would measure error responses after a second.
 * `pendingNames: true` sets `name_status: PENDING_REVIEW`, so no certificate is issued at load.
 */
export function generateScenario({ numbers, wabas = 4, seed = 1, pendingNames = false }) {
  if (!Number.isInteger(numbers) || numbers < 1 || numbers > 10_000_000) {
    throw new RangeError(`numbers must be an integer in 1..10000000, got ${numbers}`);
  }
  if (!Number.isInteger(wabas) || wabas < 1)
    throw new RangeError(`wabas must be a positive integer, got ${wabas}`);
  const wabaList = Array.from({ length: wabas }, (_, w) => ({
    id: String(FIRST_WABA_ID + w),
    name: `Bench WABA ${w + 1}`,
    timezone_id: '1',
    currency: 'USD',
    phone_numbers: [],
  }));
  const ids = [];
  for (let index = 0; index < numbers; index += 1) {
    wabaList[index % wabas].phone_numbers.push(numberAt(index, { pendingNames }));
    ids.push(phoneNumberId(index));
  }
  const document = {
    version: 1,
    seed,
    apps: [
      {
        id: BENCH_APP_ID,
        name: 'Bench App',
        secret: 'bench-app-secret',
        appsecret_proof_required: false,
        api_version: BENCH_API_VERSION,
        wabas: '*',
        rate_limit: { per_hour: 1_000_000_000, active_per_hour: 1_000_000_000 },
      },
    ],
    businesses: [{ id: BENCH_BUSINESS_ID, name: 'Bench Business', wabas: wabaList }],
    tokens: [
      {
        value: BENCH_TOKEN,
        app: BENCH_APP_ID,
        permissions: ['whatsapp_business_management', 'whatsapp_business_messaging'],
        wabas: '*',
      },
    ],
  };
  return { document, token: BENCH_TOKEN, ids };
}

/** The index of a generated phone-number id (inverse of `phoneNumberId`). */
export function indexOfId(id) {
  return Number(id) - FIRST_PHONE_NUMBER_ID;
}
