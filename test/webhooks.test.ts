// Lifecycle changes through the admin plane and the webhooks they cause, delivered by the outbox
// dispatcher of a real listening server to a real receiver on loopback (webhooks.md, phone-number.md §4).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { DispatcherSettings } from '../src/webhooks/outbox-dispatcher.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { fixedClock, loadScenarioText } from './helpers/graph-app.ts';
import { WebhookReceiver, waitFor } from './helpers/webhook-receiver.ts';

const SECRET = 'hook-app-secret';
const APP = '1200000000000001';
const QUIET_APP = '1200000000000002';
const WABA = '3200000000000001';
const N = {
  connected: '420000000000001',
  pending: '420000000000002',
  disconnected: '420000000000003',
  flagged: '420000000000004',
  second: '420000000000005',
  third: '420000000000006',
} as const;
/** 2026-11-24T12:00:00Z, the fixed clock of the suites. */
const TIME = 1795521600;

function scenario(url: string, fields?: string[], overrideUrl?: string): string {
  const fieldLine = fields === undefined ? '' : `, fields: [${fields.join(', ')}]`;
  const override =
    overrideUrl === undefined
      ? ''
      : `, webhook_configuration: { override_callback_uri: "${overrideUrl}", verify_token: vt-number }`;
  return `
version: 1
apps:
  - id: "${APP}"
    secret: ${SECRET}
    webhook: { url: "${url}", verify_token: vt-hook${fieldLine} }
  - id: "${QUIET_APP}"
    wabas: []
businesses:
  - id: "2200000000000001"
    wabas:
      - id: "${WABA}"
        phone_numbers:
          - id: "${N.connected}"
            display_phone_number: "+1 555-030-0001"
            verified_name: "Caf\\u00e9 / One"
            name_status: PENDING_REVIEW
            requested_verified_name: "Caf\\u00e9 New"
            new_name_status: PENDING_REVIEW
          - { id: "${N.pending}", display_phone_number: "+1 555-030-0002", verified_name: Two, status: PENDING }
          - { id: "${N.disconnected}", display_phone_number: "+1 555-030-0003", verified_name: Three, status: DISCONNECTED }
          - { id: "${N.flagged}", display_phone_number: "+1 555-030-0004", verified_name: Four, status: FLAGGED, messaging_limit_tier: TIER_10K }
          - { id: "${N.second}", display_phone_number: "+1 555-030-0005", verified_name: Five }
          - { id: "${N.third}", display_phone_number: "+1 555-030-0006", verified_name: Six${override} }
`;
}

// Admin answers are asserted field by field; a loose type keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Harness {
  readonly server: RunningServer;
  readonly receiver: WebhookReceiver;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
  close(): Promise<void>;
}

const open: Harness[] = [];
after(async () => {
  for (const harness of open) await harness.close();
});

async function harness(
  options: {
    fields?: string[];
    webhooks?: Partial<DispatcherSettings>;
    verify?: (c: string) => string;
    overrideUrl?: string;
  } = {},
): Promise<Harness> {
  const receiver = await new WebhookReceiver(SECRET).listen();
  if (options.verify !== undefined) receiver.verify = options.verify;
  const store = await freshTestStore();
  await loadScenarioText(store, scenario(receiver.url, options.fields, options.overrideUrl));
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    clock: fixedClock,
    webhooks: { idleMs: 20, ...options.webhooks },
  });
  let closed = false;
  const self: Harness = {
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
    async close() {
      if (closed) return;
      closed = true;
      await server.close(1000);
      await receiver.close();
    },
  };
  open.push(self);
  return self;
}

/**
 * Moves the server clock by `step` until `check` holds: a retry is scheduled from the clock at the time
 * its failure is recorded, which may come just after a single move.
 */
async function advanceUntil(h: Harness, step: string, check: () => boolean, what: string): Promise<void> {
  await waitFor(async () => {
    if (check()) return true;
    await h.admin('POST', '/clock', { advance: step });
    await new Promise((resolve) => setTimeout(resolve, 20));
    return check();
  }, what);
}

