import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadScenarioFile, parseScenarioText } from './load-scenario-file.ts';
import { SCENARIO_JSON_SCHEMA } from './scenario-schema.ts';
import { ScenarioError, validateScenario } from './validate-scenario.ts';

const DEMO = fileURLToPath(new URL('../../../scenarios/demo.yaml', import.meta.url));

function errorOf(doc: unknown, file = 'test.yaml'): ScenarioError {
  try {
    validateScenario(doc, file);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `not a ScenarioError: ${String(error)}`);
    return error;
  }
  assert.fail('expected the scenario to be refused');
}

function messageOf(doc: unknown): string {
  return errorOf(doc).message;
}

/** A valid document with one app, one business, one WABA and one number, to mutate in tests. */
function base(): Record<string, unknown> {
  return {
    version: 1,
    apps: [{ id: '1000000000000001', wabas: ['3000000000000001'] }],
    businesses: [
      {
        id: '2000000000000001',
        wabas: [
          {
            id: '3000000000000001',
            phone_numbers: [
              { id: '400000000000101', display_phone_number: '+1 555-010-0001', verified_name: 'Acme' },
            ],
          },
          { id: '3000000000000002' },
        ],
      },
    ],
    tokens: [{ value: 'EAAG-test', app: '1000000000000001' }],
  };
}

function withNumber(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    version: 1,
    businesses: [{ wabas: [{ phone_numbers: [{ verified_name: 'Acme', ...fields }] }] }],
  };
}

const NUMBER_PATH = 'businesses[0].wabas[0].phone_numbers[0]';

describe('validateScenario: the demo scenario', () => {
  it('loads and validates', async () => {
    const doc = await loadScenarioFile(DEMO);
    assert.equal(doc.version, 1);
    assert.equal(doc.seed, 42);
    assert.equal(doc.businesses?.length, 2);
    const wabas = doc.businesses?.flatMap((b) => b.wabas ?? []) ?? [];
    assert.equal(wabas.length, 3);
    assert.equal(wabas.flatMap((w) => w.phone_numbers ?? []).length, 12);
    assert.equal(doc.apps?.length, 2);
    assert.equal(doc.tokens?.length, 2);
  });

  it('accepts a minimal document and a minimal number', () => {
    assert.deepEqual(validateScenario({ version: 1 }, 'x.yaml'), { version: 1 });
    validateScenario(withNumber({}), 'x.yaml');
    validateScenario(base(), 'x.yaml');
  });
});

