import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { appsecretProof } from '../src/graph/access-token.ts';
import {
  DEBUG_ID,
  expectedHeaders,
  graphApp,
  graphHeadersOf,
  ID,
  idleUsage,
  REQUEST_ID,
} from './helpers/graph-app.ts';
import { E, edgesApp, errorBody, invalid, wire, type EdgesApp } from './helpers/edges-app.ts';

async function withApp(run: (app: EdgesApp) => Promise<void>): Promise<void> {
  const app = await edgesApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

/** The §8 headers an item carries, without x-fb-trace-id. */
function itemHeaders(
  version: string,
  options: { error?: string; etag?: string; bucWaba?: string } = {},
): { name: string; value: string }[] {
  const headers: [string, string][] = [];
  if (options.error !== undefined)
    headers.push(['WWW-Authenticate', `OAuth "Facebook Platform" "invalid_request" "${options.error}"`]);
  headers.push(
    ['Content-Type', 'application/json; charset=UTF-8'],
    ['Vary', 'Origin, Accept-Encoding'],
    ['Access-Control-Allow-Origin', '*'],
    ['x-app-usage', '{"call_count":0,"total_cputime":0,"total_time":0}'],
    ...(options.bucWaba === undefined
      ? []
      : ([['x-business-use-case-usage', idleUsage(options.bucWaba)]] as [string, string][])),
    ['facebook-api-version', version],
    ['Strict-Transport-Security', 'max-age=15552000; preload'],
    ['Pragma', 'no-cache'],
    [
      'Cache-Control',
      options.error === undefined ? 'private, no-cache, no-store, must-revalidate' : 'no-store',
    ],
    ['Expires', 'Sat, 01 Jan 2000 00:00:00 GMT'],
    ['x-fb-request-id', REQUEST_ID],
    ['x-fb-rev', '1019131548'],
    ['X-FB-Debug', DEBUG_ID],
  );
  if (options.etag !== undefined) headers.push(['ETag', options.etag]);
  return headers.map(([name, value]) => ({ name, value }));
}

function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('hex')}"`;
}

