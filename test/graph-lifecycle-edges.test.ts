// The lifecycle edges of the phone-number node (phone-number.md §5.2) and POST on the node from v14.0,
// through HTTP, every body compared whole.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { VERIFY_CODE_REASONS } from '../src/contract/errors.ts';
import { parseScenarioText } from '../src/domain/scenario/load-scenario-file.ts';
import {
  E,
  EDGES_SCENARIO,
  edgesApp,
  errorBody,
  invalid,
  unsupported,
  wire,
  type EdgesApp,
} from './helpers/edges-app.ts';
import { NOW } from './helpers/graph-app.ts';

const SUCCESS = '{"success":true}';
const TRACE = 'TRACEtrace0123456789-_x';

async function withApp(run: (app: EdgesApp) => Promise<void>): Promise<void> {
  const app = await edgesApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

function post(app: EdgesApp, path: string, form: Record<string, string>, token = 'T-ALL') {
  return app.send('POST', `/v21.0/${path}`, { form: { ...form, access_token: token } });
}

async function admin(app: EdgesApp, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await app.fastify.inject({
    method,
    url: `/__admin${path}`,
    remoteAddress: '127.0.0.1',
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  return { status: response.statusCode, body: response.body };
}

async function read(app: EdgesApp, id: string, fields: string): Promise<string> {
  return (await app.send('GET', `/v21.0/${id}?fields=${fields}&access_token=T-ALL`)).body;
}

/** A new PENDING number on the first WABA (phone-number.md §6). */
async function pendingNumber(app: EdgesApp, digits = '5550309999'): Promise<string> {
  const created = await post(app, `${E.waba}/phone_numbers`, {
    cc: '1',
    phone_number: digits,
    verified_name: 'New Line',
  });
  assert.equal(created.statusCode, 200, created.body);
  return (JSON.parse(created.body) as { id: string }).id;
}

async function otpOf(app: EdgesApp, id: string): Promise<string> {
  const shown = await admin(app, 'GET', `/phone-numbers/${id}/otp`);
  assert.equal(shown.status, 200, shown.body);
  return (JSON.parse(shown.body) as { code: string }).code;
}

async function verified(app: EdgesApp, id: string): Promise<void> {
  assert.equal(
    (await post(app, `${id}/request_code`, { code_method: 'SMS', language: 'en_US' })).body,
    SUCCESS,
  );
  assert.equal((await post(app, `${id}/verify_code`, { code: await otpOf(app, id) })).body, SUCCESS);
}

function verifyError(reason: string): string {
  return wire({
    error: {
      message: '(#136025) Verify code error',
      type: 'OAuthException',
      code: 136025,
      error_data: { messaging_product: 'whatsapp', details: reason },
      fbtrace_id: TRACE,
    },
  });
}

const RATE_LIMITED = wire({
  error: {
    message: '(#133016) Account register deregister rate limit exceeded',
    type: 'OAuthException',
    code: 133016,
    error_data: {
      messaging_product: 'whatsapp',
      details:
        'Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time',
    },
    fbtrace_id: TRACE,
  },
});

const REGISTER = { messaging_product: 'whatsapp', pin: '123456' };

test('request_code issues a seeded 6-digit code readable on the admin plane', async () => {
  const codes: string[] = [];
  for (let run = 0; run < 2; run++) {
    await withApp(async (app) => {
      const none = await admin(app, 'GET', `/phone-numbers/${E.first}/otp`);
      assert.deepEqual(none, {
        status: 404,
        body: `{"error":{"message":"No code has been requested for ${E.first}","code":"not_found"}}`,
      });
      const response = await post(app, `${E.first}/request_code`, { code_method: 'SMS', language: 'en_US' });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, SUCCESS);
      const code = await otpOf(app, E.first);
      assert.match(code, /^\d{6}$/);
      assert.deepEqual(await admin(app, 'GET', `/phone-numbers/${E.first}/otp`), {
        status: 200,
        body: JSON.stringify({
          phone_number_id: E.first,
          code,
          code_method: 'SMS',
          issued_at: NOW.toISOString(),
        }),
      });
      codes.push(code);
      await post(app, `${E.first}/request_code`, { code_method: 'VOICE', language: 'pt_BR' });
      codes.push(await otpOf(app, E.first));
    });
  }
  // The scenario has a seed: each run issues the same codes, and each request the next one.
  assert.equal(codes[0], codes[2]);
  assert.equal(codes[1], codes[3]);
  assert.notEqual(codes[0], codes[1]);
});

test('request_code checks its parameters in order and needs whatsapp_business_management', async () => {
  await withApp(async (app) => {
    const id = E.first;
    const cases: [Record<string, string>, string][] = [
      [{}, invalid('The parameter code_method is required')],
      [{ language: 'en_US' }, invalid('The parameter code_method is required')],
      [
        { code_method: 'sms', language: 'en_US' },
        invalid('Param code_method must be one of {SMS, VOICE} - got "sms"'),
      ],
      [{ code_method: 'SMS' }, invalid('The parameter language is required')],
    ];
    for (const [form, body] of cases) assert.equal((await post(app, `${id}/request_code`, form)).body, body);
    const messagingOnly = await post(
      app,
      `${id}/request_code`,
      { code_method: 'SMS', language: 'en' },
      'T-MSG',
    );
    assert.equal(messagingOnly.statusCode, 400);
    assert.equal(messagingOnly.body, unsupported('post', id));
    const verifyMessaging = await post(app, `${id}/verify_code`, { code: '000000' }, 'T-MSG');
    assert.equal(verifyMessaging.body, unsupported('post', id));
    assert.equal(
      (await app.send('GET', `/v21.0/${id}/request_code?access_token=T-ALL`)).body,
      unsupported('get', id),
    );
    assert.equal(
      (await app.send('DELETE', `/v21.0/${id}/register?access_token=T-ALL`)).body,
      unsupported('delete', id),
    );
    assert.equal(
      (await app.send('GET', `/v21.0/${id}/register/extra?access_token=T-ALL`)).body,
      errorBody('Unknown path components: /register/extra', 2500, 'OAuthException'),
    );
    assert.equal((await admin(app, 'GET', `/phone-numbers/${id}/otp`)).status, 404);
  });
});

test('verify_code: a wrong code and an expired one are 136025; the right one verifies, with history', async () => {
  await withApp(async (app) => {
    const id = await pendingNumber(app);
    assert.equal((await post(app, `${id}/verify_code`, {})).body, invalid('The parameter code is required'));
    const never = await post(app, `${id}/verify_code`, { code: '123456' });
    assert.equal(never.statusCode, 400);
    assert.equal(never.body, verifyError(VERIFY_CODE_REASONS.incorrect));
    await post(app, `${id}/request_code`, { code_method: 'SMS', language: 'en_US' });
    const code = await otpOf(app, id);
    const wrong = code === '000000' ? '000001' : '000000';
    assert.equal(
      (await post(app, `${id}/verify_code`, { code: wrong })).body,
      verifyError(VERIFY_CODE_REASONS.incorrect),
    );
    assert.equal((await admin(app, 'POST', '/clock', { advance: '10m' })).status, 200);
    const expired = await post(app, `${id}/verify_code`, { code });
    assert.equal(expired.statusCode, 400);
    assert.equal(expired.body, verifyError(VERIFY_CODE_REASONS.expired));
    assert.equal(
      await read(app, id, 'code_verification_status'),
      `{"code_verification_status":"NOT_VERIFIED","id":"${id}"}`,
    );
    await post(app, `${id}/request_code`, { code_method: 'SMS', language: 'en_US' });
    const fresh = await otpOf(app, id);
    assert.equal((await post(app, `${id}/verify_code`, { code: fresh })).body, SUCCESS);
    assert.equal(
      await read(app, id, 'code_verification_status'),
      `{"code_verification_status":"VERIFIED","id":"${id}"}`,
    );
    const at = new Date(NOW.getTime() + 600_000).toISOString();
    assert.deepEqual(await admin(app, 'GET', `/phone-numbers/${id}/history`), {
      status: 200,
      body: JSON.stringify({
        data: [
          {
            at,
            actor: 'graph:1100000000000001',
            change: 'code_verification_status',
            from: 'NOT_VERIFIED',
            to: 'VERIFIED',
            reason: null,
          },
        ],
      }),
    });
    // The same code again is still right until it expires; nothing changes.
    assert.equal((await post(app, `${id}/verify_code`, { code: fresh })).body, SUCCESS);
    assert.equal(JSON.parse((await admin(app, 'GET', `/phone-numbers/${id}/history`)).body).data.length, 1);
  });
});

test('register: parameters, the verification rule, the status rules and the change it makes', async () => {
  await withApp(async (app) => {
    const id = await pendingNumber(app);
    const cases: [Record<string, string>, string][] = [
      [{ pin: '123456' }, invalid('The parameter messaging_product is required')],
      [
        { messaging_product: 'sms', pin: '123456' },
        invalid('Param messaging_product must be whatsapp - got "sms"'),
      ],
      [{ messaging_product: 'whatsapp' }, invalid('The parameter pin is required')],
      [{ messaging_product: 'whatsapp', pin: '12345' }, invalid('Param pin must be a 6-digit string')],
      [{ messaging_product: 'whatsapp', pin: '12345a' }, invalid('Param pin must be a 6-digit string')],
      [REGISTER, invalid('The phone number must be verified before it can be registered')],
    ];
    for (const [form, body] of cases) assert.equal((await post(app, `${id}/register`, form)).body, body);
    await verified(app, id);
    const registered = await post(app, `${id}/register`, REGISTER, 'T-MSG');
    assert.equal(registered.statusCode, 200);
    assert.equal(registered.body, SUCCESS);
    assert.equal(
      await read(app, id, 'status,platform_type,is_pin_enabled,code_verification_status'),
      `{"status":"CONNECTED","platform_type":"CLOUD_API","is_pin_enabled":true,"code_verification_status":"VERIFIED","id":"${id}"}`,
    );
    const history = JSON.parse((await admin(app, 'GET', `/phone-numbers/${id}/history`)).body) as {
      data: { change: string; from: string; to: string; actor: string }[];
    };
    assert.deepEqual(
      history.data.map(({ change, from, to, actor }) => [change, from, to, actor]),
      [
        ['two_step_pin', null, 'set', 'graph:1100000000000001'],
        ['is_pin_enabled', 'false', 'true', 'graph:1100000000000001'],
        ['platform_type', 'NOT_APPLICABLE', 'CLOUD_API', 'graph:1100000000000001'],
        ['status', 'PENDING', 'CONNECTED', 'graph:1100000000000001'],
        ['code_verification_status', 'NOT_VERIFIED', 'VERIFIED', 'graph:1100000000000001'],
      ],
    );
    // Already CONNECTED: success, no change.
    assert.equal((await post(app, `${id}/register`, REGISTER)).body, SUCCESS);
    assert.equal(JSON.parse((await admin(app, 'GET', `/phone-numbers/${id}/history`)).body).data.length, 5);
    for (const [number, status] of [
      [E.second, 'FLAGGED'],
      [E.deleted, 'DELETED'],
    ] as const) {
      assert.equal(
        (await post(app, `${number}/register`, REGISTER)).body,
        invalid(`The phone number cannot be registered in status ${status}`),
      );
    }
  });
});

test('deregister: CONNECTED and FLAGGED go DISCONNECTED off the Cloud API; register brings them back', async () => {
  await withApp(async (app) => {
    for (const id of [E.first, E.second]) {
      const response = await post(app, `${id}/deregister`, {}, 'T-MSG');
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, SUCCESS);
      assert.equal(
        await read(app, id, 'status,platform_type'),
        `{"status":"DISCONNECTED","platform_type":"NOT_APPLICABLE","id":"${id}"}`,
      );
      assert.equal((await post(app, `${id}/deregister`, {})).body, SUCCESS);
    }
    assert.equal(
      (await post(app, `${E.deleted}/deregister`, {})).body,
      invalid('The phone number cannot be deregistered in status DELETED'),
    );
    assert.equal(
      (await post(app, `${await pendingNumber(app)}/deregister`, {})).body,
      invalid('The phone number cannot be deregistered in status PENDING'),
    );
    // The scenario's CONNECTED numbers are VERIFIED, and deregister keeps that: register brings it back.
    assert.equal((await post(app, `${E.first}/register`, REGISTER)).body, SUCCESS);
    assert.equal(
      await read(app, E.first, 'status,platform_type'),
      `{"status":"CONNECTED","platform_type":"CLOUD_API","id":"${E.first}"}`,
    );
  });
});

test('register: an 11th call in 72 hours is 133016; refused calls do not count', async () => {
  await withApp(async (app) => {
    for (let call = 0; call < 10; call++) {
      assert.equal((await post(app, `${E.first}/register`, REGISTER)).body, SUCCESS);
    }
    const refused = await post(app, `${E.first}/register`, REGISTER);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.body, RATE_LIMITED);
    // Other numbers have their own limit; calls refused for their parameters never reach it.
    assert.equal((await post(app, `${E.third}/register`, REGISTER)).body, SUCCESS);
    assert.equal(
      (await post(app, `${E.first}/register`, { messaging_product: 'whatsapp' })).body,
      invalid('The parameter pin is required'),
    );
    await admin(app, 'POST', '/clock', { advance: '1h' });
    for (let call = 0; call < 5; call++) {
      assert.equal((await post(app, `${E.first}/register`, REGISTER)).body, RATE_LIMITED);
    }
    await admin(app, 'POST', '/clock', { advance: '71h' });
    // The first ten are out of the window; the five refused ones were never counted.
    for (let call = 0; call < 10; call++) {
      assert.equal((await post(app, `${E.first}/register`, REGISTER)).body, SUCCESS, `call ${call}`);
    }
    assert.equal((await post(app, `${E.first}/register`, REGISTER)).body, RATE_LIMITED);
    // deregister shares the limit (phone-number.md §5.2).
    assert.equal((await post(app, `${E.first}/deregister`, {})).body, RATE_LIMITED);
  });
});

