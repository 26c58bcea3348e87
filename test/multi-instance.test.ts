// Three `phonegraph serve --postgres … --redis …` processes on one PostgreSQL and one Redis behave as one
// server (docs/scale-out.md), proven over HTTP: cross-instance reads, webhooks delivered once each in
// order per number by whichever instance claims them (one instance SIGKILLed mid-run), fault-rule `times`
// across instances, one shared rate-limit window, QR codes created concurrently on every instance.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/postgres-server.ts';
import { startPrivateRedis, type PrivateRedis } from './helpers/redis-server.ts';
import { ROOT, ServeProcess } from './helpers/serve-process.ts';
import { WebhookReceiver, waitFor } from './helpers/webhook-receiver.ts';

const TIMEOUT = { timeout: 240_000 };
const SECRET = 'multi-instance-secret';
const MAIN_APP = '1300000000000001';
const LIMITED_NUMBER = '430000000000099';
const VISIBLE_NUMBER = '430000000000100';
const FAULT_NUMBER = '430000000000098';
const QR_NUMBER = '430000000000097';
/** The numbers whose changes the webhook test makes: 20 × 50 = 1,000 events. */
const CHAIN_NUMBERS = Array.from({ length: 20 }, (_, i) => `4300000000000${String(i + 1).padStart(2, '0')}`);
const CHANGES_PER_NUMBER = 50;

function scenario(hookUrl: string): string {
  const line = (id: string, status = 'CONNECTED'): Record<string, unknown> => ({
    id,
    verified_name: `Line ${id.slice(-3)}`,
    status,
    messaging_limit_tier: 'TIER_1K',
  });
  return JSON.stringify({
    version: 1,
    seed: 3,
    apps: [
      {
        id: MAIN_APP,
        name: 'Main App',
        secret: SECRET,
        rate_limit: { per_hour: 1_000_000, active_per_hour: 1_000_000 },
        wabas: ['3300000000000001'],
        webhook: { url: hookUrl, verify_token: 'vt', fields: ['phone_number_quality_update'] },
      },
      {
        id: '1300000000000002',
        name: 'Limited App',
        secret: 'limited-secret',
        rate_limit: { per_hour: 200, active_per_hour: 200 },
        wabas: ['3300000000000002'],
      },
    ],
    businesses: [
      {
        id: '2300000000000001',
        wabas: [
          {
            id: '3300000000000001',
            phone_numbers: [...CHAIN_NUMBERS, VISIBLE_NUMBER, FAULT_NUMBER, QR_NUMBER].map((id) => line(id)),
          },
          { id: '3300000000000002', phone_numbers: [line(LIMITED_NUMBER)] },
        ],
      },
    ],
    tokens: [
      { value: 'T-MAIN', app: MAIN_APP },
      { value: 'T-LIMITED', app: '1300000000000002' },
    ],
  });
}

interface Instance {
  readonly process: ServeProcess;
  readonly url: string;
}

let postgres: PrivatePostgres;
let redis: PrivateRedis;
let receiver: WebhookReceiver;
let databaseUrl: string;
let dir: string;
const instances: Instance[] = [];

async function serve(extra: readonly string[] = []): Promise<Instance> {
  const process = new ServeProcess(
    ['--postgres', databaseUrl, '--redis', redis.url, '--port', '0', '--log-level', 'warn', ...extra],
    ROOT,
  );
  const [first] = await process.lines(1);
  const url = /^phonegraph listening on (http:\/\/\S+)$/.exec(first ?? '')?.[1];
  assert.ok(url, `unexpected first line: ${first}`);
  return { process, url };
}

