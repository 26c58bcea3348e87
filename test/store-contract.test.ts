import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { OutboxEvent, PhoneNumberRecord, QrCodeRecord } from '../src/store/records.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/postgres-server.ts';

/**
 * One contract, two stores: every case runs on SQLite and on PostgreSQL (a private cluster). `open`
 * answers two handles on the same data: for SQLite the same store twice, for PostgreSQL two stores with
 * their own pools, as two instances would hold.
 */
interface Backend {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<{ store: Store; other: Store; close(): Promise<void> }>;
}

let cluster: PrivatePostgres;
before(async () => {
  cluster = await startPrivatePostgres();
});
after(async () => {
  await cluster.stop();
});

const BACKENDS: readonly Backend[] = [
  {
    name: 'sqlite',
    open: async () => {
      const store = new SqliteStore({ path: ':memory:' });
      return { store, other: store, close: () => store.close() };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const url = await cluster.createDatabase();
      const [store, other] = await Promise.all([PostgresStore.open({ url }), PostgresStore.open({ url })]);
      return {
        store,
        other,
        close: async () => {
          await store.close();
          await other.close();
        },
      };
    },
  },
];

const SCENARIO = readFileSync(GRAPH_SCENARIO, 'utf8');
const AT = '2026-11-24T12:00:00.000Z';

async function loaded(backend: Backend): Promise<{ store: Store; other: Store; close(): Promise<void> }> {
  const handles = await backend.open();
  await loadScenarioText(handles.store, SCENARIO);
  return handles;
}

async function withStore(
  backend: Backend,
  body: (store: Store, other: Store) => Promise<void>,
): Promise<void> {
  const handles = await loaded(backend);
  try {
    await body(handles.store, handles.other);
  } finally {
    await handles.close();
  }
}

function newNumber(template: PhoneNumberRecord, id: string, display: string): PhoneNumberRecord {
  return { ...template, id, display_phone_number: display, status: 'PENDING', webhook_override: null };
}

function event(id: string, phoneNumberId: string, at = AT): OutboxEvent {
  return {
    event_id: id,
    app_id: ID.app,
    phone_number_id: phoneNumberId,
    waba_id: ID.waba,
    field: 'phone_number_quality_update',
    payload: JSON.stringify({ id }),
    status: 'pending',
    created_at: at,
  };
}

test('both stores hold the same state after the same scenario', async () => {
  const states = [];
  for (const backend of BACKENDS) {
    const handles = await loaded(backend);
    states.push(await handles.store.readState());
    await handles.close();
  }
  assert.deepEqual(states[1], states[0]);
  assert.ok(states[0]!.phone_numbers.length >= 5);
});

