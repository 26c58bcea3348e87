// WABA fields (phone-number.md §6), the admin review route and history (control-plane.md §3) and the
// `account_review_update` webhook (webhooks.md), on a real listening server with a signing receiver.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { fixedClock, loadScenarioText, NOW } from './helpers/graph-app.ts';
import { WebhookReceiver, waitFor } from './helpers/webhook-receiver.ts';

const SECRET = 'review-app-secret';
const APP = '1300000000000001';
const WABA = '3300000000000001';
const BANNED = '3300000000000002';
const TOKEN = 'T-REVIEW';

function scenario(url: string): string {
  return `
version: 1
apps:
  - id: "${APP}"
    secret: ${SECRET}
    webhook: { url: "${url}", verify_token: vt-review }
businesses:
  - id: "2300000000000001"
    wabas:
      - id: "${WABA}"
        name: Review Me
        message_template_namespace: 0a1b2c3d-0000-4000-8000-000000000003
        account_review_status: PENDING
        business_verification_status: pending_submission
        country: BR
        ownership_type: ON_BEHALF_OF
        phone_numbers:
          - { id: "430000000000001", display_phone_number: "+1 555-040-0001", verified_name: One }
      - id: "${BANNED}"
        name: Banned
        message_template_namespace: 0a1b2c3d-0000-4000-8000-000000000004
        banned: true
tokens:
  - { value: ${TOKEN}, app: "${APP}" }
`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Harness {
  readonly server: RunningServer;
  readonly receiver: WebhookReceiver;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
  graph(path: string): Promise<{ status: number; body: string }>;
}

const open: { server: RunningServer; receiver: WebhookReceiver }[] = [];
after(async () => {
  for (const { server, receiver } of open) {
    await server.close(1000);
    await receiver.close();
  }
});

async function harness(): Promise<Harness> {
  const receiver = await new WebhookReceiver(SECRET).listen();
  const store = await freshTestStore();
  await loadScenarioText(store, scenario(receiver.url));
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    clock: fixedClock,
    webhooks: { idleMs: 20 },
  });
  open.push({ server, receiver });
  return {
    server,
    receiver,
    async admin(method, path, body) {
      const response = await fetch(`${server.url}/__admin${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
    },
    async graph(path) {
      const response = await fetch(
        `${server.url}${path}${path.includes('?') ? '&' : '?'}access_token=${TOKEN}`,
      );
      return { status: response.status, body: await response.text() };
    },
  };
}

function health(wabaId: string, waba: string, business: string, overall: string): unknown {
  return {
    can_send_message: overall,
    entities: [
      { entity_type: 'WABA', id: wabaId, can_send_message: waba },
      { entity_type: 'BUSINESS', id: '2300000000000001', can_send_message: business },
      { entity_type: 'APP', id: APP, can_send_message: 'AVAILABLE' },
    ],
  };
}

const ALL =
  'account_review_status,business_verification_status,country,ownership_type,currency,health_status';

test('the WABA node: defaults in Meta’s order, the review fields and its own health_status', async () => {
  const h = await harness();
  const defaults = await h.graph(`/v21.0/${WABA}`);
  assert.equal(defaults.status, 200);
  assert.equal(
    defaults.body,
    JSON.stringify({
      id: WABA,
      name: 'Review Me',
      timezone_id: '1',
      message_template_namespace: '0a1b2c3d-0000-4000-8000-000000000003',
    }),
  );
  assert.deepEqual(JSON.parse((await h.graph(`/v21.0/${WABA}?fields=${ALL}`)).body), {
    account_review_status: 'PENDING',
    business_verification_status: 'pending_submission',
    country: 'BR',
    ownership_type: 'ON_BEHALF_OF',
    currency: 'USD',
    health_status: health(WABA, 'AVAILABLE', 'AVAILABLE', 'AVAILABLE'),
    id: WABA,
  });
  // Scenario defaults, and a banned WABA is BLOCKED (WABA and business).
  assert.deepEqual(JSON.parse((await h.graph(`/v21.0/${BANNED}?fields=${ALL}`)).body), {
    account_review_status: 'APPROVED',
    business_verification_status: 'verified',
    country: 'US',
    ownership_type: 'SELF',
    currency: 'USD',
    health_status: health(BANNED, 'BLOCKED', 'BLOCKED', 'BLOCKED'),
    id: BANNED,
  });
  assert.deepEqual(
    JSON.parse((await h.graph(`/v21.0/${WABA}?fields=health_status{can_send_message}`)).body),
    {
      health_status: { can_send_message: 'AVAILABLE' },
      id: WABA,
    },
  );
});

test('POST /__admin/wabas/{id}/review: validation, the WABA as it is now, history, account_review_update', async () => {
  const h = await harness();
  const cases: [unknown, number, string, string][] = [
    [{}, 400, 'validation_failed', 'give account_review_status and/or business_verification_status'],
    [
      { account_review_status: 'MAYBE' },
      400,
      'validation_failed',
      'account_review_status must be one of APPROVED, PENDING, REJECTED',
    ],
    [
      { business_verification_status: 'VERIFIED' },
      400,
      'validation_failed',
      'business_verification_status must be one of expired, failed, ineligible, not_verified, pending, pending_need_more_info, pending_submission, rejected, revoked, verified',
    ],
    [
      { banned: true },
      400,
      'validation_failed',
      'unknown field banned; give account_review_status and/or business_verification_status',
    ],
  ];
  for (const [body, status, code, message] of cases) {
    assert.deepEqual(await h.admin('POST', `/wabas/${WABA}/review`, body), {
      status,
      json: { error: { message, code } },
    });
  }
  assert.deepEqual(
    await h.admin('POST', '/wabas/3399999999999999/review', { account_review_status: 'APPROVED' }),
    {
      status: 404,
      json: { error: { message: 'Unknown WABA 3399999999999999', code: 'not_found' } },
    },
  );
  const rejected = await h.admin('POST', `/wabas/${WABA}/review`, {
    account_review_status: 'REJECTED',
    business_verification_status: 'rejected',
  });
  assert.deepEqual(rejected, {
    status: 200,
    json: {
      id: WABA,
      business_id: '2300000000000001',
      name: 'Review Me',
      timezone_id: '1',
      currency: 'USD',
      message_template_namespace: '0a1b2c3d-0000-4000-8000-000000000003',
      account_review_status: 'REJECTED',
      business_verification_status: 'rejected',
      country: 'BR',
      ownership_type: 'ON_BEHALF_OF',
      banned: false,
    },
  });
  // A rejected review blocks the WABA in its own health view.
  assert.deepEqual(
    JSON.parse((await h.graph(`/v21.0/${WABA}?fields=health_status`)).body).health_status,
    health(WABA, 'BLOCKED', 'AVAILABLE', 'BLOCKED'),
  );
  // The same decision again: no history, no event.
  assert.equal(
    (await h.admin('POST', `/wabas/${WABA}/review`, { account_review_status: 'REJECTED' })).status,
    200,
  );
  assert.equal(
    (await h.admin('POST', `/wabas/${WABA}/review`, { account_review_status: 'APPROVED' })).status,
    200,
  );
  const at = NOW.toISOString();
  assert.deepEqual(await h.admin('GET', `/wabas/${WABA}/history`), {
    status: 200,
    json: {
      data: [
        {
          at,
          actor: 'admin',
          change: 'account_review_status',
          from: 'REJECTED',
          to: 'APPROVED',
          reason: null,
        },
        {
          at,
          actor: 'admin',
          change: 'business_verification_status',
          from: 'pending_submission',
          to: 'rejected',
          reason: null,
        },
        {
          at,
          actor: 'admin',
          change: 'account_review_status',
          from: 'PENDING',
          to: 'REJECTED',
          reason: null,
        },
      ],
    },
  });
  assert.deepEqual(await h.admin('GET', '/wabas/3399999999999999/history'), {
    status: 404,
    json: { error: { message: 'Unknown WABA 3399999999999999', code: 'not_found' } },
  });
  // Two events, signed, in order, each with the WABA as the entry id.
  await waitFor(() => h.receiver.delivered.length >= 2, 'two account_review_update deliveries');
  const time = Math.floor(NOW.getTime() / 1000);
  assert.deepEqual(
    h.receiver.delivered,
    ['REJECTED', 'APPROVED'].map((decision) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: WABA, time, changes: [{ value: { decision }, field: 'account_review_update' }] }],
      }),
    ),
  );
  assert.ok(h.receiver.events.every((event) => event.signatureValid));
  assert.deepEqual(JSON.parse((await h.graph(`/v21.0/${WABA}?fields=account_review_status`)).body), {
    account_review_status: 'APPROVED',
    id: WABA,
  });
});
