// last_onboarded_time and date_format, metadata=1, quality_rating UNKNOWN, the WABA list's own defaults,
// and the WhatsApp error format inside batch items (graph-api.md §3, §6; phone-number.md §1-§2), over
// HTTP with whole bodies, status and headers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { etagOf } from '../src/graph/rendered-body.ts';
import { E, edgesApp, HOST, wire, type EdgesApp } from './helpers/edges-app.ts';
import { DEBUG_ID, expectedHeaders, graphHeadersOf, idleUsage, REQUEST_ID } from './helpers/graph-app.ts';

// E.first was onboarded at 2026-01-03T00:00:00Z in the edges fixture.
const FIRST = `/v21.0/${E.first}?access_token=T-ALL&fields=last_onboarded_time`;

describe('last_onboarded_time and date_format', () => {
  let app: EdgesApp;
  before(async () => {
    app = await edgesApp();
  });
  after(() => app.close());

  async function expectBody(url: string, body: string): Promise<void> {
    const response = await app.send('GET', url);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.body, body);
    assert.deepEqual(
      graphHeadersOf(response),
      expectedHeaders({ version: 'v21.0', etag: etagOf(body), bucWaba: E.waba }),
    );
  }

  test("reads in Graph's time format by default", async () => {
    await expectBody(FIRST, `{"last_onboarded_time":"2026-01-03T00:00:00+0000","id":"${E.first}"}`);
  });

  test('writes unix seconds as a JSON number for date_format=U', async () => {
    await expectBody(`${FIRST}&date_format=U`, `{"last_onboarded_time":1767398400,"id":"${E.first}"}`);
  });

  test('writes c, Y-m-d and escaped characters with PHP date() rules in UTC', async () => {
    await expectBody(
      `${FIRST}&date_format=c`,
      `{"last_onboarded_time":"2026-01-03T00:00:00+00:00","id":"${E.first}"}`,
    );
    await expectBody(`${FIRST}&date_format=Y-m-d`, `{"last_onboarded_time":"2026-01-03","id":"${E.first}"}`);
    await expectBody(
      `${FIRST}&date_format=${encodeURIComponent('\\Y\\e\\a\\r: Y, l jS')}`,
      `{"last_onboarded_time":"Year: 2026, Saturday 3rd","id":"${E.first}"}`,
    );
  });

  test('serves the WABA list items their own defaults: last_onboarded_time before id (v13.0)', async () => {
    const response = await app.send('GET', `/v13.0/${E.waba}/phone_numbers?access_token=T-ALL&limit=1`);
    const first = (JSON.parse(response.body) as { data: unknown[] }).data[0];
    assert.deepEqual(first, {
      verified_name: 'First Line',
      code_verification_status: 'VERIFIED',
      display_phone_number: '+1 555-030-0001',
      quality_rating: 'GREEN',
      last_onboarded_time: '2026-01-03T00:00:00+0000',
      id: E.first,
    });
    // The node itself keeps the node defaults.
    const node = await app.send('GET', `/v13.0/${E.first}?access_token=T-ALL`);
    assert.equal(
      node.body,
      `{"verified_name":"First Line","code_verification_status":"VERIFIED","display_phone_number":"+1 555-030-0001","quality_rating":"GREEN","id":"${E.first}"}`,
    );
  });
  test('applies date_format to every item of the WABA list and to a number the WABA edge created', async () => {
    const list = await app.send(
      'GET',
      `/v21.0/${E.waba}/phone_numbers?access_token=T-ALL&fields=last_onboarded_time&date_format=U&limit=2`,
    );
    const data = (JSON.parse(list.body) as { data: unknown[] }).data;
    assert.deepEqual(data, [
      { last_onboarded_time: 1767398400, id: E.first },
      { last_onboarded_time: 1767312000, id: E.third },
    ]);
    const created = await app.send('POST', `/v21.0/${E.waba}/phone_numbers`, {
      form: { cc: '1', phone_number: '5550304321', verified_name: 'Fresh', access_token: 'T-ALL' },
    });
    const id = (JSON.parse(created.body) as { id: string }).id;
    // The test clock's now (helpers/graph-app.ts NOW); a number with no rating yet reads UNKNOWN.
    await expectBody(
      `/v21.0/${id}?access_token=T-ALL&fields=last_onboarded_time,quality_rating`,
      `{"last_onboarded_time":"2026-11-24T12:00:00+0000","quality_rating":"UNKNOWN","id":"${id}"}`,
    );
  });
});

