import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { ERROR_CATALOGUE } from '../src/contract/errors.ts';
import { injectedError } from '../src/faults/fault-rules.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import {
  GRAPH_SCENARIO,
  graphApp,
  ID,
  loadScenarioText,
  TRACE_ID,
  type TestApp,
} from './helpers/graph-app.ts';
import { readFileSync } from 'node:fs';

const N = ID.connected;
const READ = `/v21.0/${N}?fields=status&access_token=T-ALL`;
const OK_BODY = `{"status":"CONNECTED","id":"${N}"}`;

async function addRule(
  app: TestApp,
  rule: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await app.fastify.inject({
    method: 'POST',
    url: '/__admin/faults',
    payload: rule as object,
    remoteAddress: '127.0.0.1',
  });
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

describe('fault rules', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await graphApp();
  });
  afterEach(() => app.close());

  test('fails exactly the two matching calls of a rule with times: 2', async () => {
    const added = await addRule(app, {
      match: { method: 'GET', phone_number: N },
      action: { graph_error: { code: 2 } },
      times: 2,
    });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body, {
      id: '1',
      match: { method: 'GET', phone_number: N },
      action: { graph_error: { code: 2 } },
      times: 2,
      probability: null,
      remaining: 2,
      matched: 0,
    });
    const message = ERROR_CATALOGUE.temporarilyUnavailable.message;
    for (let i = 0; i < 2; i++) {
      const faulted = await app.get(READ);
      assert.equal(faulted.statusCode, 500);
      assert.equal(
        faulted.body,
        `{"error":{"message":"${message}","type":"OAuthException","is_transient":true,"code":2,"fbtrace_id":"${TRACE_ID}"}}`,
      );
      assert.equal(faulted.headers['x-business-use-case-usage'], undefined, 'a faulted call does not count');
    }
    assert.equal((await app.get(READ)).body, OK_BODY);
    const listed = await app.fastify.inject({ url: '/__admin/faults', remoteAddress: '127.0.0.1' });
    assert.match(listed.body, /"remaining":0,"matched":2\}\]\}$/);
    const usage = await app.fastify.inject({ url: '/__admin/rate-limits', remoteAddress: '127.0.0.1' });
    assert.match(usage.body, /"calls":1,/, 'only the unfaulted call entered the window');
  });

  test('matches on method, path regex, phone number and token app', async () => {
    await addRule(app, { match: { method: 'DELETE' }, action: { graph_error: { code: 4 } } });
    await addRule(app, { match: { path_regex: '/nope$' }, action: { graph_error: { code: 5 } } });
    await addRule(app, { match: { phone_number: ID.flagged }, action: { graph_error: { code: 6 } } });
    await addRule(app, { match: { token_app: ID.proofApp }, action: { graph_error: { code: 7 } } });
    assert.equal((await app.get(READ)).body, OK_BODY, 'no rule matches a plain read');
    const codeOf = async (response: { body: string }) =>
      (JSON.parse(response.body) as { error: { code: number } }).error.code;
    assert.equal(await codeOf(await app.fastify.inject({ method: 'DELETE', url: READ })), 4);
    assert.equal(
      await codeOf(await app.get(`//v21.0//${N}/nope/?access_token=T-ALL`)),
      5,
      'the normalized path',
    );
    assert.equal(await codeOf(await app.get(`/v21.0/${ID.flagged}?access_token=T-ALL`)), 6);
    assert.equal(
      await codeOf(await app.get(`/v21.0/${ID.other}?access_token=T-PROOF&appsecret_proof=x`)),
      100,
      'token checks come first',
    );
  });

  test('takes the catalogue row as defaults and lets given fields override it', () => {
    assert.deepEqual(injectedError({ code: 190 }), {
      row: ERROR_CATALOGUE.tokenInvalid,
      message: ERROR_CATALOGUE.tokenInvalid.message,
    });
    assert.equal(injectedError({ code: 100 }).message, '(#100) Invalid parameter');
    assert.equal(injectedError({ code: 100, subcode: 33 }).message, '(#100) Injected fault');
    assert.equal(injectedError({ code: 100, subcode: 33 }).row.type, 'GraphMethodException');
    assert.deepEqual(injectedError({ code: 4 }), {
      row: { code: 4, type: 'OAuthException', httpStatus: 400, message: '' },
      message: '(#4) Injected fault',
    });
    const overridden = injectedError({
      code: 17,
      subcode: 2446079,
      http_status: 429,
      message: 'User request limit reached',
    });
    assert.deepEqual(overridden, {
      row: { code: 17, subcode: 2446079, type: 'OAuthException', httpStatus: 429, message: '' },
      message: 'User request limit reached',
    });
  });

  test('answers an injected error with its envelope and headers like any Graph error', async () => {
    await addRule(app, {
      action: {
        graph_error: { code: 17, subcode: 2446079, http_status: 429, message: 'User request limit reached' },
      },
    });
    const response = await app.get(READ);
    assert.equal(response.statusCode, 429);
    assert.equal(
      response.body,
      `{"error":{"message":"User request limit reached","type":"OAuthException","code":17,"error_subcode":2446079,"fbtrace_id":"${TRACE_ID}"}}`,
    );
    assert.equal(
      response.headers['www-authenticate'],
      'OAuth "Facebook Platform" "invalid_request" "User request limit reached"',
    );
  });

  test('delays a matching call and then serves it normally', async () => {
    await addRule(app, { action: { delay_ms: 30 }, times: 1 });
    assert.equal((await app.get(READ)).body, OK_BODY);
    const listed = await app.fastify.inject({ url: '/__admin/faults', remoteAddress: '127.0.0.1' });
    assert.match(listed.body, /"matched":1/);
  });

  test('draws probabilities from the scenario seed, the same way every time', async () => {
    const pattern = async (): Promise<string> => {
      const fresh = await graphApp();
      try {
        fresh.faults.setSeed(7);
        await addRule(fresh, { action: { graph_error: { code: 2 } }, probability: 0.5 });
        let out = '';
        for (let i = 0; i < 24; i++) out += (await fresh.get(READ)).statusCode === 200 ? '.' : 'x';
        return out;
      } finally {
        await fresh.close();
      }
    };
    const first = await pattern();
    assert.equal(await pattern(), first);
    assert.match(first, /x/);
    assert.match(first, /\./);
  });

  test('matches batch items on their own; a dropped connection fails only that item, with code 1', async () => {
    await addRule(app, { match: { phone_number: ID.flagged }, action: { drop_connection: true } });
    const response = await app.fastify.inject({
      method: 'POST',
      url: '/v21.0/',
      payload: {
        access_token: 'T-ALL',
        include_headers: false,
        batch: [
          { method: 'GET', relative_url: `${N}?fields=status` },
          { method: 'GET', relative_url: `${ID.flagged}?fields=status` },
        ],
      },
    });
    assert.equal(response.statusCode, 200);
    const items = JSON.parse(response.body) as { code: number; body: string }[];
    assert.deepEqual(
      items.map((item) => item.code),
      [200, 500],
    );
    assert.equal(items[0]?.body, OK_BODY);
    assert.equal(
      items[1]?.body,
      `{"error":{"message":"${ERROR_CATALOGUE.unknownError.message}","type":"OAuthException","code":1,"fbtrace_id":"${TRACE_ID}"}}`,
    );
    const usage = await app.fastify.inject({ url: '/__admin/rate-limits', remoteAddress: '127.0.0.1' });
    assert.match(usage.body, /"calls":1,/, 'the faulted item did not count; the other did');
  });

  test('refuses malformed rules, deletes one by id and answers 404 for an unknown one', async () => {
    for (const rule of [
      {},
      { action: {} },
      { action: { graph_error: { code: 'x' } } },
      { action: { delay_ms: 1, drop_connection: true } },
      { action: { delay_ms: 120_000 } },
      { action: { drop_connection: false } },
      { match: { path_regex: '(' }, action: { delay_ms: 1 } },
      { match: { colour: 'red' }, action: { delay_ms: 1 } },
      { action: { delay_ms: 1 }, times: 0 },
      { action: { delay_ms: 1 }, probability: 2 },
    ]) {
      const response = await addRule(app, rule);
      assert.equal(response.status, 400, JSON.stringify(rule));
      assert.equal((response.body.error as { code: string }).code, 'validation_failed');
    }
    const { body } = await addRule(app, { action: { graph_error: { code: 2 } } });
    const remove = (id: string) =>
      app.fastify.inject({ method: 'DELETE', url: `/__admin/faults/${id}`, remoteAddress: '127.0.0.1' });
    assert.equal((await remove(String(body.id))).body, '{"success":true}');
    assert.equal((await app.get(READ)).body, OK_BODY);
    assert.equal((await remove(String(body.id))).statusCode, 404);
  });
});

describe('a dropped connection', () => {
  let server: RunningServer;
  before(async () => {
    const store = await freshTestStore();
    await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
    server = await startServer({ store, host: '127.0.0.1', port: 0 });
  });
  after(() => server.close());

  function rawGet(path: string): Promise<{ status: number } | { error: string }> {
    return new Promise((resolve) => {
      request(`${server.url}${path}`, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      })
        .on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
        .end();
    });
  }

  test('is seen by the client as a reset, and the server keeps serving', async () => {
    const admin = await fetch(`${server.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: { drop_connection: true }, times: 1 }),
    });
    assert.equal(admin.status, 200);
    const dropped = await rawGet(READ);
    assert.ok('error' in dropped, 'no HTTP response at all');
    assert.match(dropped.error, /ECONNRESET|socket hang up/);
    assert.deepEqual(await rawGet(READ), { status: 200 });
  });
});
