/**
 * The `fields` parameter of the phone-number node over HTTP (graph-api.md §3-§4, phone-number.md §2-§3):
 * the field table by version, defaults per version, output keys, subfields, health_status, syntax errors
 * and the order of checks. Every body is compared whole, in its wire encoding.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE, INVALID_PARAMETER, fillTemplate } from '../src/contract/errors.ts';
import { NODE_TYPES, PHONE_NUMBER_FIELDS, type PhoneNumberFieldName } from '../src/contract/phone-number.ts';
import { NATIVE_VERSIONS, versionIndex, type GraphVersion } from '../src/contract/versions.ts';
import { graphApp, ID, TRACE_ID, type TestApp } from './helpers/graph-app.ts';

let app: TestApp;
before(async () => {
  app = await graphApp();
});
after(async () => {
  await app.close();
});

const NEWEST = NATIVE_VERSIONS[NATIVE_VERSIONS.length - 1] as GraphVersion;

/** `version` null is the unversioned path; `fields` undefined sends no `fields` parameter at all. */
function url(version: string | null, id: string, fields?: string): string {
  const path = version === null ? `/${id}` : `/${version}/${id}`;
  const query = fields === undefined ? '' : `fields=${encodeURIComponent(fields)}&`;
  return `${path}?${query}access_token=T-ALL`;
}

interface Expected {
  readonly status: number;
  readonly body: string;
  /** `facebook-api-version` the response must carry. */
  readonly version: string;
}

async function expectResponse(requestUrl: string, expected: Expected): Promise<void> {
  const res = await app.get(requestUrl);
  assert.equal(res.body, expected.body, requestUrl);
  assert.equal(res.statusCode, expected.status, requestUrl);
  assert.equal(res.headers['facebook-api-version'], expected.version, requestUrl);
}

/** An OAuthException envelope; `message` is given in its wire form (quotes as `\"`, non-ASCII as `\uXXXX`). */
function errorBody(code: number, message: string): string {
  return `{"error":{"message":"${message}","type":"OAuthException","code":${code},"fbtrace_id":"${TRACE_ID}"}}`;
}

function nonexisting(field: string): string {
  return errorBody(
    ERROR_CATALOGUE.nonexistingField.code,
    fillTemplate(ERROR_CATALOGUE.nonexistingField.message, { field, nodeType: NODE_TYPES.phoneNumber }),
  );
}

function invalidParameter(
  detail: keyof typeof INVALID_PARAMETER,
  values: Record<string, string | number>,
): string {
  return errorBody(
    ERROR_CATALOGUE.invalidParameter.code,
    fillTemplate(ERROR_CATALOGUE.invalidParameter.message, {
      detail: fillTemplate(INVALID_PARAMETER[detail], values),
    }),
  );
}

// health_status of the four fixture numbers (phone-number.md §3), APP = T-ALL's app 1100000000000001.
const HEALTH_CONNECTED =
  '{"can_send_message":"AVAILABLE","entities":[' +
  '{"entity_type":"PHONE_NUMBER","id":"410000000000001","can_send_message":"AVAILABLE"},' +
  '{"entity_type":"WABA","id":"3100000000000001","can_send_message":"AVAILABLE"},' +
  '{"entity_type":"BUSINESS","id":"2100000000000001","can_send_message":"AVAILABLE"},' +
  '{"entity_type":"APP","id":"1100000000000001","can_send_message":"AVAILABLE"}]}';
const HEALTH_FLAGGED =
  '{"can_send_message":"LIMITED","entities":[' +
  '{"entity_type":"PHONE_NUMBER","id":"410000000000002","can_send_message":"LIMITED","additional_info":' +
  `["The phone number's quality rating is low. Improve message quality to avoid a lower messaging limit."]},` +
  '{"entity_type":"WABA","id":"3100000000000001","can_send_message":"AVAILABLE"},' +
  '{"entity_type":"BUSINESS","id":"2100000000000001","can_send_message":"AVAILABLE"},' +
  '{"entity_type":"APP","id":"1100000000000001","can_send_message":"AVAILABLE"}]}';
