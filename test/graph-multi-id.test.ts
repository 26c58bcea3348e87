// Multiple-id reads, `GET /{v}/?ids=A,B[&fields=…]` (graph-api.md §1), over HTTP: whole bodies,
// status and headers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { etagOf } from '../src/graph/rendered-body.ts';
import {
  expectedHeaders,
  graphApp,
  graphHeadersOf,
  ID,
  NOW,
  TRACE_ID,
  type TestApp,
} from './helpers/graph-app.ts';

const DOCS =
  'Please read the Graph API documentation at https:\\/\\/developers.facebook.com\\/docs\\/graph-api';

function errorBody(message: string, code: number, type: string, subcode?: number): string {
  const sub = subcode === undefined ? '' : `,"error_subcode":${subcode}`;
  return `{"error":{"message":"${message}","type":"${type}","code":${code}${sub},"fbtrace_id":"${TRACE_ID}"}}`;
}

describe('multiple-id reads', () => {
  let app: TestApp;
  before(async () => {
    app = await graphApp();
  });
  after(() => app.close());

  async function counts(): Promise<Map<string, number>> {
    const usage = await app.buc.window.usage(NOW.getTime());
    return new Map(usage.map((entry) => [entry.key, entry.count]));
  }

  test('answers each id keyed in request order, duplicates collapsed, node types mixed', async () => {
    await app.buc.window.clear();
    const response = await app.get(
      `/v21.0/?ids=${ID.flagged},${ID.connected},${ID.waba},${ID.connected}&fields=id&access_token=T-ALL`,
    );
    const body = `{"${ID.flagged}":{"id":"${ID.flagged}"},"${ID.connected}":{"id":"${ID.connected}"},"${ID.waba}":{"id":"${ID.waba}"}}`;
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, body);
    assert.deepEqual(
      graphHeadersOf(response),
      expectedHeaders({ version: 'v21.0', etag: etagOf(body), bucWaba: ID.waba }),
    );
    // Every distinct id counted as its own call on its WABA.
    assert.equal(
      [...(await counts()).values()].reduce((a, b) => a + b, 0),
      3,
    );
  });

  test('serves each value as a read of that id alone: fields, defaults, unversioned path', async () => {
    const status = await app.get(
      `/v21.0/?ids=${ID.connected},${ID.pending}&fields=status&access_token=T-ALL`,
    );
    assert.equal(
      status.body,
      `{"${ID.connected}":{"status":"CONNECTED","id":"${ID.connected}"},"${ID.pending}":{"status":"PENDING","id":"${ID.pending}"}}`,
    );
    // No version: the app's default (v19.0 in the fixture); no fields: each node's defaults.
    const defaults = await app.get(`/?ids=${ID.pending},${ID.flagged}&access_token=T-ALL`);
    assert.equal(defaults.statusCode, 200);
    assert.equal(defaults.headers['facebook-api-version'], 'v19.0');
    assert.equal(
      defaults.body,
      `{"${ID.pending}":{"verified_name":"Pending Line","code_verification_status":"NOT_VERIFIED","display_phone_number":"+1 555-020-0003","quality_rating":"UNKNOWN","platform_type":"NOT_APPLICABLE","throughput":{"level":"NOT_APPLICABLE"},"id":"${ID.pending}"},"${ID.flagged}":{"verified_name":"Caf\\u00e9 \\/ Bar \\ud83d\\ude00","code_verification_status":"VERIFIED","display_phone_number":"+1 555-020-0002","quality_rating":"YELLOW","platform_type":"CLOUD_API","throughput":{"level":"STANDARD"},"id":"${ID.flagged}"}}`,
    );
  });

  test('fails the whole call with the first failing id: 803, then 100/33', async () => {
    const alias = await app.get(`/v21.0/?ids=${ID.connected},abc,999999999999999&access_token=T-ALL`);
    assert.equal(alias.statusCode, 404);
    assert.equal(
      alias.body,
      errorBody('(#803) Some of the aliases you requested do not exist: abc', 803, 'OAuthException'),
    );
    assert.deepEqual(
      graphHeadersOf(alias),
      expectedHeaders({
        version: 'v21.0',
        error: '(#803) Some of the aliases you requested do not exist: abc',
        bucWaba: ID.waba,
      }),
    );
    const missing = await app.get(`/v21.0/?ids=999999999999999,abc&access_token=T-ALL`);
    assert.equal(missing.statusCode, 400);
    const message = `Unsupported get request. Object with ID '999999999999999' does not exist, cannot be loaded due to missing permissions, or does not support this operation. ${DOCS}`;
    assert.equal(missing.body, errorBody(message, 100, 'GraphMethodException', 33));
    // Invisible to the token: the same answer as missing.
    const invisible = await app.get(`/v21.0/?ids=${ID.other}&access_token=T-W1`);
    assert.equal(
      invisible.body,
      errorBody(message.replace('999999999999999', ID.other), 100, 'GraphMethodException', 33),
    );
  });

  test('fails with the nonexisting field of the first node that lacks it', async () => {
    const response = await app.get(`/v21.0/?ids=${ID.connected},${ID.waba}&fields=status&access_token=T-ALL`);
    assert.equal(response.statusCode, 400);
    assert.equal(
      response.body,
      errorBody(
        '(#100) Tried accessing nonexisting field (status) on node type (WhatsAppBusinessAccount)',
        100,
        'OAuthException',
      ),
    );
  });

  test('refuses more than 50 ids, and counts duplicates once', async () => {
    const fifty = Array.from({ length: 50 }, () => ID.connected);
    const ok = await app.get(
      `/v21.0/?ids=${[...fifty, ID.connected].join(',')}&fields=id&access_token=T-ALL`,
    );
    assert.equal(ok.body, `{"${ID.connected}":{"id":"${ID.connected}"}}`);
    const ids = Array.from({ length: 51 }, (_, i) => String(400000000000100 + i));
    const response = await app.get(`/v21.0/?ids=${ids.join(',')}&access_token=T-ALL`);
    assert.equal(response.statusCode, 400);
    assert.equal(response.body, errorBody('(#100) Too many IDs. Maximum: 50', 100, 'OAuthException'));
  });

  test('still answers GET / without ids as "no object", and checks the token first', async () => {
    const none = await app.get(`/v21.0/?access_token=T-ALL`);
    assert.equal(none.body, errorBody(`Unsupported get request. ${DOCS}`, 100, 'GraphMethodException'));
    const noToken = await app.get(`/v21.0/?ids=${ID.connected}`);
    assert.equal(
      noToken.body,
      errorBody('An access token is required to request this resource.', 104, 'OAuthException'),
    );
  });
});