function envelope(field: string, value: string): string {
  return `{"object":"whatsapp_business_account","entry":[{"id":"${WABA}","time":${TIME},"changes":[{"value":${value},"field":"${field}"}]}]}`;
}

interface Row {
  readonly title: string;
  readonly steps: readonly [string, string, unknown][];
  readonly field: string;
  readonly value: string;
}

const status = (id: string, to: string, extra: Record<string, unknown> = {}): [string, string, unknown] => [
  'POST',
  `/phone-numbers/${id}/status`,
  { status: to, ...extra },
];

/** Every row of webhooks.md § Events, with the exact value it must produce. */
const ROWS: readonly Row[] = [
  {
    title: 'name approved',
    steps: [['POST', `/phone-numbers/${N.connected}/name-review`, { decision: 'APPROVED' }]],
    field: 'phone_number_name_update',
    value:
      '{"display_phone_number":"15550300001","decision":"APPROVED","requested_verified_name":"Caf\\u00e9 \\/ One","rejection_reason":null}',
  },
  {
    title: 'name rejected with the default reason',
    steps: [['POST', `/phone-numbers/${N.connected}/name-review`, { decision: 'REJECTED' }]],
    field: 'phone_number_name_update',
    value:
      '{"display_phone_number":"15550300001","decision":"REJECTED","requested_verified_name":"Caf\\u00e9 \\/ One","rejection_reason":"UNKNOWN"}',
  },
  {
    title: 'new name rejected with a reason',
    steps: [
      [
        'POST',
        `/phone-numbers/${N.connected}/name-review`,
        { decision: 'REJECTED', which: 'new', rejection_reason: 'NAME_FORMAT_UNACCEPTABLE' },
      ],
    ],
    field: 'phone_number_name_update',
    value:
      '{"display_phone_number":"15550300001","decision":"REJECTED","requested_verified_name":"Caf\\u00e9 New","rejection_reason":"NAME_FORMAT_UNACCEPTABLE"}',
  },
  {
    title: 'new name deferred',
    steps: [['POST', `/phone-numbers/${N.connected}/name-review`, { decision: 'DEFERRED', which: 'new' }]],
    field: 'phone_number_name_update',
    value:
      '{"display_phone_number":"15550300001","decision":"DEFERRED","requested_verified_name":"Caf\\u00e9 New","rejection_reason":null}',
  },
  {
    title: 'status to FLAGGED',
    steps: [status(N.connected, 'FLAGGED')],
    field: 'phone_number_quality_update',
    value:
      '{"display_phone_number":"15550300001","event":"FLAGGED","current_limit":"TIER_1K","max_daily_conversations_per_business":"TIER_1K"}',
  },
  {
    title: 'FLAGGED back to CONNECTED',
    steps: [status(N.flagged, 'CONNECTED')],
    field: 'phone_number_quality_update',
    value:
      '{"display_phone_number":"15550300004","event":"UNFLAGGED","current_limit":"TIER_10K","max_daily_conversations_per_business":"TIER_10K"}',
  },
  {
    title: 'tier up',
    steps: [['POST', `/phone-numbers/${N.connected}/quality`, { messaging_limit_tier: 'TIER_UNLIMITED' }]],
    field: 'phone_number_quality_update',
    value:
      '{"display_phone_number":"15550300001","event":"UPGRADE","old_limit":"TIER_1K","current_limit":"TIER_UNLIMITED","max_daily_conversations_per_business":"TIER_UNLIMITED"}',
  },
  {
    title: 'tier down',
    steps: [['POST', `/phone-numbers/${N.flagged}/quality`, { messaging_limit_tier: 'TIER_250' }]],
    field: 'phone_number_quality_update',
    value:
      '{"display_phone_number":"15550300004","event":"DOWNGRADE","old_limit":"TIER_10K","current_limit":"TIER_250","max_daily_conversations_per_business":"TIER_250"}',
  },
  {
    title: 'status to RESTRICTED',
    steps: [status(N.connected, 'RESTRICTED')],
    field: 'account_update',
    value:
      '{"phone_number":"15550300001","event":"ACCOUNT_RESTRICTION","restriction_info":[{"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING","expiration":"2026-12-24T12:00:00+0000"}]}',
  },
  {
    title: 'status to BANNED',
    steps: [status(N.connected, 'BANNED')],
    field: 'account_update',
    value:
      '{"phone_number":"15550300001","event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":["DISABLE"],"waba_ban_date":"2026-11-24"}}',
  },
  {
    title: 'status to DISCONNECTED by the operator',
    steps: [status(N.connected, 'DISCONNECTED')],
    field: 'account_update',
    value:
      '{"phone_number":"15550300001","event":"ACCOUNT_OFFBOARDED","disconnection_info":{"reason":"Status changed by operator","initiated_by":"SYSTEM"}}',
  },
  {
    title: 'status to DISCONNECTED with a reason',
    steps: [status(N.connected, 'DISCONNECTED', { reason: 'Moved to on-prem' })],
    field: 'account_update',
    value:
      '{"phone_number":"15550300001","event":"ACCOUNT_OFFBOARDED","disconnection_info":{"reason":"Moved to on-prem","initiated_by":"SYSTEM"}}',
  },
  {
    title: 'DISCONNECTED back to CONNECTED',
    steps: [status(N.disconnected, 'CONNECTED')],
    field: 'account_update',
    value: '{"phone_number":"15550300003","event":"ACCOUNT_RECONNECTED"}',
  },
  {
    title: 'status to DELETED',
    steps: [status(N.connected, 'DELETED')],
    field: 'account_update',
    value: '{"phone_number":"15550300001","event":"ACCOUNT_DELETED"}',
  },
  {
    title: 'PENDING to CONNECTED',
    steps: [status(N.pending, 'CONNECTED')],
    field: 'account_update',
    value: '{"phone_number":"15550300002","event":"VERIFIED_ACCOUNT"}',
  },
];