const HEALTH_PENDING =
  '{"can_send_message":"BLOCKED","entities":[' +
  '{"entity_type":"PHONE_NUMBER","id":"410000000000003","can_send_message":"BLOCKED","errors":' +
  '[{"error_code":141000,"error_description":"The phone number is not registered.",' +
  '"possible_solution":"Register the phone number with Cloud API."}]},' +
  '{"entity_type":"WABA","id":"3100000000000001","can_send_message":"AVAILABLE"},' +
  '{"entity_type":"BUSINESS","id":"2100000000000001","can_send_message":"AVAILABLE"},' +
  '{"entity_type":"APP","id":"1100000000000001","can_send_message":"AVAILABLE"}]}';
const HEALTH_BANNED =
  '{"can_send_message":"BLOCKED","entities":[' +
  '{"entity_type":"PHONE_NUMBER","id":"410000000000004","can_send_message":"BLOCKED","errors":' +
  '[{"error_code":141002,"error_description":"The phone number is banned.",' +
  '"possible_solution":"Request a review of the decision in WhatsApp Manager."}]},' +
  '{"entity_type":"WABA","id":"3100000000000002","can_send_message":"BLOCKED"},' +
  '{"entity_type":"BUSINESS","id":"2100000000000001","can_send_message":"BLOCKED"},' +
  '{"entity_type":"APP","id":"1100000000000001","can_send_message":"AVAILABLE"}]}';

/**
 * One fixture value per row of the field table, in wire form: the number it is read from and its JSON.
 * Typed by field name, so a row added to the table without a sample here fails the type check (and the
 * test below at run time).
 */
const SAMPLES: Readonly<Record<PhoneNumberFieldName, { readonly number: string; readonly json: string }>> = {
  id: { number: ID.connected, json: '"410000000000001"' },
  display_phone_number: { number: ID.connected, json: '"+1 555-020-0001"' },
  verified_name: { number: ID.connected, json: '"Support Line"' },
  account_mode: { number: ID.connected, json: '"LIVE"' },
  certificate: { number: ID.connected, json: '"Q0VSVElGSUNBVEUtT05F"' },
  new_certificate: { number: ID.flagged, json: '"TkVXLUNFUlQ="' },
  name_status: { number: ID.connected, json: '"APPROVED"' },
  new_name_status: { number: ID.connected, json: '"NONE"' },
  quality_score: { number: ID.connected, json: '{"score":"GREEN","date":1732400000,"reasons":[]}' },
  status: { number: ID.connected, json: '"CONNECTED"' },
  code_verification_status: { number: ID.connected, json: '"VERIFIED"' },
  quality_rating: { number: ID.connected, json: '"GREEN"' },
  is_official_business_account: { number: ID.connected, json: 'false' },
  is_pin_enabled: { number: ID.connected, json: 'true' },
  messaging_limit_tier: { number: ID.connected, json: '"TIER_1K"' },
  eligibility_for_api_business_global_search: {
    number: ID.connected,
    json: '"NON_ELIGIBLE_UNDEFINED_COUNTRY"',
  },
  search_visibility: { number: ID.connected, json: '"VISIBLE"' },
  platform_type: { number: ID.connected, json: '"CLOUD_API"' },
  throughput: { number: ID.connected, json: '{"level":"HIGH"}' },
  webhook_configuration: {
    number: ID.connected,
    json: String.raw`{"application":"http:\/\/127.0.0.1:9\/hook"}`,
  },
  is_preverified_number: { number: ID.connected, json: 'false' },
  health_status: { number: ID.connected, json: HEALTH_CONNECTED },
  last_onboarded_time: { number: ID.connected, json: '"2026-11-24T12:00:00+0000"' },
  is_on_biz_app: { number: ID.connected, json: 'false' },
  whatsapp_business_manager_messaging_limit: { number: ID.connected, json: '"UNTIERED"' },
  new_display_name: { number: ID.flagged, json: '"Cafe Two"' },
};

function neighbour(version: GraphVersion, step: -1 | 1): GraphVersion | undefined {
  return NATIVE_VERSIONS[versionIndex(version) + step];
}

