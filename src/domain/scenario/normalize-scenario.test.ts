import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NAME_STATUSES, PHONE_NUMBER_STATUSES, QUALITY_SCORES } from '../../contract/phone-number.ts';
import type { ScenarioDocument, ScenarioPhoneNumber } from '../../contract/scenario.ts';
import type { PhoneNumberRecord, StateSnapshot } from '../../store/records.ts';
import { loadScenarioFile } from './load-scenario-file.ts';
import { normalizeScenario } from './normalize-scenario.ts';
import type { NormalizeOptions } from './normalize-scenario.ts';
import { randomDigits, seededRandom } from './seeded-random.ts';
import { validateScenario } from './validate-scenario.ts';

const DEMO = fileURLToPath(new URL('../../../scenarios/demo.yaml', import.meta.url));
const NOW = new Date('2026-04-01T12:00:00.000Z');
const NOW_SECONDS = 1775044800;

interface IssuedCertificate {
  readonly phoneNumber: string;
  readonly name: string;
  readonly issuedAt: number;
}

function options(issued: IssuedCertificate[] = []): NormalizeOptions {
  return {
    now: NOW,
    issueCertificate: (phoneNumber, name, issuedAt) => {
      issued.push({ phoneNumber, name, issuedAt });
      return Buffer.from(`${phoneNumber}|${name}|${issuedAt}`).toString('base64');
    },
  };
}

function normalize(doc: unknown, issued: IssuedCertificate[] = []): StateSnapshot {
  return normalizeScenario(validateScenario(doc, 'test.yaml'), options(issued));
}

function numbersDoc(numbers: ScenarioPhoneNumber[], seed?: number): ScenarioDocument {
  return {
    version: 1,
    ...(seed === undefined ? {} : { seed }),
    businesses: [{ wabas: [{ phone_numbers: numbers }] }],
  };
}