test('POST on the node from v14.0 sets the PIN and the webhook override; v13.0 still refuses it', async () => {
  await withApp(async (app) => {
    const id = await pendingNumber(app);
    const send = (form: Record<string, string>, version = 'v21.0') =>
      app.send('POST', `/${version}/${id}`, { form: { ...form, access_token: 'T-MSG' } });
    assert.equal((await send({ pin: '654321' }, 'v13.0')).body, unsupported('post', id));
    assert.equal(
      (await send({})).body,
      invalid('The parameter pin, webhook_configuration or new_display_name is required'),
    );
    assert.equal((await send({ pin: '65432' })).body, invalid('Param pin must be a 6-digit string'));
    assert.equal(
      (await send({ pin: '654321', name: 'x' })).body,
      invalid('Param name cannot be set on this node'),
    );
    const badConfig = invalid(
      'Param webhook_configuration must be a JSON object with override_callback_uri (an http or https URL, or "" to remove the override) and verify_token',
    );
    for (const value of [
      'nope',
      '[]',
      '{"override_callback_uri":"ftp://x"}',
      '{"override_callback_uri":"https://x"}',
    ])
      assert.equal((await send({ webhook_configuration: value })).body, badConfig);
    const pin = await send({ pin: '654321' }, 'v14.0');
    assert.equal(pin.statusCode, 200);
    assert.equal(pin.body, SUCCESS);
    assert.equal(await read(app, id, 'is_pin_enabled'), `{"is_pin_enabled":true,"id":"${id}"}`);
    const json = await app.send('POST', `/v21.0/${id}`, {
      json: {
        access_token: 'T-ALL',
        webhook_configuration: { override_callback_uri: 'https://hooks.example.test/n', verify_token: 'vt' },
      },
    });
    assert.equal(json.body, SUCCESS);
    assert.equal(
      await read(app, id, 'webhook_configuration'),
      wire({ webhook_configuration: { phone_number: 'https://hooks.example.test/n' }, id }),
    );
    const form = await send({
      webhook_configuration: JSON.stringify({
        override_callback_uri: 'https://hooks.example.test/m',
        verify_token: 'vt',
      }),
    });
    assert.equal(form.body, SUCCESS);
    assert.equal(
      await read(app, id, 'webhook_configuration'),
      wire({ webhook_configuration: { phone_number: 'https://hooks.example.test/m' }, id }),
    );
    assert.equal((await send({ webhook_configuration: '{"override_callback_uri":""}' })).body, SUCCESS);
    assert.equal(await read(app, id, 'webhook_configuration'), `{"id":"${id}"}`);
    const history = JSON.parse((await admin(app, 'GET', `/phone-numbers/${id}/history`)).body) as {
      data: { change: string; from: string | null; to: string | null }[];
    };
    assert.deepEqual(
      history.data.map(({ change, from, to }) => [change, from, to]),
      [
        ['webhook_override', 'https://hooks.example.test/m', null],
        ['webhook_override', 'https://hooks.example.test/n', 'https://hooks.example.test/m'],
        ['webhook_override', null, 'https://hooks.example.test/n'],
        ['two_step_pin', null, 'set'],
        ['is_pin_enabled', 'false', 'true'],
      ],
    );
  });
});