describe('the field table, every field on its first and last version', () => {
  for (const spec of PHONE_NUMBER_FIELDS) {
    const last = spec.until ?? NEWEST;
    const previous = neighbour(spec.since, -1);
    const next = spec.until === undefined ? undefined : neighbour(spec.until, 1);
    const refused = [previous, next].filter((v): v is GraphVersion => v !== undefined);
    const title =
      `serves ${spec.name} on ${spec.since} and ${last}` +
      (refused.length === 0 ? '' : ` and refuses it on ${refused.join(' and ')}`);
    it(title, async () => {
      const sample = SAMPLES[spec.name];
      assert.ok(sample !== undefined, `no fixture sample for table row ${spec.name}`);
      const body =
        spec.name === 'id'
          ? `{"id":${sample.json}}`
          : `{"${spec.name}":${sample.json},"id":"${sample.number}"}`;
      for (const version of new Set([spec.since, last])) {
        await expectResponse(url(version, sample.number, spec.name), { status: 200, body, version });
      }
      for (const version of refused) {
        await expectResponse(url(version, sample.number, spec.name), {
          status: 400,
          body: nonexisting(spec.name),
          version,
        });
      }
    });
  }

  it('answers a field outside its versions with the exact nonexisting-field envelope', async () => {
    const res = await app.get(url('v13.0', ID.connected, 'platform_type'));
    assert.equal(res.statusCode, 400);
    assert.equal(
      res.body,
      '{"error":{"message":"(#100) Tried accessing nonexisting field (platform_type) on node type (WhatsAppBusinessPhoneNumber)","type":"OAuthException","code":100,"fbtrace_id":"TRACEtrace0123456789-_x"}}',
    );
  });

  it('serves search_visibility on v20.0 and refuses it on v21.0', async () => {
    await expectResponse(url('v20.0', ID.connected, 'search_visibility'), {
      status: 200,
      body: '{"search_visibility":"VISIBLE","id":"410000000000001"}',
      version: 'v20.0',
    });
    await expectResponse(url('v21.0', ID.connected, 'search_visibility'), {
      status: 400,
      body: nonexisting('search_visibility'),
      version: 'v21.0',
    });
  });

  it('omits certificate and new_certificate of a number without an approved name', async () => {
    for (const version of ['v11.0', NEWEST]) {
      for (const field of ['certificate', 'new_certificate']) {
        await expectResponse(url(version, ID.pending, field), {
          status: 200,
          body: '{"id":"410000000000003"}',
          version,
        });
      }
      await expectResponse(url(version, ID.pending, 'certificate,new_certificate,name_status'), {
        status: 200,
        body: '{"name_status":"PENDING_REVIEW","id":"410000000000003"}',
        version,
      });
    }
  });

  it('omits new_certificate when no new name was requested', async () => {
    await expectResponse(url(NEWEST, ID.connected, 'new_certificate,new_name_status'), {
      status: 200,
      body: '{"new_name_status":"NONE","id":"410000000000001"}',
      version: NEWEST,
    });
  });

  it('serves every v26.0 field of the connected number with its fixture value, in table order', async () => {
    const names = PHONE_NUMBER_FIELDS.filter(
      (spec) =>
        versionIndex(spec.since) <= versionIndex('v26.0') &&
        (spec.until === undefined || versionIndex(spec.until) >= versionIndex('v26.0')),
    ).map((spec) => spec.name);
    await expectResponse(url('v26.0', ID.connected, names.join(',')), {
      status: 200,
      body:
        '{"id":"410000000000001","display_phone_number":"+1 555-020-0001","verified_name":"Support Line",' +
        '"account_mode":"LIVE","certificate":"Q0VSVElGSUNBVEUtT05F","name_status":"APPROVED",' +
        '"new_name_status":"NONE","quality_score":{"score":"GREEN","date":1732400000,"reasons":[]},' +
        '"status":"CONNECTED","code_verification_status":"VERIFIED","quality_rating":"GREEN",' +
        '"is_official_business_account":false,"is_pin_enabled":true,"messaging_limit_tier":"TIER_1K",' +
        '"eligibility_for_api_business_global_search":"NON_ELIGIBLE_UNDEFINED_COUNTRY",' +
        '"platform_type":"CLOUD_API","throughput":{"level":"HIGH"},' +
        String.raw`"webhook_configuration":{"application":"http:\/\/127.0.0.1:9\/hook"},` +
        `"is_preverified_number":false,"health_status":${HEALTH_CONNECTED},"last_onboarded_time":"2026-11-24T12:00:00+0000","is_on_biz_app":false,` +
        '"whatsapp_business_manager_messaging_limit":"UNTIERED"}',
      version: 'v26.0',
    });
  });

  it('writes non-ASCII and slashes of field values escaped, with the number-level webhook override', async () => {
    await expectResponse(url('v21.0', ID.flagged, 'verified_name,webhook_configuration'), {
      status: 200,
      body: String.raw`{"verified_name":"Caf\u00e9 \/ Bar \ud83d\ude00","webhook_configuration":{"application":"http:\/\/127.0.0.1:9\/hook","phone_number":"http:\/\/127.0.0.1:9\/number-hook"},"id":"410000000000002"}`,
      version: 'v21.0',
    });
  });
});