describe('the event table', () => {
  for (const row of ROWS) {
    test(`sends exactly the documented signed payload for: ${row.title}`, async () => {
      const h = await harness();
      try {
        for (const [method, path, body] of row.steps) {
          const answer = await h.admin(method, path, body);
          assert.equal(answer.status, 200, JSON.stringify(answer.json));
        }
        await waitFor(() => h.receiver.events.length >= 1, 'the event');
        assert.equal(h.receiver.events.length, 1);
        const [event] = h.receiver.events;
        assert.equal(event?.raw, envelope(row.field, row.value));
        assert.equal(event?.signatureValid, true);
        assert.equal(event?.headers['content-type'], 'application/json');
        assert.equal(event?.headers['user-agent'], 'facebookexternalua');
        // The receiver answers before the dispatcher records the delivery: wait for the record.
        await waitFor(
          async () => (await h.admin('GET', '/webhooks/deliveries?status=delivered')).json.data.length >= 1,
          'the delivery record',
        );
        const log = await h.admin('GET', '/webhooks/deliveries?status=delivered');
        assert.equal(log.json.data.length, 1);
        assert.equal(log.json.data[0].event_id, event?.eventId);
        assert.equal(log.json.data[0].field, row.field);
      } finally {
        await h.close();
      }
    });
  }
});

