// The stored two-step PIN (133005), the register/deregister and request_code limits (133016, 136024)
// on the injected clock, node POST `new_display_name`, and the PIN hash through export and reset
// (phone-number.md intro and §5.2, control-plane.md §3). Error bodies are checked by the fields that
// do not depend on the WhatsApp error format (code, type, HTTP status).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CATALOGUE, type CatalogueRow } from '../src/contract/errors.ts';
import { E, edgesApp, invalid, wire, type EdgesApp } from './helpers/edges-app.ts';
import { NOW } from './helpers/graph-app.ts';

const SUCCESS = '{"success":true}';
const ACTOR = 'graph:1100000000000001';
const PIN_HASH = /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

async function withApp(run: (app: EdgesApp) => Promise<void>): Promise<void> {
  const app = await edgesApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

function post(app: EdgesApp, path: string, form: Record<string, string>, version = 'v21.0') {
  return app.send('POST', `/${version}/${path}`, { form: { ...form, access_token: 'T-ALL' } });
}

const register = (app: EdgesApp, id: string, pin: string) =>
  post(app, `${id}/register`, { messaging_product: 'whatsapp', pin });
const deregister = (app: EdgesApp, id: string) => post(app, `${id}/deregister`, {});
const requestCode = (app: EdgesApp, id: string) =>
  post(app, `${id}/request_code`, { code_method: 'SMS', language: 'en_US' });

async function admin(app: EdgesApp, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await app.fastify.inject({
    method,
    url: `/__admin${path}`,
    remoteAddress: '127.0.0.1',
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  return { status: response.statusCode, body: response.body };
}

async function historyOf(app: EdgesApp, id: string): Promise<string> {
  return (await admin(app, 'GET', `/phone-numbers/${id}/history`)).body;
}

/** The catalogue row's code, type and HTTP status: what a client branches on, in any error format. */
function assertError(response: { statusCode: number; body: string }, row: CatalogueRow): void {
  assert.equal(response.statusCode, row.httpStatus, response.body);
  const error = (JSON.parse(response.body) as { error: { code: number; type: string } }).error;
  assert.deepEqual([error.code, error.type], [row.code, row.type], response.body);
}

test('register with a PIN other than the stored one is 133005 and changes nothing', async () => {
  await withApp(async (app) => {
    assert.equal((await post(app, E.first, { pin: '123456' })).body, SUCCESS);
    const before = {
      node: (
        await app.send(
          'GET',
          `/v21.0/${E.first}?fields=status,is_pin_enabled,platform_type&access_token=T-ALL`,
        )
      ).body,
      history: await historyOf(app, E.first),
    };
    for (let call = 0; call < 12; call++)
      assertError(await register(app, E.first, '654321'), ERROR_CATALOGUE.pinMismatch);
    // Deregistered, a mismatch still refuses before the status rules would reconnect it.
    assert.equal((await deregister(app, E.first)).body, SUCCESS);
    const after = await historyOf(app, E.first);
    assertError(await register(app, E.first, '000000'), ERROR_CATALOGUE.pinMismatch);
    assert.equal(await historyOf(app, E.first), after);
    assert.equal(
      (await app.send('GET', `/v21.0/${E.first}?fields=status&access_token=T-ALL`)).body,
      `{"status":"DISCONNECTED","id":"${E.first}"}`,
    );
    // The refused calls were not counted: 9 more calls fit in the window (1 deregister so far).
    assert.equal((await register(app, E.first, '123456')).body, SUCCESS);
    for (let call = 0; call < 8; call++) assert.equal((await register(app, E.first, '123456')).body, SUCCESS);
    assertError(await register(app, E.first, '123456'), ERROR_CATALOGUE.registerRateLimit);
    assert.notEqual(before.history, after);
  });
});

test('a number with no PIN takes the one register sends; the history never shows it', async () => {
  await withApp(async (app) => {
    assert.equal((await register(app, E.third, '111111')).body, SUCCESS);
    assert.equal(
      await historyOf(app, E.third),
      wire({
        data: [
          {
            at: NOW.toISOString(),
            actor: ACTOR,
            change: 'two_step_pin',
            from: null,
            to: 'set',
            reason: null,
          },
        ],
      }),
    );
    assertError(await register(app, E.third, '222222'), ERROR_CATALOGUE.pinMismatch);
    assert.equal((await register(app, E.third, '111111')).body, SUCCESS);
    // Node POST replaces the PIN.
    assert.equal((await post(app, E.third, { pin: '222222' })).body, SUCCESS);
    assertError(await register(app, E.third, '111111'), ERROR_CATALOGUE.pinMismatch);
    assert.equal((await register(app, E.third, '222222')).body, SUCCESS);
    const state = await app.fastify.inject({
      method: 'GET',
      url: '/__admin/export',
      remoteAddress: '127.0.0.1',
    });
    assert.ok(!state.body.includes('111111') && !state.body.includes('222222'));
  });
});

test('register and deregister share 10 calls per 72 hours: the 11th is 133016, exactly 72 h later allowed', async () => {
  await withApp(async (app) => {
    for (let call = 0; call < 5; call++) {
      assert.equal((await deregister(app, E.first)).body, SUCCESS, `deregister ${call}`);
      assert.equal((await register(app, E.first, '123456')).body, SUCCESS, `register ${call}`);
    }
    const eleventh = await register(app, E.first, '123456');
    assertError(eleventh, ERROR_CATALOGUE.registerRateLimit);
    assertError(await deregister(app, E.first), ERROR_CATALOGUE.registerRateLimit);
    // The refused calls changed nothing and did not count; another number has its own window.
    assert.equal(
      (await app.send('GET', `/v21.0/${E.first}?fields=status&access_token=T-ALL`)).body,
      `{"status":"CONNECTED","id":"${E.first}"}`,
    );
    assert.equal((await deregister(app, E.third)).body, SUCCESS);
    assert.equal((await admin(app, 'POST', '/clock', { advance: '71h' })).status, 200);
    assertError(await deregister(app, E.first), ERROR_CATALOGUE.registerRateLimit);
    assert.equal((await admin(app, 'POST', '/clock', { advance: '1h' })).status, 200);
    // Every counted call is now exactly 72 h old: out of the window.
    for (let call = 0; call < 10; call++)
      assert.equal((await register(app, E.first, '123456')).body, SUCCESS, `call ${call}`);
    assertError(await register(app, E.first, '123456'), ERROR_CATALOGUE.registerRateLimit);
  });
});

test('request_code: the 11th call in 72 hours is 136024 and issues no code; 72 h later it works', async () => {
  await withApp(async (app) => {
    for (let call = 0; call < 10; call++)
      assert.equal((await requestCode(app, E.first)).body, SUCCESS, `call ${call}`);
    const otp = (await admin(app, 'GET', `/phone-numbers/${E.first}/otp`)).body;
    assertError(await requestCode(app, E.first), ERROR_CATALOGUE.codeRequestLimit);
    assert.equal((await admin(app, 'GET', `/phone-numbers/${E.first}/otp`)).body, otp);
    // Parameter errors come first and do not count; another number has its own window.
    assert.equal(
      (await post(app, `${E.first}/request_code`, { code_method: 'SMS' })).body,
      invalid('The parameter language is required'),
    );
    assert.equal((await requestCode(app, E.third)).body, SUCCESS);
    // register has its own window.
    assert.equal((await register(app, E.first, '123456')).body, SUCCESS);
    await admin(app, 'POST', '/clock', { advance: '72h' });
    assert.equal((await requestCode(app, E.first)).body, SUCCESS);
    assert.notEqual((await admin(app, 'GET', `/phone-numbers/${E.first}/otp`)).body, otp);
  });
});

test('node POST new_display_name (v14.0+) requests a name change like the admin plane', async () => {
  await withApp(async (app) => {
    const read = async () =>
      (await app.send('GET', `/v21.0/${E.first}?fields=new_display_name,new_name_status&access_token=T-ALL`))
        .body;
    assert.equal(await read(), `{"new_name_status":"NONE","id":"${E.first}"}`);
    assert.equal(
      (await post(app, E.first, { new_display_name: 'a'.repeat(513) })).body,
      invalid('Param new_display_name must be at most 512 characters long'),
    );
    assert.equal(
      (await post(app, E.first, { new_display_name: '' })).body,
      invalid('The parameter new_display_name is required'),
    );
    assert.equal(
      (await post(app, E.first, { new_display_name: 'First Line Caf\u00e9' }, 'v13.0')).statusCode,
      400,
    );
    assert.equal((await post(app, E.first, { new_display_name: 'First Line Caf\u00e9' })).body, SUCCESS);
    assert.equal(
      await read(),
      wire({ new_display_name: 'First Line Caf\u00e9', new_name_status: 'PENDING_REVIEW', id: E.first }),
    );
    assert.equal(
      await historyOf(app, E.first),
      JSON.stringify({
        data: [
          {
            at: NOW.toISOString(),
            actor: ACTOR,
            change: 'new_name',
            from: null,
            to: 'First Line Caf\u00e9',
            reason: null,
          },
        ],
      }),
    );
    // The decision is the admin plane's, and emits phone_number_name_update as any new-name decision.
    const decided = await admin(app, 'POST', `/phone-numbers/${E.first}/name-review`, {
      decision: 'APPROVED',
      which: 'new',
    });
    assert.equal(decided.status, 200);
    assert.equal(JSON.parse(decided.body).new_display_name, 'First Line Caf\u00e9');
    const deliveries = JSON.parse(
      (await admin(app, 'GET', `/webhooks/deliveries?phone_number=${E.first}`)).body,
    ) as {
      data: { field: string }[];
    };
    assert.deepEqual(
      deliveries.data.map((delivery) => delivery.field),
      ['phone_number_name_update'],
    );
  });
});

test('POST /__admin/phone-numbers/{id}/new-name sets new_display_name', async () => {
  await withApp(async (app) => {
    const response = await admin(app, 'POST', `/phone-numbers/${E.third}/new-name`, { name: 'Third Shop' });
    assert.equal(response.status, 200);
    const view = JSON.parse(response.body) as Record<string, unknown>;
    assert.deepEqual([view.new_display_name, view.new_name_status], ['Third Shop', 'PENDING_REVIEW']);
    assert.equal(
      (await app.send('GET', `/v21.0/${E.third}?fields=new_display_name&access_token=T-ALL`)).body,
      `{"new_display_name":"Third Shop","id":"${E.third}"}`,
    );
  });
});

test('export carries the PIN hash; reset with the export keeps it; export again is byte-identical', async () => {
  await withApp(async (app) => {
    assert.equal((await post(app, E.first, { pin: '424242' })).body, SUCCESS);
    const exported = await app.fastify.inject({
      method: 'GET',
      url: '/__admin/export',
      remoteAddress: '127.0.0.1',
    });
    assert.equal(exported.statusCode, 200);
    const doc = JSON.parse(exported.body) as {
      businesses: {
        wabas: { account_review_status: string; phone_numbers: { id: string; pin_hash?: string }[] }[];
      }[];
    };
    const numbers = doc.businesses.flatMap((b) => b.wabas.flatMap((w) => w.phone_numbers));
    const first = numbers.find((number) => number.id === E.first);
    assert.match(String(first?.pin_hash), PIN_HASH);
    assert.equal(numbers.filter((number) => number.pin_hash !== undefined).length, 1);
    assert.deepEqual(
      doc.businesses.flatMap((b) => b.wabas.map((w) => w.account_review_status)),
      ['APPROVED', 'APPROVED'],
    );
    const reset = await app.fastify.inject({
      method: 'POST',
      url: '/__admin/reset',
      remoteAddress: '127.0.0.1',
      headers: { 'content-type': 'application/json' },
      payload: exported.body,
    });
    assert.equal(reset.statusCode, 200, reset.body);
    const again = await app.fastify.inject({
      method: 'GET',
      url: '/__admin/export',
      remoteAddress: '127.0.0.1',
    });
    assert.equal(again.body, exported.body);
    assertError(await register(app, E.first, '000000'), ERROR_CATALOGUE.pinMismatch);
    assert.equal((await register(app, E.first, '424242')).body, SUCCESS);
  });
});