describe('default fields per version', () => {
  const FIVE =
    '{"verified_name":"Support Line","code_verification_status":"VERIFIED",' +
    '"display_phone_number":"+1 555-020-0001","quality_rating":"GREEN","id":"410000000000001"}';
  const SEVEN =
    '{"verified_name":"Support Line","code_verification_status":"VERIFIED",' +
    '"display_phone_number":"+1 555-020-0001","quality_rating":"GREEN","platform_type":"CLOUD_API",' +
    '"throughput":{"level":"HIGH"},"id":"410000000000001"}';

  for (const [version, body, count] of [
    ['v11.0', FIVE, 5],
    ['v13.0', FIVE, 5],
    ['v14.0', SEVEN, 7],
    ['v26.0', SEVEN, 7],
  ] as const) {
    it(`serves the ${count} default keys on ${version} without fields and with an empty fields`, async () => {
      await expectResponse(url(version, ID.connected), { status: 200, body, version });
      await expectResponse(url(version, ID.connected, ''), { status: 200, body, version });
    });
  }

  it("serves an unversioned path as the app's default version v19.0", async () => {
    await expectResponse(url(null, ID.connected), { status: 200, body: SEVEN, version: 'v19.0' });
    await expectResponse(url(null, ID.connected, ''), { status: 200, body: SEVEN, version: 'v19.0' });
    await expectResponse(url(null, ID.connected, 'health_status{can_send_message}'), {
      status: 200,
      body: '{"health_status":{"can_send_message":"AVAILABLE"},"id":"410000000000001"}',
      version: 'v19.0',
    });
  });

  it('serves expired versions as v11.0 with its five defaults and its field table', async () => {
    for (const expired of ['v10.0', 'v2.5', 'v1.0']) {
      await expectResponse(url(expired, ID.connected), { status: 200, body: FIVE, version: 'v11.0' });
      await expectResponse(url(expired, ID.connected, 'platform_type'), {
        status: 400,
        body: nonexisting('platform_type'),
        version: 'v11.0',
      });
    }
  });
});