describe('metadata=1', () => {
  let app: EdgesApp;
  before(async () => {
    app = await edgesApp();
  });
  after(() => app.close());

  test('appends the phone number node metadata after its fields and before __debug__', async () => {
    const response = await app.send(
      'GET',
      `/v11.0/${E.first}?access_token=T-ALL&fields=status&metadata=1&debug=all`,
    );
    assert.equal(response.statusCode, 200);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['status', 'id', 'metadata', '__debug__']);
    const metadata = body.metadata as { fields: { name: string }[]; type: string; connections: unknown };
    assert.equal(metadata.type, 'whatsappbusinessphonenumber');
    assert.deepEqual(metadata.connections, {
      message_qrdls: `http://${HOST}/v11.0/${E.first}/message_qrdls?access_token=T-ALL`,
      whatsapp_business_profile: `http://${HOST}/v11.0/${E.first}/whatsapp_business_profile?access_token=T-ALL`,
    });
    // v11.0: the table's fields served on v11.0, in table order (no platform_type, search_visibility kept).
    assert.deepEqual(
      metadata.fields.map((field) => field.name),
      [
        'id',
        'display_phone_number',
        'verified_name',
        'account_mode',
        'certificate',
        'new_certificate',
        'name_status',
        'new_name_status',
        'quality_score',
        'status',
        'code_verification_status',
        'quality_rating',
        'is_official_business_account',
        'is_pin_enabled',
        'messaging_limit_tier',
        'eligibility_for_api_business_global_search',
        'search_visibility',
        'last_onboarded_time',
        'new_display_name',
      ],
    );
    assert.deepEqual(metadata.fields[0], {
      name: 'id',
      description: 'The phone number ID',
      type: 'numeric string',
    });
    assert.deepEqual(metadata.fields.at(-2), {
      name: 'last_onboarded_time',
      description: 'When the phone number completed onboarding',
      type: 'datetime',
    });
    assert.deepEqual(body.__debug__, { messages: [] });
  });

  test('appends the WABA metadata, whole body and headers', async () => {
    const response = await app.send('GET', `/v21.0/${E.waba}?access_token=T-ALL&fields=name&metadata=1`);
    const body = wire({
      name: 'Sales',
      id: E.waba,
      metadata: {
        fields: [
          { name: 'id', description: 'The WhatsApp Business Account ID', type: 'numeric string' },
          { name: 'name', description: 'Name of the WhatsApp Business Account', type: 'string' },
          {
            name: 'timezone_id',
            description: 'Time zone of the WhatsApp Business Account',
            type: 'numeric string',
          },
          { name: 'currency', description: 'Currency of the account', type: 'string' },
          {
            name: 'message_template_namespace',
            description: 'Namespace of the message templates of the account',
            type: 'string',
          },
          { name: 'account_review_status', description: 'Status of the review of the account', type: 'enum' },
          {
            name: 'business_verification_status',
            description: 'Verification status of the business that owns the account',
            type: 'enum',
          },
          { name: 'country', description: 'Country of the account (ISO 3166 alpha-2)', type: 'string' },
          { name: 'ownership_type', description: 'Who owns the account', type: 'enum' },
          {
            name: 'health_status',
            description: 'Whether the account can send messages, and why not',
            type: 'object',
          },
        ],
        type: 'whatsappbusinessaccount',
        connections: {
          phone_numbers: `http://${HOST}/v21.0/${E.waba}/phone_numbers?access_token=T-ALL`,
        },
      },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, body);
    assert.deepEqual(
      graphHeadersOf(response),
      expectedHeaders({ version: 'v21.0', etag: etagOf(body), bucWaba: E.waba }),
    );
  });

  test('leaves reads without metadata=1 unchanged', async () => {
    const response = await app.send('GET', `/v21.0/${E.first}?access_token=T-ALL&fields=status&metadata=0`);
    assert.equal(response.body, `{"status":"CONNECTED","id":"${E.first}"}`);
  });
});

describe('the WhatsApp error format in batch items', () => {
  let app: EdgesApp;
  before(async () => {
    app = await edgesApp();
  });
  after(() => app.close());

  test('writes 136025 in each item by the item’s own version', async () => {
    const response = await app.send('POST', '/', {
      form: {
        access_token: 'T-ALL',
        batch: JSON.stringify([
          { method: 'POST', relative_url: `v15.0/${E.third}/verify_code`, body: 'code=000000' },
          { method: 'POST', relative_url: `v16.0/${E.third}/verify_code`, body: 'code=000000' },
        ]),
      },
    });
    assert.equal(response.statusCode, 200);
    const items = JSON.parse(response.body) as { code: number; headers: unknown; body: string }[];
    const details = 'The code you entered is incorrect.';
    const trace = 'TRACEtrace0123456789-_x';
    assert.deepEqual(
      items.map((item) => [item.code, item.body]),
      [
        [
          400,
          wire({
            error: {
              message: 'Verify code error',
              type: 'OAuthException',
              code: 136025,
              error_user_title: 'Verify code error',
              error_user_msg: details,
              fbtrace_id: trace,
            },
          }),
        ],
        [
          400,
          wire({
            error: {
              message: '(#136025) Verify code error',
              type: 'OAuthException',
              code: 136025,
              error_data: { messaging_product: 'whatsapp', details },
              fbtrace_id: trace,
            },
          }),
        ],
      ],
    );
    // Item headers: §8 order, X-FB-Debug included, x-fb-trace-id left out.
    assert.deepEqual(items[1]?.headers, [
      {
        name: 'WWW-Authenticate',
        value: 'OAuth "Facebook Platform" "invalid_request" "(#136025) Verify code error"',
      },
      { name: 'Content-Type', value: 'application/json; charset=UTF-8' },
      { name: 'Vary', value: 'Origin, Accept-Encoding' },
      { name: 'Access-Control-Allow-Origin', value: '*' },
      { name: 'x-app-usage', value: '{"call_count":0,"total_cputime":0,"total_time":0}' },
      { name: 'x-business-use-case-usage', value: idleUsage(E.waba) },
      { name: 'facebook-api-version', value: 'v16.0' },
      { name: 'Strict-Transport-Security', value: 'max-age=15552000; preload' },
      { name: 'Pragma', value: 'no-cache' },
      { name: 'Cache-Control', value: 'no-store' },
      { name: 'Expires', value: 'Sat, 01 Jan 2000 00:00:00 GMT' },
      { name: 'x-fb-request-id', value: REQUEST_ID },
      { name: 'x-fb-rev', value: '1019131548' },
      { name: 'X-FB-Debug', value: DEBUG_ID },
    ]);
  });
});
