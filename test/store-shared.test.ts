// What a store shared by several instances guarantees (docs/scale-out.md): fault rules with exact
// `times`, outbox claims (one instance per event, order per number, a dead instance's lease taken over)
// and change notifications sent in the changing transaction. Fault rules run on both stores; claims and
// notifications are PostgreSQL's (two stores with their own pools act as two instances).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ChangeNotice } from '../src/events/change-feed.ts';
import type { OutboxEvent } from '../src/store/records.ts';
import { PostgresChangeListener } from '../src/store/postgres/change-channel.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SyncedCachedStore } from '../src/store/synced-cached-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/postgres-server.ts';

const TIMEOUT = { timeout: 120_000 };
const AT = '2026-11-24T12:00:00.000Z';
const SCENARIO = readFileSync(GRAPH_SCENARIO, 'utf8');

let cluster: PrivatePostgres;
before(async () => {
  cluster = await startPrivatePostgres();
});
after(async () => {
  await cluster.stop();
});

async function twoInstances(): Promise<{ url: string; a: PostgresStore; b: PostgresStore }> {
  const url = await cluster.createDatabase();
  const a = await PostgresStore.open({ url, instanceId: 'a' });
  const b = await PostgresStore.open({ url, instanceId: 'b' });
  await loadScenarioText(a, SCENARIO);
  return { url, a, b };
}

function event(id: string, phoneNumberId: string): OutboxEvent {
  return {
    event_id: id,
    app_id: ID.app,
    phone_number_id: phoneNumberId,
    waba_id: ID.waba,
    field: 'phone_number_quality_update',
    payload: JSON.stringify({ id }),
    status: 'pending',
    created_at: AT,
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const BACKENDS: readonly { name: string; open(): Promise<{ a: Store; b: Store; close(): Promise<void> }> }[] =
  [
    {
      name: 'sqlite',
      open: async () => {
        const store = new SqliteStore({ path: ':memory:' });
        return { a: store, b: store, close: () => store.close() };
      },
    },
    {
      name: 'postgres',
      open: async () => {
        const { a, b } = await twoInstances();
        return {
          a,
          b,
          close: async () => {
            await a.close();
            await b.close();
          },
        };
      },
    },
  ];

for (const backend of BACKENDS) {
  describe(`fault rules in the store: ${backend.name}`, () => {
    test('are added, listed, used exactly `times` under concurrent uses, and deleted', TIMEOUT, async () => {
      const { a, b, close } = await backend.open();
      try {
        const rule = JSON.stringify({ action: { graph_error: { code: 2 } }, times: 5 });
        const added = await a.addFaultRule(rule, 5);
        const unlimited = await a.addFaultRule(JSON.stringify({ action: { delay_ms: 0 } }), null);
        assert.deepEqual(added, { id: added.id, rule, remaining: 5, matched: 0 });
        assert.deepEqual(
          (await b.listFaultRules()).map((r) => r.id),
          [added.id, unlimited.id],
        );
        const uses = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).useFaultRule(added.id)),
        );
        assert.equal(uses.filter((use) => use !== undefined).length, 5);
        assert.deepEqual(
          uses.flatMap((use) => (use === undefined ? [] : [use.remaining])).sort(),
          [0, 1, 2, 3, 4],
        );
        assert.deepEqual((await b.listFaultRules())[0], { id: added.id, rule, remaining: 0, matched: 5 });
        assert.deepEqual(await b.useFaultRule(unlimited.id), { ...unlimited, matched: 1 });
        assert.equal(await b.useFaultRule('nope'), undefined);
        assert.equal(await b.deleteFaultRule(added.id), true);
        assert.equal(await b.deleteFaultRule(added.id), false);
        assert.equal(await b.deleteFaultRule('x'), false);
        await a.clearFaultRules();
        assert.deepEqual(await b.listFaultRules(), []);
      } finally {
        await close();
      }
    });
  });
}