test('runs each item as a standalone request and answers code, headers and body string in order', async () => {
  await withApp(async (app) => {
    const batch = [
      { method: 'GET', relative_url: `v21.0/${E.first}?fields=status` },
      { method: 'GET', relative_url: `/${E.waba}` },
      { method: 'GET', relative_url: `${E.first}?fields=nope` },
    ];
    const response = await app.send('POST', '/v19.0/', { json: { access_token: 'T-ALL', batch } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(graphHeadersOf(response), expectedHeaders({ version: 'v19.0' }));
    const first = wire({ status: 'CONNECTED', id: E.first });
    const second = wire({
      id: E.waba,
      name: 'Sales',
      timezone_id: '42',
      message_template_namespace: '0a1b2c3d-0000-4000-8000-000000000001',
    });
    const message =
      '(#100) Tried accessing nonexisting field (nope) on node type (WhatsAppBusinessPhoneNumber)';
    assert.equal(
      response.body,
      wire([
        { code: 200, headers: itemHeaders('v21.0', { etag: etagOf(first), bucWaba: E.waba }), body: first },
        { code: 200, headers: itemHeaders('v19.0', { etag: etagOf(second), bucWaba: E.waba }), body: second },
        {
          code: 400,
          headers: itemHeaders('v19.0', { error: message, bucWaba: E.waba }),
          body: errorBody(message, 100, 'OAuthException'),
        },
      ]),
    );
  });
});

test('drops item headers with include_headers=false and takes per-item tokens before the batch token', async () => {
  await withApp(async (app) => {
    const batch = JSON.stringify([
      { method: 'GET', relative_url: `${E.other}?fields=id&access_token=T-W1` },
      { method: 'GET', relative_url: `${E.other}?fields=id` },
    ]);
    const response = await app.send('POST', '/', {
      form: { access_token: 'T-ALL', include_headers: 'false', batch },
    });
    const hidden = `Unsupported get request. Object with ID '${E.other}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`;
    assert.equal(
      response.body,
      wire([
        { code: 400, body: errorBody(hidden, 100, 'GraphMethodException', 33) },
        { code: 200, body: wire({ id: E.other }) },
      ]),
    );
  });
});

test('fails an item without any token with 104 and runs POST items with their form body', async () => {
  await withApp(async (app) => {
    const batch = JSON.stringify([
      { method: 'GET', relative_url: `${E.first}?fields=id` },
      {
        method: 'POST',
        relative_url: `${E.first}/message_qrdls?access_token=T-ALL`,
        body: 'prefilled_message=From%20batch',
      },
    ]);
    const response = await app.send('POST', '/v21.0', { form: { include_headers: 'false', batch } });
    const items = JSON.parse(response.body) as { code: number; body: string }[];
    assert.deepEqual(items[0], {
      code: 400,
      body: errorBody('An access token is required to request this resource.', 104, 'OAuthException'),
    });
    const created = JSON.parse(items[1]!.body) as { code: string };
    assert.equal(
      items[1]!.body,
      wire({
        code: created.code,
        prefilled_message: 'From batch',
        deep_link_url: `https://wa.me/message/${created.code}`,
      }),
    );
  });
});

test('fails an item whose named dependency failed, and runs one whose dependency succeeded', async () => {
  await withApp(async (app) => {
    const batch = JSON.stringify([
      { method: 'GET', relative_url: `${E.first}?fields=bad`, name: 'broken' },
      { method: 'GET', relative_url: `${E.first}?fields=id`, name: 'fine' },
      { method: 'GET', relative_url: `${E.second}?fields=id`, depends_on: 'broken' },
      { method: 'GET', relative_url: `${E.third}?fields=id`, depends_on: 'fine' },
    ]);
    const response = await app.send('POST', '/v21.0/', {
      form: { access_token: 'T-ALL', include_headers: 'false', batch },
    });
    const items = JSON.parse(response.body) as { code: number; body: string }[];
    assert.deepEqual(
      items.map((item) => item.code),
      [400, 200, 400, 200],
    );
    assert.equal(items[2]!.body, invalid('Request broken depended on by this request failed'));
    assert.equal(items[3]!.body, wire({ id: E.third }));
  });
});

test('refuses more than 50 requests and a missing batch', async () => {
  await withApp(async (app) => {
    const batch = JSON.stringify(
      Array.from({ length: 51 }, () => ({ method: 'GET', relative_url: E.first })),
    );
    const tooMany = await app.send('POST', '/', { form: { access_token: 'T-ALL', batch } });
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.body, invalid('Too many requests in batch message. Maximum batch size is 50'));
    const fifty = JSON.stringify(
      Array.from({ length: 50 }, () => ({ method: 'GET', relative_url: `${E.first}?fields=id` })),
    );
    const ok = await app.send('POST', '/', {
      form: { access_token: 'T-ALL', include_headers: 'false', batch: fifty },
    });
    assert.equal((JSON.parse(ok.body) as unknown[]).length, 50);
    const missing = await app.send('POST', '/', { form: { access_token: 'T-ALL' } });
    assert.equal(missing.body, invalid('The parameter batch is required'));
    const get = await app.send('GET', '/?access_token=T-ALL');
    assert.equal(
      get.body,
      errorBody(
        'Unsupported get request. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
        100,
        'GraphMethodException',
      ),
    );
  });
});

test("the batch's appsecret_proof travels with the batch's token to every item", async () => {
  const app = await graphApp();
  try {
    const proof = appsecretProof('proof-app-secret', 'T-PROOF');
    const batch = JSON.stringify([{ method: 'GET', relative_url: `v21.0/${ID.other}?fields=id` }]);
    const response = await app.fastify.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        access_token: 'T-PROOF',
        appsecret_proof: proof,
        include_headers: 'false',
        batch,
      }).toString(),
    });
    assert.equal(response.body, wire([{ code: 200, body: wire({ id: ID.other }) }]));
  } finally {
    await app.close();
  }
});
