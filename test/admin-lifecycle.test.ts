// The admin plane driving the lifecycle in-process (control-plane.md §3, phone-number.md §4): changes,
// refusals, history, the outbox each change writes, subscriptions, health and export/reset.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { verifyCertificate } from '../src/domain/certificate.ts';
import { parseScenarioText } from '../src/domain/scenario/load-scenario-file.ts';
import { buildApp } from '../src/server/build-app.ts';
import { freshTestStore } from './helpers/test-store.ts';
import {
  fixedClock,
  graphApp,
  GRAPH_SCENARIO,
  ID,
  loadScenarioText,
  NOW,
  type TestApp,
} from './helpers/graph-app.ts';

// Admin answers are asserted field by field; a loose type keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function post(app: TestApp, path: string, body?: unknown, remoteAddress = '127.0.0.1') {
  return app.fastify.inject({
    method: 'POST',
    url: `/__admin${path}`,
    remoteAddress,
    ...(body === undefined
      ? {}
      : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

async function get(app: TestApp, path: string): Promise<LightMyRequestResponse> {
  return app.fastify.inject({ method: 'GET', url: `/__admin${path}`, remoteAddress: '127.0.0.1' });
}

const json = (response: LightMyRequestResponse): Json => JSON.parse(response.body);

async function withApp(run: (app: TestApp) => Promise<void>): Promise<void> {
  const app = await graphApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

test('sets a status: the number reads BANNED through Graph, history shows it and the outbox holds the event', () =>
  withApp(async (app) => {
    const response = await post(app, `/phone-numbers/${ID.connected}/status`, {
      status: 'BANNED',
      reason: 'spam',
    });
    assert.equal(response.statusCode, 200);
    const body = json(response);
    assert.equal(body.id, ID.connected);
    assert.equal(body.status, 'BANNED');
    assert.equal(body.waba_id, ID.waba);
    const graph = await app.get(`/v21.0/${ID.connected}?fields=status&access_token=T-ALL`);
    assert.equal(graph.body, `{"status":"BANNED","id":"${ID.connected}"}`);
    assert.deepEqual(json(await get(app, `/phone-numbers/${ID.connected}/history`)), {
      data: [
        {
          at: NOW.toISOString(),
          actor: 'admin',
          change: 'status',
          from: 'CONNECTED',
          to: 'BANNED',
          reason: 'spam',
        },
      ],
    });
    const deliveries = json(await get(app, `/webhooks/deliveries?phone_number=${ID.connected}`)).data;
    assert.equal(deliveries.length, 1);
    assert.equal(deliveries[0].status, 'pending');
    assert.equal(deliveries[0].app_id, ID.app);
    assert.equal(deliveries[0].payload.entry[0].changes[0].value.event, 'DISABLED_UPDATE');
    assert.deepEqual(deliveries[0].attempts, []);
  }));

test('refuses a transition out of the table with 409 listing the allowed targets', () =>
  withApp(async (app) => {
    const response = await post(app, `/phone-numbers/${ID.pending}/status`, { status: 'BANNED' });
    assert.equal(response.statusCode, 409);
    assert.equal(
      response.body,
      '{"error":{"message":"Cannot change status from PENDING to BANNED","code":"invalid_transition","allowed":["CONNECTED","UNVERIFIED","DELETED","UNKNOWN"]}}',
    );
    assert.deepEqual(json(await get(app, `/phone-numbers/${ID.pending}/history`)), { data: [] });
  }));

test('forces a transition out of the table and still emits the table events', () =>
  withApp(async (app) => {
    const response = await post(app, `/phone-numbers/${ID.pending}/status`, {
      status: 'BANNED',
      force: true,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(json(response).status, 'BANNED');
    const [delivery] = json(await get(app, `/webhooks/deliveries?phone_number=${ID.pending}`)).data;
    assert.equal(delivery.payload.entry[0].changes[0].value.event, 'DISABLED_UPDATE');
  }));

test('answers 200 with no history and no event when the status is set again', () =>
  withApp(async (app) => {
    const response = await post(app, `/phone-numbers/${ID.connected}/status`, { status: 'CONNECTED' });
    assert.equal(response.statusCode, 200);
    assert.equal(json(response).status, 'CONNECTED');
    assert.deepEqual(json(await get(app, `/phone-numbers/${ID.connected}/history`)), { data: [] });
    assert.deepEqual(json(await get(app, '/webhooks/deliveries')), { data: [] });
  }));

test('lists the history newest first', () =>
  withApp(async (app) => {
    await post(app, `/phone-numbers/${ID.connected}/status`, { status: 'FLAGGED' });
    await post(app, `/phone-numbers/${ID.connected}/quality`, { score: 'RED', reasons: ['Spam reports'] });
    await post(app, `/phone-numbers/${ID.connected}/status`, { status: 'CONNECTED' });
    const history = json(await get(app, `/phone-numbers/${ID.connected}/history`)).data;
    assert.deepEqual(
      history.map((h: Json) => [h.change, h.from, h.to, h.reason]),
      [
        ['status', 'FLAGGED', 'CONNECTED', null],
        ['quality_score', 'GREEN', 'RED', 'Spam reports'],
        ['status', 'CONNECTED', 'FLAGGED', null],
      ],
    );
  }));

test('keeps quality_rating and quality_score consistent after a quality change', () =>
  withApp(async (app) => {
    const response = await post(app, `/phone-numbers/${ID.connected}/quality`, {
      score: 'YELLOW',
      reasons: ['Blocks'],
    });
    assert.equal(response.statusCode, 200);
    const graph = await app.get(
      `/v21.0/${ID.connected}?fields=quality_rating,quality_score&access_token=T-ALL`,
    );
    assert.equal(
      graph.body,
      `{"quality_rating":"YELLOW","quality_score":{"score":"YELLOW","date":${NOW.getTime() / 1000},"reasons":["Blocks"]},"id":"${ID.connected}"}`,
    );
  }));

test('issues a verifiable certificate when a pending name is approved', () =>
  withApp(async (app) => {
    const response = await post(app, `/phone-numbers/${ID.pending}/name-review`, { decision: 'APPROVED' });
    assert.equal(response.statusCode, 200);
    const body = json(response);
    assert.equal(body.name_status, 'APPROVED');
    const publicKey = json(await get(app, '/cert-key')).public_key_pem;
    const check = verifyCertificate(body.certificate, publicKey);
    assert.equal(check.valid, true);
  }));

test('requests a new name and approves it into new_certificate, leaving verified_name', () =>
  withApp(async (app) => {
    const requested = await post(app, `/phone-numbers/${ID.connected}/new-name`, { name: 'Support Desk' });
    assert.equal(requested.statusCode, 200);
    assert.equal(json(requested).new_name_status, 'PENDING_REVIEW');
    const approved = json(
      await post(app, `/phone-numbers/${ID.connected}/name-review`, { decision: 'APPROVED', which: 'new' }),
    );
    assert.equal(approved.new_name_status, 'APPROVED');
    assert.equal(approved.verified_name, 'Support Line');
    const publicKey = json(await get(app, '/cert-key')).public_key_pem;
    assert.equal(verifyCertificate(approved.new_certificate, publicKey).valid, true);
    const [event] = json(await get(app, `/webhooks/deliveries?phone_number=${ID.connected}`)).data;
    assert.equal(event.payload.entry[0].changes[0].value.requested_verified_name, 'Support Desk');
  }));

test('answers unknown numbers with 404 and bad bodies with 400', () =>
  withApp(async (app) => {
    const missing = await post(app, '/phone-numbers/499999999999999/status', { status: 'BANNED' });
    assert.equal(missing.statusCode, 404);
    assert.equal(
      missing.body,
      '{"error":{"message":"Unknown phone number 499999999999999","code":"not_found"}}',
    );
    const bad = await post(app, `/phone-numbers/${ID.connected}/status`, { status: 'ASLEEP' });
    assert.equal(bad.statusCode, 400);
    assert.equal(json(bad).error.code, 'validation_failed');
    const quality = await post(app, `/phone-numbers/${ID.connected}/quality`, {});
    assert.equal(quality.statusCode, 400);
    const review = await post(app, `/phone-numbers/${ID.pending}/name-review`, {
      decision: 'APPROVED',
      which: 'new',
    });
    assert.equal(review.statusCode, 400);
  }));

test('refuses lifecycle changes from a non-loopback peer without the token and changes nothing', () =>
  withApp(async (app) => {
    const response = await post(
      app,
      `/phone-numbers/${ID.connected}/status`,
      { status: 'BANNED' },
      '192.0.2.10',
    );
    assert.equal(response.statusCode, 404);
    assert.equal(response.body, '{"error":{"message":"Not found","code":"not_found"}}');
    const graph = await app.get(`/v21.0/${ID.connected}?fields=status&access_token=T-ALL`);
    assert.equal(json(graph).status, 'CONNECTED');
  }));

test('sets and removes an app webhook subscription; a new URL waits for verification', () =>
  withApp(async (app) => {
    const put = await app.fastify.inject({
      method: 'PUT',
      url: `/__admin/apps/${ID.app}/webhook`,
      remoteAddress: '127.0.0.1',
      payload: { url: 'http://127.0.0.1:9/new', verify_token: 'v', fields: ['account_update'] },
    });
    assert.equal(put.statusCode, 200);
    assert.equal(
      put.body,
      '{"url":"http://127.0.0.1:9/new","verify_token":"v","fields":["account_update"],"state":"pending_verification"}',
    );
    await post(app, `/phone-numbers/${ID.connected}/status`, { status: 'FLAGGED' });
    const [skipped] = json(await get(app, '/webhooks/deliveries')).data;
    assert.equal(skipped.status, 'skipped');
    const removed = await app.fastify.inject({
      method: 'DELETE',
      url: `/__admin/apps/${ID.app}/webhook`,
      remoteAddress: '127.0.0.1',
    });
    assert.equal(removed.statusCode, 200);
    await post(app, `/phone-numbers/${ID.connected}/status`, { status: 'CONNECTED' });
    assert.deepEqual(
      json(await get(app, '/webhooks/deliveries')).data.map((d: Json) => d.status),
      ['skipped', 'skipped'],
    );
    const invalid = await app.fastify.inject({
      method: 'PUT',
      url: `/__admin/apps/${ID.app}/webhook`,
      remoteAddress: '127.0.0.1',
      payload: { url: 'ftp://x', verify_token: 'v' },
    });
    assert.equal(invalid.statusCode, 400);
  }));

test('reports health with the outbox lag', () =>
  withApp(async (app) => {
    await post(app, `/phone-numbers/${ID.connected}/status`, { status: 'BANNED' });
    assert.deepEqual(json(await get(app, '/health')), {
      status: 'ok',
      database: 'ok',
      redis: 'not_configured',
      outbox: { pending: 1, oldest_pending_age_s: 0 },
      rate_limits: 'per_instance',
      change_notifications: 'not_configured',
    });
  }));

test('round-trips export → reset(export) → export byte for byte, after changes', () =>
  withApp(async (app) => {
    await post(app, `/phone-numbers/${ID.pending}/name-review`, { decision: 'APPROVED' });
    await post(app, `/phone-numbers/${ID.connected}/quality`, {
      score: 'RED',
      messaging_limit_tier: 'TIER_10K',
    });
    const first = await get(app, '/export');
    assert.equal(first.statusCode, 200);
    const exported = json(first);
    assert.equal(exported.tokens[0].sha256.length, 64);
    assert.equal(exported.tokens[0].value, undefined);
    const reset = await post(app, '/reset', exported);
    assert.equal(reset.statusCode, 200, reset.body);
    const second = await get(app, '/export');
    assert.equal(second.body, first.body);
    const graph = await app.get(
      `/v21.0/${ID.connected}?fields=quality_rating,messaging_limit_tier&access_token=T-ALL`,
    );
    assert.equal(
      graph.body,
      `{"quality_rating":"RED","messaging_limit_tier":"TIER_10K","id":"${ID.connected}"}`,
    );
  }));

test('resets to the start scenario without a body and rejects an invalid scenario with 400', async () => {
  const text = readFileSync(GRAPH_SCENARIO, 'utf8');
  const store = await freshTestStore();
  await loadScenarioText(store, text);
  const app = buildApp({ store, clock: fixedClock, startScenario: parseScenarioText(text, 'graph.yaml') });
  const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.fastify.inject({
      method,
      url,
      remoteAddress: '127.0.0.1',
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  try {
    await inject('POST', `/__admin/phone-numbers/${ID.connected}/status`, { status: 'BANNED' });
    const reset = await inject('POST', '/__admin/reset');
    assert.equal(reset.statusCode, 200);
    const graph = await inject('GET', `/v21.0/${ID.connected}?fields=status&access_token=T-ALL`);
    assert.equal(JSON.parse(graph.body).status, 'CONNECTED');
    assert.deepEqual(
      JSON.parse((await inject('GET', `/__admin/phone-numbers/${ID.connected}/history`)).body),
      {
        data: [],
      },
    );
    const invalid = await inject('POST', '/__admin/reset', { version: 2 });
    assert.equal(invalid.statusCode, 400);
    assert.equal(JSON.parse(invalid.body).error.code, 'validation_failed');
  } finally {
    await app.fastify.close();
    await app.store.close();
  }
});

test('merges a scenario: known ids updated key by key, new records added, history and outbox kept', () =>
  withApp(async (app) => {
    await post(app, `/phone-numbers/${ID.flagged}/status`, { status: 'CONNECTED' });
    const before = json(await get(app, '/export'));
    const merged = await post(app, '/scenario', {
      version: 1,
      businesses: [
        {
          id: '2100000000000001',
          wabas: [
            {
              id: ID.waba,
              phone_numbers: [
                { id: ID.connected, status: 'RESTRICTED', quality_rating: 'RED' },
                {
                  id: '410000000000099',
                  display_phone_number: '+1 555-020-0099',
                  verified_name: 'Added Line',
                },
              ],
            },
          ],
        },
      ],
    });
    assert.equal(merged.statusCode, 200, merged.body);
    const graph = await app.get(
      `/v21.0/${ID.connected}?fields=status,quality_rating,verified_name&access_token=T-ALL`,
    );
    assert.equal(
      graph.body,
      `{"status":"RESTRICTED","quality_rating":"RED","verified_name":"Support Line","id":"${ID.connected}"}`,
    );
    const added = await app.get('/v21.0/410000000000099?fields=verified_name&access_token=T-ALL');
    assert.equal(added.body, '{"verified_name":"Added Line","id":"410000000000099"}');
    assert.equal(json(await get(app, `/phone-numbers/${ID.flagged}/history`)).data.length, 1);
    assert.equal(json(await get(app, '/webhooks/deliveries')).data.length, 1);
    const after = json(await get(app, '/export'));
    assert.deepEqual(after.apps, before.apps);
    assert.deepEqual(after.tokens, before.tokens);
    assert.deepEqual(after.businesses[1], before.businesses[1]);
  }));

test('refuses a merge that makes the state invalid and changes nothing', () =>
  withApp(async (app) => {
    const before = (await get(app, '/export')).body;
    const response = await post(app, '/scenario', {
      version: 1,
      tokens: [{ value: 'T-NEW', app: '1999999999999999' }],
    });
    assert.equal(response.statusCode, 400);
    assert.equal(json(response).error.code, 'validation_failed');
    assert.equal((await get(app, '/export')).body, before);
  }));