describe('subscription verification', () => {
  test('verifies with hub.* parameters and activates only on the exact echoed challenge', async () => {
    let echo = (challenge: string): string => `${challenge} `;
    const h = await harness({ verify: (challenge) => echo(challenge), webhooks: { retryBaseMs: 1000 } });
    try {
      await waitFor(() => h.receiver.verifications.length >= 1, 'a verification');
      const query = h.receiver.verifications[0]?.query;
      assert.equal(query?.get('hub.mode'), 'subscribe');
      assert.equal(query?.get('hub.verify_token'), 'vt-hook');
      assert.match(query?.get('hub.challenge') ?? '', /^\d+$/);
      assert.equal(
        (await h.admin('POST', `/phone-numbers/${N.second}/status`, { status: 'BANNED' })).status,
        200,
      );
      const pending = await h.admin('GET', '/webhooks/deliveries?status=pending');
      assert.equal(pending.json.data.length, 1);
      assert.equal(h.receiver.events.length, 0);
      echo = (challenge) => challenge;
      await advanceUntil(h, '10s', () => h.receiver.events.length >= 1, 'the delivery after verification');
      assert.equal(h.receiver.events[0]?.signatureValid, true);
    } finally {
      await h.close();
    }
  });

  test('fails the waiting events once the retry window has passed without verification', async () => {
    const h = await harness({ verify: () => 'nope', webhooks: { retryWindowMs: 60_000 } });
    try {
      await h.admin('POST', `/phone-numbers/${N.second}/status`, { status: 'BANNED' });
      await h.admin('POST', '/clock', { advance: '2m' });
      await waitFor(
        async () => (await h.admin('GET', '/webhooks/deliveries?status=failed')).json.data.length === 1,
        'the failed event',
      );
      assert.equal(h.receiver.events.length, 0);
    } finally {
      await h.close();
    }
  });
});