for (const backend of BACKENDS) {
  describe(`store contract: ${backend.name}`, () => {
    test('an empty store is empty; a loaded one is not, and reads back what was loaded', async () => {
      const handles = await backend.open();
      try {
        assert.equal(await handles.store.isEmpty(), true);
        assert.equal(await handles.store.countPhoneNumbers(), 0);
        await loadScenarioText(handles.store, SCENARIO);
        assert.equal(await handles.store.isEmpty(), false);
        const state = await handles.store.readState();
        await handles.store.replaceState(state);
        assert.deepEqual(await handles.other.readState(), state);
      } finally {
        await handles.close();
      }
    });

    test('reads records by id and lists them in insertion order', () =>
      withStore(backend, async (store, other) => {
        const state = await store.readState();
        const number = await other.getPhoneNumber(ID.connected);
        assert.deepEqual(
          number,
          state.phone_numbers.find((n) => n.id === ID.connected),
        );
        assert.equal(await store.getPhoneNumber('999'), undefined);
        assert.deepEqual(
          await store.getWaba(ID.waba),
          state.wabas.find((w) => w.id === ID.waba),
        );
        assert.deepEqual(
          await store.getBusiness(ID.business),
          state.businesses.find((b) => b.id === ID.business),
        );
        assert.deepEqual(
          await store.getApp(ID.app),
          state.apps.find((a) => a.id === ID.app),
        );
        assert.equal(await store.getApp('nope'), undefined);
        const tokens = await store.listTokens();
        assert.deepEqual(tokens, state.tokens);
        assert.deepEqual(await store.getTokenByDigest(tokens[0]!.digest), tokens[0]);
        assert.deepEqual(await store.listApps(), state.apps);
        assert.deepEqual(await store.listWabas(), state.wabas);
        assert.equal(await store.countPhoneNumbers(), state.phone_numbers.length);
      }));

    test('scans numbers in id order with a keyset', () =>
      withStore(backend, async (store) => {
        const all = (await store.readState()).phone_numbers.map((n) => n.id).sort();
        const first = await store.scanPhoneNumbers(null, 2);
        const rest = await store.scanPhoneNumbers(first.at(-1)!.id, 100);
        assert.deepEqual(
          [...first, ...rest].map((n) => n.id),
          all,
        );
      }));

    test('lists a WABA’s numbers under a sort, filters and keyset in both directions', () =>
      withStore(backend, async (store) => {
        const base = {
          sortBy: 'created_time',
          descending: false,
          equal: [],
          includeDeleted: false,
          toward: 'end',
          from: null,
          limit: 100,
        } as const;
        const all = await store.listWabaPhoneNumbers(ID.waba, base);
        assert.ok(all.length >= 3);
        const keys = all.map((n) => [n.created_time, n.id].join('|'));
        assert.deepEqual(keys, [...keys].sort());
        const second = all[1]!;
        const after = await store.listWabaPhoneNumbers(ID.waba, {
          ...base,
          from: [second.created_time, second.id],
        });
        assert.deepEqual(after, all.slice(2));
        const beforeIt = await store.listWabaPhoneNumbers(ID.waba, {
          ...base,
          toward: 'start',
          from: [second.created_time, second.id],
        });
        assert.deepEqual(beforeIt, all.slice(0, 1));
        const descending = await store.listWabaPhoneNumbers(ID.waba, { ...base, descending: true });
        assert.deepEqual(descending, [...all].reverse());
        const connected = await store.listWabaPhoneNumbers(ID.waba, {
          ...base,
          equal: [{ column: 'status', value: 'CONNECTED' }],
        });
        assert.deepEqual(
          connected,
          all.filter((n) => n.status === 'CONNECTED'),
        );
        const official = await store.listWabaPhoneNumbers(ID.waba, {
          ...base,
          equal: [{ column: 'is_official_business_account', value: false }],
        });
        assert.deepEqual(
          official,
          all.filter((n) => !n.is_official_business_account),
        );
      }));

    test('creates a number unless another live number has the same digits', () =>
      withStore(backend, async (store) => {
        const template = (await store.getPhoneNumber(ID.connected))!;
        const fresh = newNumber(template, '410000000000099', '+1 555-020-0099');
        assert.equal(await store.createPhoneNumber(fresh, '15550200099'), 'created');
        assert.deepEqual(await store.getPhoneNumber(fresh.id), fresh);
        const clash = newNumber(template, '410000000000098', '+1 (555) 020 0099');
        assert.equal(await store.createPhoneNumber(clash, '15550200099'), 'in_use');
        assert.equal(await store.getPhoneNumber(clash.id), undefined);
        await store.commitPhoneNumberChange({
          number: { ...fresh, status: 'DELETED' },
          history: [],
          events: [],
        });
        assert.equal(await store.createPhoneNumber(clash, '15550200099'), 'created');
      }));

    test('QR codes: positions increase and never repeat, keyset both ways, limit, update, delete', () =>
      withStore(backend, async (store, other) => {
        const made: QrCodeRecord[] = [];
        for (const code of ['QA', 'QB', 'QC']) {
          const created = await store.createQrCode(
            { code, phone_number_id: ID.connected, prefilled_message: `hi ${code}` },
            100,
          );
          assert.notEqual(created, 'limit');
          made.push(created as QrCodeRecord);
        }
        assert.ok(made[0]!.position < made[1]!.position && made[1]!.position < made[2]!.position);
        const newest = await other.listQrCodes(ID.connected, { toward: 'end', from: null, limit: 100 });
        assert.deepEqual(newest.slice(0, 3), [...made].reverse());
        const older = await store.listQrCodes(ID.connected, {
          toward: 'end',
          from: made[2]!.position,
          limit: 1,
        });
        assert.deepEqual(older, [made[1]]);
        const newer = await store.listQrCodes(ID.connected, {
          toward: 'start',
          from: made[0]!.position,
          limit: 5,
        });
        assert.deepEqual(newer, [made[1], made[2]]);
        assert.deepEqual(
          await store.listQrCodes(ID.connected, { toward: 'end', from: null, limit: 5 }, 'QB'),
          [made[1]],
        );
        assert.deepEqual(await store.getQrCode('QA'), made[0]);
        assert.deepEqual(await store.updateQrCode(ID.connected, 'QA', 'changed'), {
          ...made[0],
          prefilled_message: 'changed',
        });
        assert.equal(await store.updateQrCode(ID.flagged, 'QA', 'x'), undefined);
        assert.equal(await store.deleteQrCode(ID.flagged, 'QC'), false);
        assert.equal(await store.deleteQrCode(ID.connected, 'QC'), true);
        assert.equal(await store.getQrCode('QC'), undefined);
        const next = (await store.createQrCode(
          { code: 'QD', phone_number_id: ID.connected, prefilled_message: 'd' },
          100,
        )) as QrCodeRecord;
        assert.ok(next.position > made[2]!.position, 'a deleted newest position is not handed out again');
        const count = (await store.listQrCodes(ID.connected, { toward: 'end', from: null, limit: 100 }))
          .length;
        assert.equal(
          await store.createQrCode(
            { code: 'QE', phone_number_id: ID.connected, prefilled_message: 'e' },
            count,
          ),
          'limit',
        );
        assert.equal(await store.getQrCode('QE'), undefined);
      }));

    test('rate limits: active WABAs, merged overrides on apps, WABAs and pairs', () =>
      withStore(backend, async (store) => {
        assert.equal(await store.isWabaActive(ID.waba), true);
        assert.equal(await store.isWabaActive('3100000000000099'), false);
        assert.equal(await store.getPairRateLimit(ID.app, ID.waba), undefined);
        await store.setRateLimit({ app: ID.app, waba: ID.waba }, { per_hour: 5 });
        await store.setRateLimit({ app: ID.app, waba: ID.waba }, { active_per_hour: 7 });
        assert.deepEqual(await store.getPairRateLimit(ID.app, ID.waba), { per_hour: 5, active_per_hour: 7 });
        await store.setRateLimit({ app: ID.app }, { per_hour: 11 });
        await store.setRateLimit({ app: ID.app }, { active_per_hour: 12 });
        assert.deepEqual((await store.getApp(ID.app))!.rate_limit, { per_hour: 11, active_per_hour: 12 });
        await store.setRateLimit({ waba: ID.waba }, { per_hour: 3 });
        assert.deepEqual((await store.getWaba(ID.waba))!.rate_limit, { per_hour: 3 });
      }));

    test('a change commits the row, its history and its outbox events; the outbox dispatches in order', () =>
      withStore(backend, async (store, other) => {
        const number = (await store.getPhoneNumber(ID.connected))!;
        const changed = { ...number, quality_score: { score: 'RED' } } as PhoneNumberRecord;
        const history = {
          phone_number_id: ID.connected,
          at: AT,
          actor: 'admin',
          change: 'quality_score',
          from: 'GREEN',
          to: 'RED',
          reason: null,
        };
        await store.commitPhoneNumberChange({
          number: changed,
          history: [history],
          events: [event('e1', ID.connected), event('e2', ID.connected), event('e3', ID.flagged)],
        });
        assert.deepEqual(await other.getPhoneNumber(ID.connected), changed);
        assert.deepEqual(await other.listHistory(ID.connected), [history]);
        assert.deepEqual(await store.outboxLag(), { pending: 3, oldest_created_at: AT });
        const due = await other.dueDeliveries(AT, 10);
        assert.deepEqual(
          due.map((d) => d.event_id),
          ['e1', 'e3'],
          'one in flight per (app, number)',
        );
        assert.deepEqual(await store.dueDeliveries('2026-11-24T11:00:00.000Z', 10), []);
        const first = due[0]!;
        const attempt = {
          at: AT,
          url: 'http://127.0.0.1:1/hook',
          http_status: 200,
          latency_ms: 3,
          error: null,
        };
        await store.recordAttempts([
          { outbox_id: first.id, attempt, status: 'delivered', next_attempt_at: null, counted: true },
          { outbox_id: 987654, attempt, status: 'delivered', next_attempt_at: null, counted: true },
        ]);
        const delivered = (await other.getDelivery(first.id))!;
        assert.equal(delivered.status, 'delivered');
        assert.equal(delivered.attempts, 1);
        assert.deepEqual(delivered.attempt_log, [attempt]);
        assert.deepEqual(
          (await store.dueDeliveries(AT, 10)).map((d) => d.event_id),
          ['e2', 'e3'],
        );
        assert.deepEqual(
          (await store.listDeliveries({ phone_number: ID.connected, limit: 10 })).map((d) => d.event_id),
          ['e2', 'e1'],
        );
        assert.deepEqual(
          (await store.listDeliveries({ status: 'delivered', limit: 10 })).map((d) => d.event_id),
          ['e1'],
        );
        assert.equal(await store.getDelivery(987654), undefined);
        assert.equal(await store.redeliver(first.id, '2026-11-24T12:05:00.000Z'), true);
        assert.equal(await store.redeliver(987654, AT), false);
        assert.equal((await store.getDelivery(first.id))!.status, 'pending');
        assert.equal((await store.outboxLag()).pending, 3);
      }));

    test('a failed change is rolled back whole', () =>
      withStore(backend, async (store) => {
        const number = (await store.getPhoneNumber(ID.connected))!;
        await store.commitPhoneNumberChange({ number, history: [], events: [event('dup', ID.connected)] });
        const before = await store.readState();
        const historyBefore = await store.listHistory(ID.connected);
        await assert.rejects(
          store.commitPhoneNumberChange({
            number: { ...number, status: 'FLAGGED' },
            history: [
              {
                phone_number_id: ID.connected,
                at: AT,
                actor: 'admin',
                change: 'status',
                from: 'CONNECTED',
                to: 'FLAGGED',
                reason: null,
              },
            ],
            events: [event('dup', ID.connected)],
          }),
        );
        assert.deepEqual(await store.readState(), before);
        assert.deepEqual(await store.listHistory(ID.connected), historyBefore);
        assert.equal((await store.outboxLag()).pending, 1);
      }));

    test('a batched replace writes the same state as a replace, and a failed one changes nothing', () =>
      withStore(backend, async (store, other) => {
        const state = await store.readState();
        const number = (await store.getPhoneNumber(ID.connected))!;
        await store.commitPhoneNumberChange({ number, history: [], events: [event('k1', ID.connected)] });
        const before = await store.readState();
        // Parents before children, one row at a time: the order a streaming load adds them in.
        const failing = store.replaceStateInBatches(async (add) => {
          await add({ apps: state.apps, businesses: state.businesses, wabas: state.wabas });
          await add({ phone_numbers: state.phone_numbers.slice(0, 1) });
          throw new Error('the load failed half way');
        });
        await assert.rejects(failing, /half way/);
        assert.deepEqual(await other.readState(), before);
        assert.equal((await store.outboxLag()).pending, 1);
        await store.replaceStateInBatches(async (add) => {
          await add({ apps: state.apps, businesses: state.businesses });
          await add({ wabas: state.wabas });
          for (const phoneNumber of state.phone_numbers) await add({ phone_numbers: [phoneNumber] });
          await add({ qr_codes: state.qr_codes, business_profiles: state.business_profiles });
          await add({ tokens: state.tokens });
          return { seed: state.seed };
        });
        assert.deepEqual(await other.readState(), state);
        assert.equal((await store.outboxLag()).pending, 0);
      }));

    test('a merge keeps the log; a replace clears it', () =>
      withStore(backend, async (store) => {
        const number = (await store.getPhoneNumber(ID.connected))!;
        const line = {
          phone_number_id: ID.connected,
          at: AT,
          actor: 'admin',
          change: 'status',
          from: null,
          to: null,
          reason: null,
        };
        await store.commitPhoneNumberChange({ number, history: [line], events: [event('k1', ID.connected)] });
        const state = await store.readState();
        await store.replaceState(state, { keepLog: true });
        assert.deepEqual(await store.listHistory(ID.connected), [line]);
        assert.equal((await store.outboxLag()).pending, 1);
        await store.replaceState(state);
        assert.deepEqual(await store.listHistory(ID.connected), []);
        assert.equal((await store.outboxLag()).pending, 0);
      }));

    test('OTPs replace the one before; limited-call windows count after `since`', () =>
      withStore(backend, async (store) => {
        assert.equal(await store.getOtp(ID.pending), undefined);
        const otp = {
          phone_number_id: ID.pending,
          code: '123456',
          code_method: 'SMS',
          language: 'en_US',
          issued_at: AT,
          sequence: 1,
        } as const;
        await store.putOtp(otp);
        await store.putOtp({ ...otp, code: '654321', code_method: 'VOICE', sequence: 2 });
        assert.deepEqual(await store.getOtp(ID.pending), {
          ...otp,
          code: '654321',
          code_method: 'VOICE',
          sequence: 2,
        });
        const since = '2026-11-21T12:00:00.000Z';
        assert.equal(
          await store.admitLimitedCall(
            'register',
            ID.pending,
            '2026-11-21T11:00:00.000Z',
            '2026-11-20T00:00:00.000Z',
            2,
          ),
          true,
        );
        assert.equal(await store.admitLimitedCall('register', ID.pending, AT, since, 2), true);
        assert.equal(await store.admitLimitedCall('register', ID.pending, AT, since, 2), true);
        assert.equal(await store.admitLimitedCall('register', ID.pending, AT, since, 2), false);
        assert.equal(
          await store.admitLimitedCall('request_code', ID.pending, AT, since, 1),
          true,
          'windows are separate',
        );
        assert.equal(await store.admitLimitedCall('request_code', ID.pending, AT, since, 1), false);
      }));

    test('business profiles and WABA changes with their history', () =>
      withStore(backend, async (store, other) => {
        const profile = {
          phone_number_id: ID.connected,
          about: 'About',
          address: null,
          description: 'Desc',
          email: null,
          websites: ['https://a.example', 'https://b.example'],
          vertical: 'RETAIL',
          profile_picture_handle: null,
        } as const;
        const line = {
          phone_number_id: ID.connected,
          at: AT,
          actor: 'graph:1',
          change: 'business_profile',
          from: null,
          to: null,
          reason: null,
        };
        await store.commitBusinessProfileChange({
          profile: { ...profile, websites: [...profile.websites] },
          history: [line],
        });
        await store.commitBusinessProfileChange({
          profile: { ...profile, websites: [], about: null },
          history: [],
        });
        assert.deepEqual(await other.getBusinessProfile(ID.connected), {
          ...profile,
          websites: [],
          about: null,
        });
        assert.deepEqual(await store.listHistory(ID.connected), [line]);
        const waba = (await store.getWaba(ID.waba))!;
        const wabaLine = {
          waba_id: ID.waba,
          at: AT,
          actor: 'admin',
          change: 'account_review_status',
          from: 'APPROVED',
          to: 'REJECTED',
          reason: 'test',
        };
        await store.commitWabaChange({
          waba: { ...waba, account_review_status: 'REJECTED' },
          history: [wabaLine],
          events: [event('w1', ID.connected)],
        });
        assert.equal((await other.getWaba(ID.waba))!.account_review_status, 'REJECTED');
        assert.deepEqual(await other.listWabaHistory(ID.waba), [wabaLine]);
        assert.equal((await store.outboxLag()).pending, 1);
      }));

    test('webhook subscriptions: states change only while the URL is the same', () =>
      withStore(backend, async (store) => {
        const hook = {
          url: 'https://h.example/a',
          verify_token: 'v',
          fields: ['account_update'],
          state: 'pending_verification',
        } as const;
        await store.setAppWebhook(ID.app, { ...hook, fields: [...hook.fields] });
        await store.setAppWebhookState(ID.app, 'https://h.example/other', 'active');
        assert.equal((await store.getApp(ID.app))!.webhook!.state, 'pending_verification');
        await store.setAppWebhookState(ID.app, hook.url, 'active');
        assert.deepEqual((await store.getApp(ID.app))!.webhook, { ...hook, state: 'active' });
        await store.setAppWebhook(ID.app, null);
        assert.equal((await store.getApp(ID.app))!.webhook, null);
        const number = (await store.getPhoneNumber(ID.connected))!;
        const override = {
          url: 'https://h.example/n',
          verify_token: 't',
          state: 'pending_verification',
        } as const;
        await store.commitPhoneNumberChange({
          number: { ...number, webhook_override: { ...override } },
          history: [],
          events: [],
        });
        await store.setNumberWebhookState(ID.connected, 'https://h.example/x', 'active');
        assert.equal(
          (await store.getPhoneNumber(ID.connected))!.webhook_override!.state,
          'pending_verification',
        );
        await store.setNumberWebhookState(ID.connected, override.url, 'active');
        assert.deepEqual((await store.getPhoneNumber(ID.connected))!.webhook_override, {
          ...override,
          state: 'active',
        });
      }));

    test('meta: initMeta keeps the first value, setMeta replaces', () =>
      withStore(backend, async (store, other) => {
        assert.equal(await store.getMeta('k'), undefined);
        const values = await Promise.all([store.initMeta('k', 'one'), other.initMeta('k', 'two')]);
        assert.equal(values[0], values[1], 'concurrent instances agree');
        await store.setMeta('k', 'three');
        assert.equal(await other.getMeta('k'), 'three');
      }));

    test('concurrent QR creates get unique codes and positions and never pass the limit', () =>
      withStore(backend, async (store, other) => {
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            (i % 2 === 0 ? store : other).createQrCode(
              { code: `C${i}`, phone_number_id: ID.flagged, prefilled_message: String(i) },
              10,
            ),
          ),
        );
        const created = results.filter((r): r is QrCodeRecord => r !== 'limit');
        assert.equal(created.length, 10);
        assert.equal(new Set(created.map((c) => c.position)).size, 10);
        const listed = await store.listQrCodes(ID.flagged, { toward: 'end', from: null, limit: 100 });
        assert.equal(listed.length, 10);
        const many = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? store : other).createQrCode(
              { code: `M${i}`, phone_number_id: i % 4 < 2 ? ID.connected : ID.other, prefilled_message: '' },
              100,
            ),
          ),
        );
        const positions = many.map((r) => (r as QrCodeRecord).position);
        assert.equal(new Set(positions).size, 20, 'positions are unique across numbers');
      }));

    test('concurrent creations of one number: exactly one wins', () =>
      withStore(backend, async (store, other) => {
        const template = (await store.getPhoneNumber(ID.connected))!;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? store : other).createPhoneNumber(
              newNumber(template, `41000000000010${String(i).padStart(2, '0')}`, '+1 555-020-0777'),
              '15550200777',
            ),
          ),
        );
        assert.equal(results.filter((r) => r === 'created').length, 1);
        assert.equal(results.filter((r) => r === 'in_use').length, 19);
      }));

    test('the register window admits exactly 10 of 50 concurrent calls', () =>
      withStore(backend, async (store, other) => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 === 0 ? store : other).admitLimitedCall(
              'register',
              ID.connected,
              AT,
              '2026-11-21T12:00:00.000Z',
              10,
            ),
          ),
        );
        assert.equal(results.filter(Boolean).length, 10);
      }));
  });
}