describe('outbox claims: postgres', () => {
  test('an event is claimed by one instance at a time, in order per number', TIMEOUT, async () => {
    const { a, b } = await twoInstances();
    try {
      const number = (await a.getPhoneNumber(ID.connected))!;
      await a.commitPhoneNumberChange({
        number,
        history: [],
        events: [event('e1', ID.connected), event('e2', ID.connected), event('e3', ID.flagged)],
      });
      const [fromA, fromB] = await Promise.all([
        a.dueDeliveries(AT, 10, 60_000),
        b.dueDeliveries(AT, 10, 60_000),
      ]);
      const claimed = [...fromA, ...fromB].map((d) => d.event_id).sort();
      assert.deepEqual(claimed, ['e1', 'e3'], 'the heads only, each once');
      // While claimed, nobody else gets them or the events behind them; the owner gets its own again.
      const owner = fromA.some((d) => d.event_id === 'e1') ? a : b;
      const stranger = owner === a ? b : a;
      assert.deepEqual(
        (await stranger.dueDeliveries(AT, 10, 60_000)).filter((d) => d.phone_number_id === ID.connected),
        [],
      );
      const head = (await owner.dueDeliveries(AT, 10, 60_000)).find((d) => d.event_id === 'e1')!;
      assert.ok(head);
      await owner.recordAttempts([
        { outbox_id: head.id, attempt: null, status: 'delivered', next_attempt_at: null, counted: false },
      ]);
      // Done: the next event of that number is free for any instance.
      assert.deepEqual(
        (await stranger.dueDeliveries(AT, 10, 60_000)).map((d) => d.event_id).filter((id) => id !== 'e3'),
        ['e2'],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a lease that ran out (a killed instance) is taken over, same event id', TIMEOUT, async () => {
    const { a, b } = await twoInstances();
    try {
      const number = (await a.getPhoneNumber(ID.connected))!;
      await a.commitPhoneNumberChange({ number, history: [], events: [event('e1', ID.connected)] });
      assert.deepEqual(
        (await a.dueDeliveries(AT, 10, 1)).map((d) => d.event_id),
        ['e1'],
      );
      await until(
        async () => (await b.dueDeliveries(AT, 10, 60_000)).some((d) => d.event_id === 'e1'),
        'the lease to run out',
      );
      assert.deepEqual(await a.dueDeliveries(AT, 10, 60_000), [], 'now b holds it');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a clean close hands its claims back at once', TIMEOUT, async () => {
    const { a, b } = await twoInstances();
    try {
      const number = (await a.getPhoneNumber(ID.connected))!;
      await a.commitPhoneNumberChange({ number, history: [], events: [event('e1', ID.connected)] });
      assert.equal((await a.dueDeliveries(AT, 10, 600_000)).length, 1);
      await a.close();
      assert.deepEqual(
        (await b.dueDeliveries(AT, 10, 60_000)).map((d) => d.event_id),
        ['e1'],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('change notifications: postgres', () => {
  test(
    "another instance's committed changes are heard, its own and rolled-back ones are not",
    TIMEOUT,
    async () => {
      const { url, a, b } = await twoInstances();
      const listener = b.instanceChanges();
      const heard: ChangeNotice[] = [];
      listener.subscribe((notice) => heard.push(notice));
      await listener.start();
      try {
        const number = (await a.getPhoneNumber(ID.connected))!;
        await b.commitPhoneNumberChange({ number, history: [], events: [] });
        await a.commitPhoneNumberChange({
          number: { ...number, messaging_limit_tier: 'TIER_10K' as const },
          history: [],
          events: [],
        });
        await assert.rejects(
          a.commitPhoneNumberChange({
            number,
            history: [],
            events: [{ ...event('x', ID.connected), app_id: '' }, event('x', ID.connected)],
          }),
        );
        await a.setMeta('clock_offset_ms', '5');
        await a.setMeta('something_else', '5');
        await until(() => heard.length >= 2, 'two notices');
        assert.deepEqual(heard, [
          { kind: 'phone_number', id: ID.connected, phone_number_id: ID.connected, waba_id: number.waba_id },
          { kind: 'clock', id: null },
        ]);

        // The LISTEN connection killed: reported lost at once, and back with retries.
        const states: boolean[] = [];
        listener.onConnection((connected) => states.push(connected));
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        try {
          await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
          );
        } finally {
          await admin.end();
        }
        await until(() => states.length >= 2, 'lost, then back');
        assert.deepEqual(states.slice(0, 2), [false, true]);
        await a.addFaultRule('{"action":{"delay_ms":0}}', null);
        await until(() => heard.length >= 3, 'a notice after the reconnect');
        assert.equal(heard[2]!.kind, 'fault_rule');
      } finally {
        await listener.close();
        await a.close();
        await b.close();
      }
    },
  );
});

describe('the read cache of an instance: postgres', () => {
  test(
    'drops what another instance changed, and serves nothing stale while its LISTEN connection is down',
    TIMEOUT,
    async () => {
      const { url, a, b } = await twoInstances();
      // Reconnects only after a minute: the test sees the bypass, not the recovery.
      const listener = new PostgresChangeListener(url, b.instanceId, { retryBaseMs: 60_000 });
      const cached = new SyncedCachedStore(b, listener);
      await listener.start();
      try {
        const tier = async (): Promise<string | undefined> =>
          (await cached.getPhoneNumber(ID.connected))?.messaging_limit_tier;
        const change = async (to: 'TIER_1K' | 'TIER_10K' | 'TIER_100K'): Promise<void> => {
          const number = (await a.getPhoneNumber(ID.connected))!;
          await a.commitPhoneNumberChange({
            number: { ...number, messaging_limit_tier: to },
            history: [],
            events: [],
          });
        };
        assert.equal(cached.uncached, false);
        await tier();
        await change('TIER_100K');
        await until(async () => (await tier()) === 'TIER_100K', 'the notice to drop the cached number');

        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        try {
          await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'phonegraph-listen'",
          );
        } finally {
          await admin.end();
        }
        await until(() => cached.uncached, 'the lost connection to be noticed');
        for (const to of ['TIER_1K', 'TIER_10K', 'TIER_1K'] as const) {
          await change(to);
          assert.equal(await tier(), to, 'read from the store, not the cache');
        }
      } finally {
        await listener.close();
        await a.close();
        await b.close();
      }
    },
  );
});