describe('delivery', () => {
  test('retries a failing receiver with backoff on the injected clock: three attempts, one delivery', async () => {
    const h = await harness();
    try {
      h.receiver.action = ({ index }) => (index < 2 ? { status: 500 } : { status: 200 });
      await h.admin('POST', `/phone-numbers/${N.second}/status`, { status: 'BANNED' });
      await waitFor(() => h.receiver.events.length >= 1, 'the first attempt');
      for (let attempt = 2; attempt <= 3; attempt++) {
        // Nothing is retried before the backoff has passed on the server clock.
        await advanceUntil(h, '1h', () => h.receiver.events.length >= attempt, `attempt ${attempt}`);
      }
      // The receiver has answered 200; the server records the delivery once that answer is back.
      await waitFor(
        async () => (await h.admin('GET', '/webhooks/deliveries?status=delivered')).json.data.length === 1,
        'the delivery recorded',
      );
      const log = await h.admin('GET', `/webhooks/deliveries?phone_number=${N.second}`);
      assert.equal(log.json.data.length, 1);
      const [delivery] = log.json.data;
      assert.equal(delivery.status, 'delivered');
      assert.deepEqual(
        delivery.attempts.map((a: { http_status: number; url: string }) => [a.http_status, a.url]),
        [
          [500, h.receiver.url],
          [500, h.receiver.url],
          [200, h.receiver.url],
        ],
      );
      assert.equal(delivery.attempts[0].error, 'HTTP 500');
      assert.equal(new Set(h.receiver.events.map((event) => event.eventId)).size, 1);
    } finally {
      await h.close();
    }
  });

  test('does not follow a redirect and marks the event failed after the window', async () => {
    const h = await harness({ webhooks: { retryWindowMs: 30_000 } });
    try {
      h.receiver.action = () => ({ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
      await h.admin('POST', `/phone-numbers/${N.second}/status`, { status: 'BANNED' });
      await waitFor(() => h.receiver.events.length >= 1, 'the first attempt');
      await h.admin('POST', '/clock', { advance: '1m' });
      await waitFor(
        async () => (await h.admin('GET', '/webhooks/deliveries?status=failed')).json.data.length === 1,
        'the failed event',
      );
      const [delivery] = (await h.admin('GET', '/webhooks/deliveries')).json.data;
      assert.ok(delivery.attempts.every((a: { http_status: number }) => a.http_status === 302));
      // The receiver answers 204 before the redelivery is asked for: the redelivery may go out at once.
      h.receiver.action = () => ({ status: 204 });
      const redeliver = await h.admin('POST', `/webhooks/deliveries/${delivery.id}/redeliver`);
      assert.equal(redeliver.status, 200);
      await waitFor(
        async () => (await h.admin('GET', '/webhooks/deliveries?status=delivered')).json.data.length === 1,
        'the redelivery',
      );
    } finally {
      await h.close();
    }
  });

  test('records events of unsubscribed fields as skipped and sends only subscribed ones', async () => {
    const h = await harness({ fields: ['account_update'] });
    try {
      await h.admin('POST', `/phone-numbers/${N.second}/status`, { status: 'FLAGGED' });
      await h.admin('POST', `/phone-numbers/${N.second}/status`, { status: 'BANNED' });
      await waitFor(() => h.receiver.events.length >= 1, 'the subscribed event');
      const skipped = (await h.admin('GET', '/webhooks/deliveries?status=skipped')).json.data;
      assert.deepEqual(
        skipped.map((d: { field: string; app_id: string }) => [d.field, d.app_id]),
        [['phone_number_quality_update', APP]],
      );
      assert.equal(h.receiver.events.length, 1);
      assert.match(h.receiver.events[0]?.raw ?? '', /"event":"DISABLED_UPDATE"/);
    } finally {
      await h.close();
    }
  });

  test('delivers the events of each number in commit order under concurrent changes to several numbers', async () => {
    const h = await harness();
    try {
      let seed = 7;
      // Answers in a shuffled order: only one-in-flight per number keeps each number's order.
      h.receiver.action = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return { status: 200, delayMs: seed % 15 };
      };
      const numbers = [N.second, N.third, N.flagged];
      const rounds = 6;
      await Promise.all(
        numbers.map(async (id) => {
          for (let i = 0; i < rounds; i++) {
            const { json } = await h.admin('GET', `/phone-numbers/${id}/history`);
            const current = json.data[0]?.to ?? (id === N.flagged ? 'FLAGGED' : 'CONNECTED');
            const to = current === 'FLAGGED' ? 'CONNECTED' : 'FLAGGED';
            assert.equal((await h.admin('POST', `/phone-numbers/${id}/status`, { status: to })).status, 200);
          }
        }),
      );
      await waitFor(() => h.receiver.delivered.length >= numbers.length * rounds, 'every event');
      for (const [index, id] of numbers.entries()) {
        const digits = `1555030000${[5, 6, 4][index]}`;
        const seen = h.receiver.delivered
          .filter((raw) => raw.includes(digits))
          .map((raw) => /"event":"(\w+)"/.exec(raw)?.[1]);
        const expected = Array.from({ length: rounds }, (_, i) =>
          (i % 2 === 0) === (id !== N.flagged) ? 'FLAGGED' : 'UNFLAGGED',
        );
        assert.deepEqual(seen, expected, `order for ${id}`);
      }
    } finally {
      await h.close();
    }
  });
});

describe('number override', () => {
  test('sends a number with its own URL there, verified with its token, and a hanging one holds up no other number', async () => {
    const own = await new WebhookReceiver(SECRET).listen();
    own.action = () => 'hang';
    const h = await harness({ overrideUrl: own.url });
    try {
      await h.admin('POST', `/phone-numbers/${N.third}/status`, { status: 'BANNED' });
      await waitFor(() => own.events.length >= 1, 'the event at the number URL');
      assert.equal(own.verifications[0]?.query.get('hub.verify_token'), 'vt-number');
      assert.equal(own.events[0]?.signatureValid, true);
      assert.match(own.events[0]?.raw ?? '', /"phone_number":"15550300006"/);
      await h.admin('POST', `/phone-numbers/${N.second}/status`, { status: 'BANNED' });
      await waitFor(() => h.receiver.events.length >= 1, 'the other number, while the first hangs');
      assert.match(h.receiver.events[0]?.raw ?? '', /"phone_number":"15550300005"/);
      assert.equal(h.receiver.events.length, 1);
    } finally {
      await h.close();
      await own.close();
    }
  });
});
