// The real onboarding flow over sockets (issue 4 item 7): add a number to a WABA → request_code →
// verify_code with the OTP from the admin plane → register; then a number-level webhook override set
// through POST on the node receives the deregister event (webhooks.md, phone-number.md §5.2).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { fixedClock, loadScenarioText, NOW } from './helpers/graph-app.ts';
import { waitFor, WebhookReceiver } from './helpers/webhook-receiver.ts';

const SECRET = 'onboarding-app-secret';
const APP = '1300000000000001';
const WABA = '3300000000000001';
const TOKEN = 'T-ONBOARD';
/** 2026-11-24T12:00:00Z, the fixed clock of the suites. */
const TIME = 1795521600;
const ACTOR = `graph:${APP}`;

function scenario(hookUrl: string): string {
  return `
version: 1
seed: 5
apps:
  - id: "${APP}"
    secret: ${SECRET}
    webhook: { url: "${hookUrl}", verify_token: vt-app }
businesses:
  - id: "2300000000000001"
    wabas:
      - id: "${WABA}"
        phone_numbers: []
tokens:
  - { value: ${TOKEN}, app: "${APP}" }
`;
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function call(server: RunningServer, method: string, path: string, form: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(method === 'GET'
      ? {}
      : {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...form, access_token: TOKEN }).toString(),
        }),
  });
  return { status: response.status, text: await response.text() };
}

function envelope(value: Record<string, unknown>): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: WABA, time: TIME, changes: [{ value, field: 'account_update' }] }],
  });
}

test('a number added to a WABA is verified, registered and connected; its override gets the deregister event', async () => {
  const receiver = await new WebhookReceiver(SECRET).listen();
  closers.push(() => receiver.close());
  const own = await new WebhookReceiver(SECRET).listen();
  closers.push(() => own.close());
  const store = await freshTestStore();
  await loadScenarioText(store, scenario(receiver.url));
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    clock: fixedClock,
    webhooks: { idleMs: 20 },
  });
  closers.push(() => server.close(1000));

  const created = await call(server, 'POST', `/v21.0/${WABA}/phone_numbers`, {
    cc: '1',
    phone_number: '555-040-1234',
    verified_name: 'Onboarded Line',
  });
  assert.equal(created.status, 200, created.text);
  const id = (JSON.parse(created.text) as { id: string }).id;
  assert.deepEqual(
    await call(server, 'POST', `/v21.0/${id}/request_code`, { code_method: 'SMS', language: 'en_US' }),
    {
      status: 200,
      text: '{"success":true}',
    },
  );
  const otp = await fetch(`${server.url}/__admin/phone-numbers/${id}/otp`);
  const { code } = (await otp.json()) as { code: string };
  assert.deepEqual(await call(server, 'POST', `/v21.0/${id}/verify_code`, { code }), {
    status: 200,
    text: '{"success":true}',
  });
  assert.deepEqual(
    await call(server, 'POST', `/v21.0/${id}/register`, { messaging_product: 'whatsapp', pin: '246810' }),
    { status: 200, text: '{"success":true}' },
  );
  assert.deepEqual(
    await call(
      server,
      'GET',
      `/v21.0/${id}?fields=status,platform_type,code_verification_status&access_token=${TOKEN}`,
    ),
    {
      status: 200,
      text: `{"status":"CONNECTED","platform_type":"CLOUD_API","code_verification_status":"VERIFIED","id":"${id}"}`,
    },
  );
  const at = NOW.toISOString();
  const line = (change: string, from: string | null, to: string) => ({
    at,
    actor: ACTOR,
    change,
    from,
    to,
    reason: null,
  });
  const history = await fetch(`${server.url}/__admin/phone-numbers/${id}/history`);
  assert.deepEqual(await history.json(), {
    data: [
      line('two_step_pin', null, 'set'),
      line('is_pin_enabled', 'false', 'true'),
      line('platform_type', 'NOT_APPLICABLE', 'CLOUD_API'),
      line('status', 'PENDING', 'CONNECTED'),
      line('code_verification_status', 'NOT_VERIFIED', 'VERIFIED'),
    ],
  });
  await waitFor(() => receiver.delivered.length >= 1, 'the VERIFIED_ACCOUNT event');
  assert.deepEqual(receiver.delivered, [
    envelope({ phone_number: '15550401234', event: 'VERIFIED_ACCOUNT' }),
  ]);

  // The number's own webhook: verified like a subscription, then it receives the number's events.
  const override = JSON.stringify({ override_callback_uri: own.url, verify_token: 'vt-own' });
  assert.deepEqual(await call(server, 'POST', `/v21.0/${id}`, { webhook_configuration: override }), {
    status: 200,
    text: '{"success":true}',
  });
  assert.deepEqual(await call(server, 'POST', `/v21.0/${id}/deregister`), {
    status: 200,
    text: '{"success":true}',
  });
  await waitFor(() => own.delivered.length >= 1, 'the ACCOUNT_OFFBOARDED event at the override');
  assert.equal(own.verifications[0]?.query.get('hub.verify_token'), 'vt-own');
  assert.deepEqual(own.delivered, [
    envelope({
      phone_number: '15550401234',
      event: 'ACCOUNT_OFFBOARDED',
      disconnection_info: { reason: 'Deregistered via API', initiated_by: 'USER' },
    }),
  ]);
  assert.equal(receiver.delivered.length, 1);
  assert.deepEqual(
    await call(
      server,
      'GET',
      `/v21.0/${id}?fields=status,platform_type,webhook_configuration&access_token=${TOKEN}`,
    ),
    {
      status: 200,
      text: JSON.stringify({
        status: 'DISCONNECTED',
        platform_type: 'NOT_APPLICABLE',
        webhook_configuration: { application: receiver.url, phone_number: own.url },
        id,
      }).replace(/\//g, '\\/'),
    },
  );
});