describe('output keys', () => {
  const ok = (fields: string, body: string) =>
    expectResponse(url('v21.0', ID.connected, fields), { status: 200, body, version: 'v21.0' });
  const refused = (fields: string, body: string) =>
    expectResponse(url('v21.0', ID.connected, fields), { status: 400, body, version: 'v21.0' });

  it('writes keys in requested order with id last when not requested', async () => {
    await ok(
      'status,verified_name,quality_rating',
      '{"status":"CONNECTED","verified_name":"Support Line","quality_rating":"GREEN","id":"410000000000001"}',
    );
  });

  it('keeps a requested id where it was requested', async () => {
    await ok('id,status', '{"id":"410000000000001","status":"CONNECTED"}');
    await ok(
      'status,id,verified_name',
      '{"status":"CONNECTED","id":"410000000000001","verified_name":"Support Line"}',
    );
  });

  it('collapses duplicate fields into one key', async () => {
    await ok('status,status', '{"status":"CONNECTED","id":"410000000000001"}');
    await ok('status,id,status,id', '{"status":"CONNECTED","id":"410000000000001"}');
  });

  it('renames a field with .as()', async () => {
    await ok('status.as(s)', '{"s":"CONNECTED","id":"410000000000001"}');
    await ok('status.as(status)', '{"status":"CONNECTED","id":"410000000000001"}');
    await ok(
      'quality_score.as(q){date,score}',
      '{"q":{"date":1732400000,"score":"GREEN"},"id":"410000000000001"}',
    );
  });

  it('counts id.as(x) as requesting id and adds no extra id', async () => {
    await ok('id.as(x)', '{"x":"410000000000001"}');
    await ok('status,id.as(x)', '{"status":"CONNECTED","x":"410000000000001"}');
  });

  it('allows whitespace around every token', async () => {
    await ok(
      ' status . as ( s ) ,\tverified_name\n',
      '{"s":"CONNECTED","verified_name":"Support Line","id":"410000000000001"}',
    );
  });

  it('refuses an alias that collides with another output key', async () => {
    await refused('status.as(s),verified_name.as(s)', invalidParameter('duplicateKey', { key: 's' }));
    await refused('status,verified_name.as(status)', invalidParameter('duplicateKey', { key: 'status' }));
    await refused(
      'status.as(verified_name),verified_name',
      invalidParameter('duplicateKey', { key: 'verified_name' }),
    );
    await refused('id,status.as(id)', invalidParameter('duplicateKey', { key: 'id' }));
    await refused('quality_score{score.as(date),date}', invalidParameter('duplicateKey', { key: 'date' }));
  });

  it('refuses status.as(id) as a duplicate key id, since id is always written', async () => {
    await refused('status.as(id)', invalidParameter('duplicateKey', { key: 'id' }));
  });

  it('writes the duplicate-key envelope exactly', async () => {
    await refused(
      'status.as(s),verified_name.as(s)',
      '{"error":{"message":"(#100) Duplicate output key s","type":"OAuthException","code":100,"fbtrace_id":"TRACEtrace0123456789-_x"}}',
    );
  });
});

describe('subfields', () => {
  const ok = (id: string, fields: string, body: string) =>
    expectResponse(url('v21.0', id, fields), { status: 200, body, version: 'v21.0' });

  it('selects subfields of quality_score in requested order', async () => {
    await ok(
      ID.connected,
      'quality_score{score}',
      '{"quality_score":{"score":"GREEN"},"id":"410000000000001"}',
    );
    await ok(
      ID.connected,
      'quality_score{date,score}',
      '{"quality_score":{"date":1732400000,"score":"GREEN"},"id":"410000000000001"}',
    );
    await ok(
      ID.flagged,
      'quality_score{reasons}',
      '{"quality_score":{"reasons":["Low quality"]},"id":"410000000000002"}',
    );
    await ok(
      ID.connected,
      'quality_score{score,score}',
      '{"quality_score":{"score":"GREEN"},"id":"410000000000001"}',
    );
  });

  it('selects throughput{level}', async () => {
    await ok(ID.connected, 'throughput{level}', '{"throughput":{"level":"HIGH"},"id":"410000000000001"}');
  });

  it('selects health_status subfields without adding id to plain objects', async () => {
    await ok(
      ID.connected,
      'health_status{can_send_message}',
      '{"health_status":{"can_send_message":"AVAILABLE"},"id":"410000000000001"}',
    );
    await ok(
      ID.banned,
      'health_status{entities{entity_type,can_send_message}}',
      '{"health_status":{"entities":[{"entity_type":"PHONE_NUMBER","can_send_message":"BLOCKED"},' +
        '{"entity_type":"WABA","can_send_message":"BLOCKED"},{"entity_type":"BUSINESS","can_send_message":"BLOCKED"},' +
        '{"entity_type":"APP","can_send_message":"AVAILABLE"}]},"id":"410000000000004"}',
    );
  });

  it('selects health_status errors of the banned number, leaving entities without errors empty', async () => {
    await ok(
      ID.banned,
      'health_status{entities{errors{error_code}}}',
      '{"health_status":{"entities":[{"errors":[{"error_code":141002}]},{},{},{}]},"id":"410000000000004"}',
    );
  });

  it('refuses an unknown subfield and subfields on a scalar as nonexisting fields of the node', async () => {
    for (const fields of [
      'quality_score{x}',
      'status{x}',
      'health_status{entities{x}}',
      'throughput{level{x}}',
    ]) {
      await expectResponse(url('v21.0', ID.connected, fields), {
        status: 400,
        body: '{"error":{"message":"(#100) Tried accessing nonexisting field (x) on node type (WhatsAppBusinessPhoneNumber)","type":"OAuthException","code":100,"fbtrace_id":"TRACEtrace0123456789-_x"}}',
        version: 'v21.0',
      });
    }
  });
});