function only(state: StateSnapshot): PhoneNumberRecord {
  const [number] = state.phone_numbers;
  assert.ok(number);
  return number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('normalizeScenario: the demo', async () => {
  const state = normalizeScenario(await loadScenarioFile(DEMO), options());

  it('has 2 businesses, 3 WABAs, 12 numbers, 2 apps, 2 tokens', () => {
    assert.equal(state.seed, 42);
    assert.deepEqual(
      state.businesses.map((b) => b.id),
      ['2000000000000001', '2000000000000002'],
    );
    assert.deepEqual(
      state.wabas.map((w) => [w.id, w.business_id]),
      [
        ['3000000000000001', '2000000000000001'],
        ['3000000000000002', '2000000000000001'],
        ['3000000000000003', '2000000000000002'],
      ],
    );
    assert.equal(state.phone_numbers.length, 12);
    assert.deepEqual(
      state.apps.map((a) => a.id),
      ['1000000000000001', '1000000000000002'],
    );
  });

  it('covers every status, name status and quality score', () => {
    const statuses = new Set(state.phone_numbers.map((n) => n.status));
    const names = new Set(state.phone_numbers.map((n) => n.name_status));
    const scores = new Set(state.phone_numbers.map((n) => n.quality_score.score));
    assert.deepEqual(
      [...PHONE_NUMBER_STATUSES].filter((s) => !statuses.has(s)),
      [],
    );
    assert.deepEqual(
      [...NAME_STATUSES].filter((s) => !names.has(s)),
      [],
    );
    assert.deepEqual(
      [...QUALITY_SCORES].filter((s) => !scores.has(s)),
      [],
    );
    assert.ok(new Set(state.phone_numbers.map((n) => n.messaging_limit_tier)).size >= 4);
    assert.deepEqual(new Set(state.phone_numbers.map((n) => n.account_mode)), new Set(['LIVE', 'SANDBOX']));
  });

  it('starts with the CONNECTED, APPROVED, GREEN number of the README', () => {
    const first = state.phone_numbers[0];
    assert.ok(first);
    assert.equal(first.id, '400000000000101');
    assert.equal(first.waba_id, '3000000000000001');
    assert.equal(first.display_phone_number, '+1 555-010-0001');
    assert.equal(first.status, 'CONNECTED');
    assert.equal(first.name_status, 'APPROVED');
    assert.equal(first.quality_score.score, 'GREEN');
    assert.equal(first.platform_type, 'CLOUD_API');
    assert.notEqual(first.certificate, null);
  });

  it('keeps unregistered numbers unverified and off the platform', () => {
    for (const number of state.phone_numbers.filter(
      (n) => n.status === 'PENDING' || n.status === 'UNVERIFIED',
    )) {
      assert.equal(number.code_verification_status, 'NOT_VERIFIED', number.id);
      assert.equal(number.platform_type, 'NOT_APPLICABLE', number.id);
      assert.equal(number.is_pin_enabled, false, number.id);
    }
  });

  it('stores the fixed demo tokens hashed', () => {
    assert.deepEqual(state.tokens, [
      {
        digest: sha256('EAAG-demo-acme-connect-token'),
        app_id: '1000000000000001',
        permissions: ['whatsapp_business_management', 'whatsapp_business_messaging'],
        wabas: '*',
        expires_at: null,
        revoked: false,
      },
      {
        digest: sha256('EAAG-demo-globex-ops-token'),
        app_id: '1000000000000002',
        permissions: ['whatsapp_business_management'],
        wabas: ['3000000000000003'],
        expires_at: null,
        revoked: false,
      },
    ]);
  });

  it('keeps given QR codes and numbers them oldest first', () => {
    const first = state.qr_codes[0];
    assert.deepEqual(first, {
      code: '4O4YGZEG3RIVE1',
      phone_number_id: '400000000000101',
      prefilled_message: 'Hi Acme',
      position: 1,
    });
    assert.deepEqual(
      state.qr_codes.map((qr) => qr.position),
      state.qr_codes.map((_, i) => i + 1),
    );
    for (const qr of state.qr_codes) assert.match(qr.code, /^[A-Z2-7]{13}1$/);
  });
});

describe('normalizeScenario: defaults', () => {
  it('gives a minimal number every default', () => {
    const state = normalize(
      numbersDoc([{ display_phone_number: '+1 555-010-0001', verified_name: 'Acme' }], 1),
    );
    const number = only(state);
    const [waba] = state.wabas;
    assert.ok(waba);
    assert.match(number.id, /^[1-9]\d{14}$/);
    assert.deepEqual(number, {
      id: number.id,
      waba_id: waba.id,
      display_phone_number: '+1 555-010-0001',
      verified_name: 'Acme',
      status: 'CONNECTED',
      account_mode: 'LIVE',
      name_status: 'APPROVED',
      new_name_status: 'NONE',
      requested_verified_name: null,
      certificate: Buffer.from(`+1 555-010-0001|Acme|${NOW_SECONDS}`).toString('base64'),
      new_certificate: null,
      quality_score: { score: 'GREEN', date: NOW_SECONDS, reasons: [] },
      code_verification_status: 'VERIFIED',
      is_official_business_account: false,
      is_pin_enabled: true,
      pin_hash: null,
      messaging_limit_tier: 'TIER_1K',
      eligibility_for_api_business_global_search: 'NON_ELIGIBLE_UNDEFINED_COUNTRY',
      search_visibility: 'VISIBLE',
      platform_type: 'CLOUD_API',
      throughput_level: 'STANDARD',
      webhook_override: null,
      is_preverified_number: false,
      is_on_biz_app: false,
      whatsapp_business_manager_messaging_limit: 'UNTIERED',
      last_onboarded_time: NOW.toISOString(),
      created_time: NOW.toISOString(),
    } satisfies PhoneNumberRecord);
  });

  it('fills app, business, WABA and token defaults', () => {
    const state = normalize({
      version: 1,
      seed: 9,
      apps: [{ id: '1000000000000001', webhook: { url: 'http://127.0.0.1:9000/hook', verify_token: 'vt' } }],
      businesses: [{ id: '2000000000000001', wabas: [{ id: '3000000000000001' }] }],
      tokens: [{ sha256: 'a'.repeat(64), app: '1000000000000001', expires_at: '2027-01-01T00:00:00+01:00' }],
    });
    assert.deepEqual(state.apps, [
      {
        id: '1000000000000001',
        name: 'App 1000000000000001',
        secret: 'phonegraph-secret-1000000000000001',
        appsecret_proof_required: false,
        api_version: null,
        wabas: '*',
        rate_limit: null,
        webhook: {
          url: 'http://127.0.0.1:9000/hook',
          verify_token: 'vt',
          fields: [
            'account_update',
            'phone_number_name_update',
            'phone_number_quality_update',
            'account_review_update',
          ],
          state: 'pending_verification',
        },
      },
    ]);
    assert.deepEqual(state.businesses, [{ id: '2000000000000001', name: 'Business 2000000000000001' }]);
    const [waba] = state.wabas;
    assert.ok(waba);
    assert.match(
      waba.message_template_namespace,
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    assert.deepEqual(waba, {
      id: '3000000000000001',
      business_id: '2000000000000001',
      name: 'WABA 3000000000000001',
      timezone_id: '1',
      currency: 'USD',
      message_template_namespace: waba.message_template_namespace,
      banned: false,
      rate_limit: null,
      account_review_status: 'APPROVED',
      business_verification_status: 'verified',
      country: 'US',
      ownership_type: 'SELF',
    });
    assert.deepEqual(state.tokens, [
      {
        digest: 'a'.repeat(64),
        app_id: '1000000000000001',
        permissions: ['whatsapp_business_management', 'whatsapp_business_messaging'],
        wabas: '*',
        expires_at: '2026-12-31T23:00:00.000Z',
        revoked: false,
      },
    ]);
  });

  it('derives platform, PIN, verification and throughput from the status', () => {
    const state = normalize(
      numbersDoc(
        PHONE_NUMBER_STATUSES.map((status, i) => ({ verified_name: `N${i}`, status })),
        3,
      ),
    );
    for (const number of state.phone_numbers) {
      const registered = ['CONNECTED', 'FLAGGED', 'RESTRICTED', 'RATE_LIMITED'].includes(number.status);
      const unverified = ['PENDING', 'UNVERIFIED'].includes(number.status);
      assert.equal(number.platform_type, registered ? 'CLOUD_API' : 'NOT_APPLICABLE', number.status);
      assert.equal(number.is_pin_enabled, registered, number.status);
      assert.equal(number.throughput_level, registered ? 'STANDARD' : 'NOT_APPLICABLE', number.status);
      assert.equal(number.code_verification_status, unverified ? 'NOT_VERIFIED' : 'VERIFIED', number.status);
    }
  });

  it('orders created_time by file order and keeps given times', () => {
    const state = normalize(
      numbersDoc(
        [
          { verified_name: 'A' },
          {
            verified_name: 'B',
            created_time: '2025-01-01T00:00:00Z',
            last_onboarded_time: '2025-02-01T00:00:00Z',
          },
          { verified_name: 'C' },
        ],
        3,
      ),
    );
    assert.deepEqual(
      state.phone_numbers.map((n) => [n.created_time, n.last_onboarded_time]),
      [
        ['2026-04-01T12:00:00.000Z', '2026-04-01T12:00:00.000Z'],
        ['2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z'],
        ['2026-04-01T12:00:00.002Z', '2026-04-01T12:00:00.000Z'],
      ],
    );
  });

  it('maps quality_rating UNKNOWN to score UNKNOWN and keeps given quality', () => {
    const state = normalize(
      numbersDoc(
        [
          { verified_name: 'A', quality_rating: 'UNKNOWN' },
          { verified_name: 'B', quality_score: { score: 'RED', date: 17, reasons: ['spam'] } },
          { verified_name: 'C', throughput: { level: 'HIGH' } },
        ],
        3,
      ),
    );
    assert.deepEqual(
      state.phone_numbers.map((n) => n.quality_score),
      [
        { score: 'UNKNOWN', date: NOW_SECONDS, reasons: [] },
        { score: 'RED', date: 17, reasons: ['spam'] },
        { score: 'GREEN', date: NOW_SECONDS, reasons: [] },
      ],
    );
    assert.equal(state.phone_numbers[2]?.throughput_level, 'HIGH');
  });

  it('turns a number-level webhook configuration into a pending override', () => {
    const number = only(
      normalize(
        numbersDoc(
          [
            {
              verified_name: 'A',
              webhook_configuration: { override_callback_uri: 'https://example.test/n', verify_token: 'v' },
            },
          ],
          3,
        ),
      ),
    );
    assert.deepEqual(number.webhook_override, {
      url: 'https://example.test/n',
      verify_token: 'v',
      state: 'pending_verification',
    });
  });

  it('generates display numbers from the id, avoiding given ones', () => {
    const state = normalize(
      numbersDoc([
        { id: '400000000012345', verified_name: 'A' },
        { verified_name: 'B', display_phone_number: '+1 555-011-2346' },
        { id: '400000000112345', verified_name: 'C' },
      ]),
    );
    assert.deepEqual(
      state.phone_numbers.map((n) => n.display_phone_number),
      ['+1 555-011-2345', '+1 555-011-2346', '+1 555-011-2347'],
    );
  });
});

describe('normalizeScenario: certificates', () => {
  it('issues certificates for approved names only', () => {
    const issued: IssuedCertificate[] = [];
    const state = normalize(
      numbersDoc(
        [
          ...NAME_STATUSES.map((name_status, i) => ({
            display_phone_number: `+1 555-010-000${i}`,
            verified_name: `Name ${name_status}`,
            name_status,
          })),
          {
            display_phone_number: '+1 555-010-0100',
            verified_name: 'Old',
            name_status: 'APPROVED',
            certificate: 'R0lWRU4=',
            new_name_status: 'APPROVED',
            requested_verified_name: 'New',
          },
          {
            display_phone_number: '+1 555-010-0101',
            verified_name: 'Old2',
            name_status: 'DECLINED',
            new_name_status: 'PENDING_REVIEW',
            requested_verified_name: 'New2',
          },
          {
            display_phone_number: '+1 555-010-0102',
            verified_name: 'Old3',
            name_status: 'DECLINED',
            new_name_status: 'APPROVED',
          },
        ],
        5,
      ),
      issued,
    );
    assert.deepEqual(issued, [
      { phoneNumber: '+1 555-010-0000', name: 'Name APPROVED', issuedAt: NOW_SECONDS },
      { phoneNumber: '+1 555-010-0001', name: 'Name AVAILABLE_WITHOUT_REVIEW', issuedAt: NOW_SECONDS },
      { phoneNumber: '+1 555-010-0100', name: 'New', issuedAt: NOW_SECONDS },
    ]);
    assert.deepEqual(
      state.phone_numbers.map((n) => [n.certificate !== null, n.new_certificate !== null]),
      [
        [true, false],
        [true, false],
        [false, false],
        [false, false],
        [false, false],
        [false, false],
        [true, true],
        [false, false],
        [false, false],
      ],
    );
    assert.equal(state.phone_numbers[6]?.certificate, 'R0lWRU4=');
    assert.equal(state.phone_numbers[7]?.new_name_status, 'PENDING_REVIEW');
  });

  it('defaults new_name_status to PENDING_REVIEW when a new name is requested', () => {
    const number = only(normalize(numbersDoc([{ verified_name: 'A', requested_verified_name: 'B' }], 5)));
    assert.equal(number.new_name_status, 'PENDING_REVIEW');
    assert.equal(number.requested_verified_name, 'B');
    assert.equal(number.new_certificate, null);
  });
});

describe('normalizeScenario: generated values', () => {
  const sparse = (seed?: number): ScenarioDocument => ({
    version: 1,
    ...(seed === undefined ? {} : { seed }),
    apps: [{}],
    businesses: [
      {
        wabas: [
          {
            phone_numbers: [
              { verified_name: 'A', qr_codes: [{ prefilled_message: 'one' }, { prefilled_message: 'two' }] },
              { verified_name: 'B' },
            ],
          },
          {},
        ],
      },
    ],
  });

  function generated(state: StateSnapshot): unknown {
    return {
      apps: state.apps.map((a) => a.id),
      businesses: state.businesses.map((b) => b.id),
      wabas: state.wabas.map((w) => [w.id, w.message_template_namespace]),
      numbers: state.phone_numbers.map((n) => [n.id, n.display_phone_number]),
      codes: state.qr_codes.map((qr) => qr.code),
    };
  }

  it('is deterministic for a seed and differs between seeds', () => {
    const first = generated(normalize(sparse(42)));
    assert.deepEqual(generated(normalize(sparse(42))), first);
    assert.notDeepEqual(generated(normalize(sparse(43))), first);
  });

  it('is random without a seed', () => {
    assert.notDeepEqual(generated(normalize(sparse())), generated(normalize(sparse())));
  });

  it('generates 15-digit ids, valid QR codes and no duplicates', () => {
    const state = normalize(sparse());
    const ids = [state.apps, state.businesses, state.wabas, state.phone_numbers].flat().map((x) => x.id);
    for (const id of ids) assert.match(id, /^[1-9]\d{14}$/);
    assert.equal(new Set(ids).size, ids.length);
    for (const qr of state.qr_codes) assert.match(qr.code, /^[A-Z2-7]{13}1$/);
    assert.deepEqual(
      state.qr_codes.map((qr) => [qr.prefilled_message, qr.position]),
      [
        ['one', 1],
        ['two', 2],
      ],
    );
  });

  it('never generates an id that the scenario gives', () => {
    const generatedAppId = normalize(sparse(42)).apps[0]?.id;
    assert.ok(generatedAppId);
    const doc = { ...sparse(42), businesses: [{ id: generatedAppId }] };
    const state = normalize(doc);
    assert.equal(state.businesses[0]?.id, generatedAppId);
    assert.notEqual(state.apps[0]?.id, generatedAppId);
  });

  it('never generates a QR code that the scenario gives', () => {
    const firstCode = normalize(sparse(42)).qr_codes[0]?.code;
    assert.ok(firstCode);
    const doc = numbersDoc(
      [
        { verified_name: 'A', qr_codes: [{ prefilled_message: 'one' }] },
        { verified_name: 'B', qr_codes: [{ code: firstCode, prefilled_message: 'given' }] },
      ],
      42,
    );
    const codes = normalize(doc).qr_codes.map((qr) => qr.code);
    assert.equal(new Set(codes).size, 2);
    assert.equal(codes[1], firstCode);
  });
});

describe('seededRandom', () => {
  it('repeats per seed and stream, and separates streams', () => {
    const draw = (seed: number, stream: string): string => randomDigits(seededRandom(seed, stream), 12);
    assert.equal(draw(42, 'otp'), draw(42, 'otp'));
    assert.notEqual(draw(42, 'otp'), draw(43, 'otp'));
    assert.notEqual(draw(42, 'otp'), draw(42, 'ids'));
    assert.notEqual(draw(2 ** 40, ''), draw(0, ''));
  });
});