async function call(
  instance: Instance,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${instance.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

async function graphStatus(instance: Instance, number: string): Promise<unknown> {
  return (await call(instance, 'GET', `/v21.0/${number}?fields=status&access_token=T-MAIN`)).json.status;
}

before(async () => {
  [postgres, redis, receiver] = await Promise.all([
    startPrivatePostgres({ background: true }),
    startPrivateRedis(),
    new WebhookReceiver(SECRET).listen(),
  ]);
  databaseUrl = await postgres.createDatabase();
  dir = mkdtempSync(join(tmpdir(), 'phonegraph-multi-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, scenario(receiver.url));
  // The first instance loads the scenario into the empty database; the others serve it as it is.
  instances.push(await serve(['--scenario', file]));
  instances.push(...(await Promise.all([serve(), serve()])));
});

after(async () => {
  await Promise.all(instances.map((instance) => instance.process.stop()));
  await receiver.close();
  await redis.stop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('every instance reports shared rate limits and a listening change channel', TIMEOUT, async () => {
  for (const instance of instances) {
    const health = await call(instance, 'GET', '/__admin/health');
    assert.equal(health.status, 200);
    assert.equal(health.json.rate_limits, 'shared');
    assert.equal(health.json.change_notifications, 'listening');
  }
});

test(
  'a status change through A is read on B and C, also after their LISTEN connections were killed',
  TIMEOUT,
  async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    // B and C hold the number in their caches first.
    assert.equal(await graphStatus(b, VISIBLE_NUMBER), 'CONNECTED');
    assert.equal(await graphStatus(c, VISIBLE_NUMBER), 'CONNECTED');
    const changed = await call(a, 'POST', `/__admin/phone-numbers/${VISIBLE_NUMBER}/status`, {
      status: 'FLAGGED',
    });
    assert.equal(changed.status, 200);
    assert.equal(await graphStatus(a, VISIBLE_NUMBER), 'FLAGGED', 'at once on the writing instance');
    await waitFor(async () => (await graphStatus(b, VISIBLE_NUMBER)) === 'FLAGGED', 'B to see the change');
    await waitFor(async () => (await graphStatus(c, VISIBLE_NUMBER)) === 'FLAGGED', 'C to see the change');

    // Every LISTEN connection killed: the instances drop their caches, reconnect and see later changes.
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'phonegraph-listen'",
      );
      assert.equal(killed.rowCount, 3);
      await waitFor(
        async () =>
          (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'phonegraph-listen'"))
            .rowCount === 3,
        'the instances to listen again',
      );
    } finally {
      await admin.end();
    }
    await call(a, 'POST', `/__admin/phone-numbers/${VISIBLE_NUMBER}/status`, { status: 'CONNECTED' });
    await waitFor(
      async () => (await graphStatus(b, VISIBLE_NUMBER)) === 'CONNECTED',
      'B to see the next change',
    );
    await waitFor(
      async () => (await graphStatus(c, VISIBLE_NUMBER)) === 'CONNECTED',
      'C to see the next change',
    );
  },
);

test('a fault rule with times 5 fires exactly 5 times across the instances', TIMEOUT, async () => {
  const [a, b, c] = instances as [Instance, Instance, Instance];
  const added = await call(a, 'POST', '/__admin/faults', {
    match: { phone_number: FAULT_NUMBER },
    action: { graph_error: { code: 2 } },
    times: 5,
  });
  assert.equal(added.status, 200);
  // Rounds of calls on all three until the rule is spent, then more: none of those may fail.
  let injected = 0;
  let rounds = 0;
  const round = async (): Promise<void> => {
    const answers = await Promise.all(
      [a, b, c, a, b, c].map((instance) =>
        call(instance, 'GET', `/v21.0/${FAULT_NUMBER}?fields=id&access_token=T-MAIN`),
      ),
    );
    for (const answer of answers) {
      if (answer.status === 200) continue;
      assert.equal((answer.json.error as { code: number }).code, 2);
      injected++;
    }
    rounds++;
  };
  await waitFor(async () => {
    await round();
    return injected >= 5 || rounds > 500;
  }, 'five injected errors');
  for (let i = 0; i < 5; i++) await round();
  assert.equal(injected, 5);
  for (const instance of [a, b, c]) {
    const listed = await call(instance, 'GET', '/__admin/faults');
    const [rule] = listed.json.data as { remaining: number; matched: number }[];
    assert.deepEqual({ remaining: rule?.remaining, matched: rule?.matched }, { remaining: 0, matched: 5 });
  }
  assert.equal((await call(b, 'DELETE', '/__admin/faults')).status, 200);
});

test('400 concurrent calls over the three against a 200/hour limit admit exactly 200', TIMEOUT, async () => {
  const answers = await Promise.all(
    Array.from({ length: 400 }, (_, i) =>
      call(instances[i % 3]!, 'GET', `/v21.0/${LIMITED_NUMBER}?fields=status&access_token=T-LIMITED`),
    ),
  );
  assert.equal(answers.filter((answer) => answer.status === 200).length, 200);
  assert.equal(
    answers.filter((answer) => (answer.json.error as { code?: number } | undefined)?.code === 80008).length,
    200,
  );
});

test('QR codes created concurrently on all three never collide', TIMEOUT, async () => {
  const created = await Promise.all(
    Array.from({ length: 60 }, (_, i) =>
      call(
        instances[i % 3]!,
        'POST',
        `/v21.0/${QR_NUMBER}/message_qrdls?access_token=T-MAIN&prefilled_message=hello%20${i}`,
      ),
    ),
  );
  assert.deepEqual(
    created.map((answer) => answer.status),
    created.map(() => 200),
  );
  const codes = new Set(created.map((answer) => answer.json.code));
  assert.equal(codes.size, 60);
  const listed = await call(
    instances[1]!,
    'GET',
    `/v21.0/${QR_NUMBER}/message_qrdls?access_token=T-MAIN&limit=100`,
  );
  assert.deepEqual(new Set((listed.json.data as { code: string }[]).map((qr) => qr.code)), codes);
});

test(
  '1,000 changes over the instances reach the receiver in order per number, nothing lost when one is SIGKILLed',
  TIMEOUT,
  async (t) => {
    // Slow answers keep deliveries in flight, so the instance killed holds some.
    receiver.action = () => ({ status: 200, delayMs: 30 });
    const tiers = ['TIER_10K', 'TIER_1K'] as const;
    // Each number's changes go through one instance in turn (a change reads the number where it is made).
    const changeNumbers = async (from: number, to: number, live: () => Instance[]): Promise<void> => {
      await Promise.all(
        CHAIN_NUMBERS.map(async (number, index) => {
          for (let step = from; step < to; step++) {
            const pool = live();
            const instance = pool[index % pool.length]!;
            const answer = await call(instance, 'POST', `/__admin/phone-numbers/${number}/quality`, {
              messaging_limit_tier: tiers[step % 2],
            });
            assert.equal(answer.status, 200, JSON.stringify(answer.json));
          }
        }),
      );
    };
    const half = CHANGES_PER_NUMBER / 2;
    await changeNumbers(0, half, () => instances);
    // C dies with deliveries in flight; its claims run out and A or B send those events again.
    const killed = instances[2]!;
    killed.process.child.kill('SIGKILL');
    await new Promise((resolve) => killed.process.child.once('close', resolve));
    const alive = instances.slice(0, 2);
    await changeNumbers(half, CHANGES_PER_NUMBER, () => alive);

    // The outbox order of every number's events, from the delivery log.
    const expected = new Map<string, string[]>();
    for (const number of CHAIN_NUMBERS) {
      const log = await call(
        alive[0]!,
        'GET',
        `/__admin/webhooks/deliveries?phone_number=${number}&limit=1000`,
      );
      const rows = (log.json.data as { id: number; event_id: string }[]).sort((x, y) => x.id - y.id);
      assert.equal(rows.length, CHANGES_PER_NUMBER, `${number}: one event per change`);
      expected.set(
        number,
        rows.map((row) => row.event_id),
      );
    }
    const wanted = new Set([...expected.values()].flat());
    assert.equal(wanted.size, CHAIN_NUMBERS.length * CHANGES_PER_NUMBER);
    const received = (): string[] =>
      receiver.events
        .filter((event) => event.signatureValid && event.answered === 200)
        .map((event) => event.eventId);
    await waitFor(
      () => {
        const got = new Set(received());
        return [...wanted].every((id) => got.has(id));
      },
      'every event at the receiver',
      180_000,
    );
    assert.ok(receiver.events.every((event) => event.signatureValid));
    // In order per number: each number's events first arrived in outbox order.
    const arrivals = received().filter((id) => wanted.has(id));
    for (const [number, order] of expected) {
      const mine = new Set(order);
      const firstSeen = [...new Set(arrivals.filter((id) => mine.has(id)))];
      assert.deepEqual(firstSeen, order, `${number}: delivered in order`);
    }
    // Duplicates only from the killed instance's deliveries in flight: at most one per number.
    const duplicates = arrivals.length - new Set(arrivals).size;
    assert.ok(duplicates <= CHAIN_NUMBERS.length, `${duplicates} duplicates`);
    t.diagnostic(
      `${arrivals.length} deliveries of ${wanted.size} events: ${duplicates} sent again after the kill`,
    );
    await waitFor(
      async () =>
        (await call(alive[0]!, 'GET', '/__admin/health')).json.outbox !== undefined &&
        ((await call(alive[0]!, 'GET', '/__admin/health')).json.outbox as { pending: number }).pending === 0,
      'the outbox to drain',
    );
  },
);