describe('health_status derivation', () => {
  for (const [status, id, health] of [
    ['CONNECTED', ID.connected, HEALTH_CONNECTED],
    ['FLAGGED', ID.flagged, HEALTH_FLAGGED],
    ['PENDING', ID.pending, HEALTH_PENDING],
    ['BANNED', ID.banned, HEALTH_BANNED],
  ] as const) {
    it(`derives health_status of a ${status} number`, async () => {
      await expectResponse(url('v21.0', id, 'status,health_status'), {
        status: 200,
        body: `{"status":"${status}","health_status":${health},"id":"${id}"}`,
        version: 'v21.0',
      });
    });
  }
});

describe('fields syntax errors', () => {
  /** [fields value, message as it appears on the wire]. */
  const CASES: readonly (readonly [string, string])[] = [
    // The five captured Graph examples (graph-api.md §4).
    [
      'status}',
      String.raw`Syntax error \"Expected end of string instead of \"}\".\" at character 6: status}`,
    ],
    ['a,,b', String.raw`Syntax error \"Expected name.\" at character 2: a,,b`],
    [
      'statusfields(x)',
      String.raw`Syntax error \"Expected end of string instead of \"(\".\" at character 12: statusfields(x)`,
    ],
    [
      'status.id,x',
      String.raw`Syntax error \"Expected \"(\" instead of \",\".\" at character 9: status.id,x`,
    ],
    [
      'status.as(x',
      String.raw`Syntax error \"Expected \")\", got end of string\" at character 11: status.as(x`,
    ],
    // Each parser state of the §4 table.
    [',status', String.raw`Syntax error \"Expected name.\" at character 0: ,status`],
    ['status,', String.raw`Syntax error \"Expected name.\" at character 7: status,`],
    ['1status', String.raw`Syntax error \"Expected name.\" at character 0: 1status`],
    ['status{', String.raw`Syntax error \"Expected name.\" at character 7: status{`],
    ['status{}', String.raw`Syntax error \"Expected name.\" at character 7: status{}`],
    ['status.', String.raw`Syntax error \"Expected name.\" at character 7: status.`],
    ['status.as', String.raw`Syntax error \"Expected \"(\", got end of string\" at character 9: status.as`],
    ['status.as(', String.raw`Syntax error \"Expected argument.\" at character 10: status.as(`],
    ['status.as()', String.raw`Syntax error \"Expected argument.\" at character 10: status.as()`],
    [
      'status.as(x]',
      String.raw`Syntax error \"Expected \")\" instead of \"]\".\" at character 11: status.as(x]`,
    ],
    [
      'status.as(x y)',
      String.raw`Syntax error \"Expected \")\" instead of \"y\".\" at character 12: status.as(x y)`,
    ],
    [
      'quality_score{score',
      String.raw`Syntax error \"Expected \"}\", got end of string\" at character 19: quality_score{score`,
    ],
    [
      'quality_score{score;date}',
      String.raw`Syntax error \"Expected \"}\" instead of \";\".\" at character 19: quality_score{score;date}`,
    ],
    [
      'quality_score{score}}',
      String.raw`Syntax error \"Expected end of string instead of \"}\".\" at character 20: quality_score{score}}`,
    ],
    [
      ' status }',
      String.raw`Syntax error \"Expected end of string instead of \"}\".\" at character 8:  status }`,
    ],
    // Non-ASCII: `{c}` is the character itself, written \uXXXX on the wire; indices in UTF-16 code units.
    [
      'status é',
      String.raw`Syntax error \"Expected end of string instead of \"\u00e9\".\" at character 7: status \u00e9`,
    ],
    ['status.as(é)', String.raw`Syntax error \"Expected argument.\" at character 10: status.as(\u00e9)`],
    [
      'status😀',
      String.raw`Syntax error \"Expected end of string instead of \"\ud83d\ude00\".\" at character 6: status\ud83d\ude00`,
    ],
  ];

  for (const [fields, message] of CASES) {
    it(`refuses ${JSON.stringify(fields)} with 2500 and the exact message`, async () => {
      await expectResponse(url('v21.0', ID.connected, fields), {
        status: 400,
        body: errorBody(2500, message),
        version: 'v21.0',
      });
    });
  }

  it('writes the captured syntax-error envelope exactly', async () => {
    const res = await app.get(url('v21.0', ID.connected, 'status}'));
    assert.equal(res.statusCode, 400);
    assert.equal(
      res.body,
      '{"error":{"message":"Syntax error \\"Expected end of string instead of \\"}\\".\\" at character 6: status}","type":"OAuthException","code":2500,"fbtrace_id":"TRACEtrace0123456789-_x"}}',
    );
  });

  it('keeps WWW-Authenticate ASCII-only for a non-ASCII syntax error', async () => {
    const res = await app.get(url('v21.0', ID.connected, 'status é'));
    const header = res.headers['www-authenticate'];
    assert.equal(typeof header, 'string');
    assert.match(header as string, /^[\x20-\x7e]*$/);
    assert.ok(
      (header as string).startsWith('OAuth "Facebook Platform" "invalid_request" "Syntax error '),
      header as string,
    );
  });
});