test('a wrong method or permission on an edge is 100/33 before a full rate-limit window; then 80008', async () => {
  await withApp(async (app) => {
    const exhausted = await admin(app, 'POST', '/rate-limits', {
      exhaust: { app: '1100000000000001', waba: E.waba },
    });
    assert.equal(exhausted.status, 200, exhausted.body);
    assert.equal(
      (await app.send('GET', `/v21.0/${E.first}/register?access_token=T-ALL`)).body,
      unsupported('get', E.first),
    );
    assert.equal(
      (await post(app, `${E.first}/request_code`, { code_method: 'SMS', language: 'en' }, 'T-MSG')).body,
      unsupported('post', E.first),
    );
    const full = await post(app, `${E.first}/register`, REGISTER);
    assert.equal(JSON.parse(full.body).error.code, 80008);
  });
});

test('a scenario merge keeps OTPs and the register window; a reset clears both', async () => {
  await withApp(async (app) => {
    await post(app, `${E.first}/request_code`, { code_method: 'SMS', language: 'en_US' });
    const code = await otpOf(app, E.first);
    for (let call = 0; call < 10; call++) await post(app, `${E.first}/register`, REGISTER);
    const patch = {
      version: 1,
      businesses: [
        {
          id: '2100000000000001',
          wabas: [{ id: E.waba, phone_numbers: [{ id: E.third, status: 'FLAGGED' }] }],
        },
      ],
    };
    const merged = await admin(app, 'POST', '/scenario', patch);
    assert.equal(merged.status, 200, merged.body);
    assert.equal(await otpOf(app, E.first), code);
    assert.equal((await post(app, `${E.first}/register`, REGISTER)).body, RATE_LIMITED);
    const scenario = parseScenarioText(readFileSync(EDGES_SCENARIO, 'utf8'), 'edges.yaml');
    assert.equal((await admin(app, 'POST', '/reset', scenario)).status, 200);
    assert.equal((await admin(app, 'GET', `/phone-numbers/${E.first}/otp`)).status, 404);
    assert.equal((await post(app, `${E.first}/register`, REGISTER)).body, SUCCESS);
  });
});