describe('validateScenario: exact messages', () => {
  it('names an unknown key', () => {
    assert.equal(
      messageOf({ version: 1, colour: 'red' }),
      'test.yaml: colour: expected a known key (one of version, seed, apps, businesses, tokens)',
    );
    assert.match(
      messageOf(withNumber({ waba_id: '3000000000000001' })),
      /^test\.yaml: businesses\[0\]\.wabas\[0\]\.phone_numbers\[0\]\.waba_id: expected a known key \(one of id, /,
    );
    assert.match(
      messageOf(withNumber({ health_status: {} })),
      /phone_numbers\[0\]\.health_status: expected a known key/,
    );
  });

  it('quotes keys that are not identifiers', () => {
    assert.match(messageOf({ version: 1, 'my key': 1 }), /^test\.yaml: \$\["my key"\]: expected a known key/);
  });

  it('lists every allowed value of a bad enum', () => {
    assert.equal(
      messageOf(withNumber({ status: 'ONLINE' })),
      `test.yaml: ${NUMBER_PATH}.status: expected one of PENDING, DELETED, MIGRATED, BANNED, RESTRICTED, ` +
        'RATE_LIMITED, FLAGGED, CONNECTED, DISCONNECTED, UNKNOWN, UNVERIFIED',
    );
    assert.equal(
      messageOf(withNumber({ quality: { score: 'BLUE' } })),
      `test.yaml: ${NUMBER_PATH}.quality.score: expected one of GREEN, YELLOW, RED, UNKNOWN`,
    );
  });

  it('refuses token WABAs outside the app', () => {
    const doc = base();
    doc['tokens'] = [{ value: 'EAAG-test', app: '1000000000000001', wabas: ['3000000000000002'] }];
    assert.equal(
      messageOf(doc),
      'test.yaml: tokens[0].wabas[0]: expected a WABA app 1000000000000001 is installed on (one of 3000000000000001)',
    );
  });

  it('refuses token WABAs that do not exist, even when the app has "*"', () => {
    const doc = base();
    doc['apps'] = [{ id: '1000000000000001' }];
    doc['tokens'] = [{ value: 'EAAG-test', app: '1000000000000001', wabas: ['3000000000000009'] }];
    assert.equal(
      messageOf(doc),
      'test.yaml: tokens[0].wabas[0]: expected a WABA app 1000000000000001 is installed on ' +
        '(one of 3000000000000001, 3000000000000002)',
    );
  });

  it('refuses a token of an unknown app', () => {
    const doc = base();
    doc['tokens'] = [{ value: 'EAAG-test', app: '1000000000000009' }];
    assert.equal(
      messageOf(doc),
      'test.yaml: tokens[0].app: expected the id of an app in this scenario (one of 1000000000000001)',
    );
  });

  it('refuses app WABAs that do not exist', () => {
    const doc = base();
    doc['apps'] = [{ id: '1000000000000001', wabas: ['3000000000000001', '3000000000000005'] }];
    assert.equal(
      messageOf(doc),
      'test.yaml: apps[0].wabas[1]: expected the id of a WABA in this scenario (one of 3000000000000001, 3000000000000002)',
    );
  });

  it('refuses a duplicate id anywhere in the document', () => {
    const doc = base();
    doc['apps'] = [{ id: '3000000000000002' }];
    doc['tokens'] = [];
    assert.equal(
      messageOf(doc),
      'test.yaml: businesses[0].wabas[1].id: expected an id not used elsewhere in the scenario (already apps[0].id)',
    );
  });

  it('refuses a bad or missing version', () => {
    assert.equal(messageOf({ version: 2 }), 'test.yaml: version: expected 1');
    assert.equal(messageOf({ version: '1' }), 'test.yaml: version: expected 1');
    assert.equal(messageOf({ seed: 1 }), 'test.yaml: version: expected 1 (required)');
    assert.equal(messageOf([]), 'test.yaml: $: expected an object (a mapping of keys to values)');
  });

  it('names the file of a YAML syntax error', () => {
    assert.throws(() => parseScenarioText('version: 1\napps: [\n', 'broken.yaml'), {
      name: 'ScenarioError',
      message:
        'broken.yaml: $: expected valid YAML (Flow sequence in block collection must be sufficiently indented ' +
        'and end with a ] at line 3, column 1)',
    });
    assert.throws(() => parseScenarioText('version: 1\nversion: 1\n', 'dup.yml'), {
      message: 'dup.yml: $: expected valid YAML (Map keys must be unique at line 2, column 1)',
    });
    assert.throws(() => parseScenarioText('{"version": 1,}', 'x.json'), {
      message: /^x\.json: \$: expected valid JSON \(/,
    });
  });

  it('requires exactly one of value and sha256', () => {
    const doc = base();
    doc['tokens'] = [{ app: '1000000000000001' }];
    assert.equal(messageOf(doc), 'test.yaml: tokens[0]: expected exactly one of value or sha256');
    doc['tokens'] = [{ app: '1000000000000001', value: 'x', sha256: 'a'.repeat(64) }];
    assert.equal(messageOf(doc), 'test.yaml: tokens[0]: expected exactly one of value or sha256');
    doc['tokens'] = [{ app: '1000000000000001', sha256: 'A'.repeat(64) }];
    assert.equal(messageOf(doc), 'test.yaml: tokens[0].sha256: expected 64 lowercase hex digits');
  });

  it('refuses the same token twice', () => {
    const doc = base();
    doc['tokens'] = [
      { value: 'EAAG-test', app: '1000000000000001' },
      { value: 'EAAG-test', app: '1000000000000001', permissions: ['whatsapp_business_messaging'] },
    ];
    assert.equal(
      messageOf(doc),
      'test.yaml: tokens[1]: expected a token not listed before (same token as tokens[0])',
    );
  });

  it('checks permissions, expiry and api_version', () => {
    const doc = base();
    doc['tokens'] = [{ value: 'EAAG-test', app: '1000000000000001', permissions: ['ads_management'] }];
    assert.equal(
      messageOf(doc),
      'test.yaml: tokens[0].permissions[0]: expected one of whatsapp_business_management, whatsapp_business_messaging',
    );
    doc['tokens'] = [{ value: 'EAAG-test', app: '1000000000000001', expires_at: '2026-02-30T00:00:00Z' }];
    assert.equal(
      messageOf(doc),
      'test.yaml: tokens[0].expires_at: expected an ISO-8601 time such as 2026-01-15T10:00:00Z, or null',
    );
    doc['tokens'] = [];
    doc['apps'] = [{ api_version: 'v10.0' }];
    assert.match(
      messageOf(doc),
      /^test\.yaml: apps\[0\]\.api_version: expected one of v11\.0, v12\.0, .*v26\.0, or null$/,
    );
  });

  it('asks for ids as quoted numeric strings', () => {
    assert.equal(
      messageOf({ version: 1, apps: [{ id: 1000000000000001 }] }),
      'test.yaml: apps[0].id: expected a numeric string of 1-20 digits, in quotes',
    );
    assert.equal(
      messageOf(withNumber({ id: '4001' })),
      `test.yaml: ${NUMBER_PATH}.id: expected a numeric string of 15-16 digits`,
    );
  });

  it('checks quality aliases and quality_rating agreement', () => {
    validateScenario(withNumber({ quality: { score: 'UNKNOWN' }, quality_rating: 'UNKNOWN' }), 'x.yaml');
    validateScenario(
      withNumber({ quality_score: { score: 'RED', date: 1 }, quality_rating: 'RED' }),
      'x.yaml',
    );
    assert.equal(
      messageOf(withNumber({ quality: { score: 'UNKNOWN' }, quality_rating: 'GREEN' })),
      `test.yaml: ${NUMBER_PATH}.quality_rating: expected UNKNOWN (to agree with score UNKNOWN)`,
    );
    assert.equal(
      messageOf(withNumber({ quality: { score: 'RED' }, quality_score: { score: 'RED' } })),
      `test.yaml: ${NUMBER_PATH}.quality_score: expected no quality_score next to quality (they are aliases)`,
    );
  });

  it('checks throughput, webhook override and QR codes', () => {
    validateScenario(withNumber({ throughput: { level: 'HIGH' } }), 'x.yaml');
    assert.equal(
      messageOf(withNumber({ throughput: 'FAST' })),
      `test.yaml: ${NUMBER_PATH}.throughput: expected one of STANDARD, HIGH, NOT_APPLICABLE, or {level}`,
    );
    assert.equal(
      messageOf(
        withNumber({ webhook_configuration: { override_callback_uri: 'https://example.test/hook' } }),
      ),
      `test.yaml: ${NUMBER_PATH}.webhook_configuration.verify_token: expected a non-empty string (required)`,
    );
    assert.equal(
      messageOf(withNumber({ qr_codes: [{ code: '4O4YGZEG3RIVE2', prefilled_message: 'Hi' }] })),
      `test.yaml: ${NUMBER_PATH}.qr_codes[0].code: expected 14 characters of A-Z and 2-7 ending in 1`,
    );
    // 140 code points is fine even though the emoji take 280 UTF-16 units; 141 is not.
    validateScenario(withNumber({ qr_codes: [{ prefilled_message: '😀'.repeat(140) }] }), 'x.yaml');
    assert.equal(
      messageOf(withNumber({ qr_codes: [{ prefilled_message: 'a'.repeat(141) }] })),
      `test.yaml: ${NUMBER_PATH}.qr_codes[0].prefilled_message: expected a string of 1-140 characters`,
    );
    assert.equal(
      messageOf({
        version: 1,
        businesses: [
          {
            wabas: [
              {
                phone_numbers: [
                  { verified_name: 'A', qr_codes: [{ code: '4O4YGZEG3RIVE1', prefilled_message: 'a' }] },
                ],
              },
              {
                phone_numbers: [
                  { verified_name: 'B', qr_codes: [{ code: '4O4YGZEG3RIVE1', prefilled_message: 'b' }] },
                ],
              },
            ],
          },
        ],
      }),
      'test.yaml: businesses[0].wabas[1].phone_numbers[0].qr_codes[0].code: expected a QR code not used elsewhere ' +
        '(already businesses[0].wabas[0].phone_numbers[0].qr_codes[0].code)',
    );
  });

  it('refuses two numbers with the same digits', () => {
    const doc = {
      version: 1,
      businesses: [
        {
          wabas: [
            {
              phone_numbers: [
                { verified_name: 'A', display_phone_number: '+1 555-010-0001' },
                { verified_name: 'B', display_phone_number: '+1 (555) 010-0001' },
              ],
            },
          ],
        },
      ],
    };
    assert.equal(
      messageOf(doc),
      'test.yaml: businesses[0].wabas[0].phone_numbers[1].display_phone_number: expected a phone number not used ' +
        'by another number (already businesses[0].wabas[0].phone_numbers[0].display_phone_number)',
    );
  });

  it('refuses limits that are not positive integers', () => {
    assert.equal(
      messageOf({ version: 1, apps: [{ rate_limit: { per_hour: 0 } }] }),
      'test.yaml: apps[0].rate_limit.per_hour: expected a positive integer',
    );
  });
});

describe('loadScenarioFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phonegraph-scenario-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads JSON, YAML and unknown extensions', async () => {
    await writeFile(join(dir, 'a.json'), '{"version": 1, "seed": 3}');
    await writeFile(join(dir, 'b.yml'), 'version: 1\nseed: 4\n');
    await writeFile(join(dir, 'c.txt'), 'version: 1\nseed: 5\n');
    assert.equal((await loadScenarioFile(join(dir, 'a.json'))).seed, 3);
    assert.equal((await loadScenarioFile(join(dir, 'b.yml'))).seed, 4);
    assert.equal((await loadScenarioFile(join(dir, 'c.txt'))).seed, 5);
  });

  it('reports the file in validation and read errors', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'version: 1\nbusinesses:\n  - wabas:\n      - phone_numbers:\n          - { verified_name: A, status: ON }\n',
    );
    await assert.rejects(loadScenarioFile(file), {
      message: `${file}: businesses[0].wabas[0].phone_numbers[0].status: expected one of PENDING, DELETED, MIGRATED, BANNED, RESTRICTED, RATE_LIMITED, FLAGGED, CONNECTED, DISCONNECTED, UNKNOWN, UNVERIFIED`,
    });
    const missing = join(dir, 'missing.yaml');
    await assert.rejects(loadScenarioFile(missing), (error: unknown) => {
      assert.ok(error instanceof ScenarioError);
      assert.equal(error.file, missing);
      assert.equal(error.path, '$');
      assert.match(error.expected, /^a readable file \(ENOENT/);
      return true;
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// The schema is the validator: what `phonegraph scenario schema` prints is what the server enforces.

function validatorAccepts(doc: unknown): boolean {
  try {
    validateScenario(doc, 'x');
    return true;
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    return false;
  }
}

describe('SCENARIO_JSON_SCHEMA', () => {
  it('is a valid draft 2020-12 schema with enum values from the contract', () => {
    assert.equal(SCENARIO_JSON_SCHEMA['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: false });
    assert.equal(ajv.validateSchema(SCENARIO_JSON_SCHEMA), true, JSON.stringify(ajv.errors));
    const text = JSON.stringify(SCENARIO_JSON_SCHEMA);
    for (const value of ['RATE_LIMITED', 'AVAILABLE_WITHOUT_REVIEW', 'TIER_UNLIMITED', 'UNTIERED', 'v26.0']) {
      assert.ok(text.includes(`"${value}"`), value);
    }
  });

  it('accepts and refuses samples', async () => {
    const demo = await loadScenarioFile(DEMO);
    const samples: [unknown, boolean][] = [
      [demo, true],
      [base(), true],
      [{ version: 1 }, true],
      [{ version: 1, seed: null }, true],
      [withNumber({}), true],
      [withNumber({ throughput: { level: 'HIGH' } }), true],
      [withNumber({ quality_score: { score: 'RED', date: 5, reasons: ['x'] } }), true],
      [withNumber({ certificate: 'AAAA', webhook_configuration: null, requested_verified_name: null }), true],
      [withNumber({ qr_codes: [{ code: '4O4YGZEG3RIVE1', prefilled_message: 'é'.repeat(140) }] }), true],
      [
        withNumber({ pin: '123456', business_profile: { about: 'a', websites: ['https://a.example'] } }),
        true,
      ],
      [
        withNumber({ pin: '123456', pin_hash: `scrypt$16384$8$1$${'a'.repeat(22)}$${'b'.repeat(43)}` }),
        false,
      ],
      [withNumber({ pin: '12345' }), false],
      [withNumber({ business_profile: { vertical: 'NOPE' } }), false],
      [withNumber({ business_profile: { about: 'a'.repeat(140) } }), false],
      [
        {
          version: 1,
          apps: [
            { wabas: '*', rate_limit: { per_hour: 5 }, webhook: { url: 'http://h/x', verify_token: 't' } },
          ],
        },
        true,
      ],
      [{ version: 2 }, false],
      [{}, false],
      [{ version: 1, seed: -1 }, false],
      [{ version: 1, extra: true }, false],
      [withNumber({ status: 'ONLINE' }), false],
      [withNumber({ waba_id: '1' }), false],
      [withNumber({ id: 400000000000101 }), false],
      [withNumber({ id: '4001' }), false],
      [withNumber({ verified_name: '' }), false],
      [withNumber({ throughput: { level: 'HIGH', extra: 1 } }), false],
      [withNumber({ quality: { score: 'RED' }, quality_score: { score: 'RED' } }), false],
      [withNumber({ quality: { date: 5 } }), false],
      [withNumber({ certificate: 'not base64!' }), false],
      [withNumber({ last_onboarded_time: '2026-01-15' }), false],
      [withNumber({ qr_codes: [{ prefilled_message: '' }] }), false],
      [withNumber({ qr_codes: [{ prefilled_message: 'a'.repeat(141) }] }), false],
      [withNumber({ webhook_configuration: { override_callback_uri: 'ftp://x', verify_token: 't' } }), false],
      [{ version: 1, apps: [{ rate_limit: { per_hour: 1.5 } }] }, false],
      [{ version: 1, apps: [{ wabas: ['1', '1'] }] }, false],
      [{ version: 1, tokens: [{ app: '1' }] }, false],
      [{ version: 1, tokens: [{ app: '1', value: 'a b' }] }, false],
    ];
    for (const [doc, valid] of samples) {
      assert.equal(validatorAccepts(doc), valid, JSON.stringify(doc).slice(0, 160));
    }
  });
});