describe('order of checks', () => {
  const refused = (version: GraphVersion, fields: string, body: string) =>
    expectResponse(url(version, ID.connected, fields), { status: 400, body, version });

  it('reports a syntax error before a nonexisting field', async () => {
    await refused(
      'v21.0',
      'foo,status}',
      errorBody(
        2500,
        String.raw`Syntax error \"Expected end of string instead of \"}\".\" at character 10: foo,status}`,
      ),
    );
    await refused(
      'v13.0',
      'platform_type}',
      errorBody(
        2500,
        String.raw`Syntax error \"Expected end of string instead of \"}\".\" at character 13: platform_type}`,
      ),
    );
  });

  it('reports the first bad name in depth-first request order', async () => {
    await refused('v21.0', 'status,quality_score{score,y},zz', nonexisting('y'));
    await refused('v21.0', 'foo,quality_score{x}', nonexisting('foo'));
    await refused('v18.0', 'health_status{x}', nonexisting('health_status'));
  });

  it('reports a nonexisting field before an unknown modifier', async () => {
    await refused('v21.0', 'status.limit(2),foo', nonexisting('foo'));
  });

  it('refuses a modifier the field does not take', async () => {
    await refused(
      'v21.0',
      'status.limit(2)',
      '{"error":{"message":"(#100) Unknown modifier limit on field status","type":"OAuthException","code":100,"fbtrace_id":"TRACEtrace0123456789-_x"}}',
    );
    await refused(
      'v21.0',
      'status.format(PNG)',
      invalidParameter('unknownModifier', { name: 'format', field: 'status' }),
    );
    await refused(
      'v21.0',
      'quality_score{score.limit(1)}',
      invalidParameter('unknownModifier', { name: 'limit', field: 'score' }),
    );
    await refused(
      'v21.0',
      'status,status.limit(1)',
      invalidParameter('unknownModifier', { name: 'limit', field: 'status' }),
    );
  });

  it('refuses an unknown modifier inside the subfields of a collapsed duplicate', async () => {
    await refused(
      'v21.0',
      'quality_score,quality_score{score.limit(1)}',
      invalidParameter('unknownModifier', { name: 'limit', field: 'score' }),
    );
  });

  it('treats names case-sensitively: Status is a nonexisting field, not a syntax error', async () => {
    await refused('v21.0', 'Status', nonexisting('Status'));
    await refused(
      'v21.0',
      'status.AS(x)',
      invalidParameter('unknownModifier', { name: 'AS', field: 'status' }),
    );
  });
});
