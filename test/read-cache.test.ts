import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../src/server/build-app.ts';
import { freshTestStore, reopenableTestStore } from './helpers/test-store.ts';
import { certificatePublicKey } from '../src/domain/certificate-keys.ts';
import { serve } from '../src/cli/commands/serve-run.ts';
import { CliError, EXIT } from '../src/cli/exit-codes.ts';
import { startServer } from '../src/server/start.ts';
import { CachedStore } from '../src/store/cached-store.ts';
import { E, edgesApp, wire } from './helpers/edges-app.ts';
import {
  fixedClock,
  fixedIds,
  GRAPH_SCENARIO,
  graphApp,
  ID,
  loadScenarioText,
  type TestApp,
} from './helpers/graph-app.ts';

const fixture = readFileSync(GRAPH_SCENARIO, 'utf8');
const read = `/v21.0/${ID.connected}?fields=status,verified_name&access_token=T-ALL`;

test('shows a change on the very next read after a cached read', async () => {
  const app = await graphApp();
  try {
    assert.equal(
      (await app.get(read)).body,
      `{"status":"CONNECTED","verified_name":"Support Line","id":"${ID.connected}"}`,
    );
    const changed = fixture
      .replace(
        'verified_name: Support Line\n            status: CONNECTED',
        'verified_name: Renamed\n            status: RESTRICTED',
      )
      .replace(
        '{ value: T-ALL, app: "1100000000000001" }',
        '{ value: T-ALL, app: "1100000000000001", revoked: true }',
      );
    assert.notEqual(changed, fixture);
    await loadScenarioText(app.store, changed);
    const after = await app.get(read);
    assert.equal(JSON.parse(after.body).error.error_subcode, 460, 'the token digest cache was invalidated');
    const other = await app.get(read.replace('T-ALL', 'T-MGMT'));
    assert.equal(other.body, `{"status":"RESTRICTED","verified_name":"Renamed","id":"${ID.connected}"}`);
  } finally {
    await app.close();
  }
});

test('keeps state and the certificate key across a restart on the same database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pg-restart-'));
  try {
    const location = await reopenableTestStore(join(dir, 'state.db'));
    const first = await location.open();
    await loadScenarioText(first, fixture);
    const key = await certificatePublicKey(first);
    const app1 = buildApp({ store: first, clock: fixedClock, ids: fixedIds });
    const before = (await app1.fastify.inject({ url: read })).body;
    await app1.fastify.close();
    await app1.store.close();

    const second = await location.open();
    assert.equal(await second.isEmpty(), false);
    assert.equal(await certificatePublicKey(second), key);
    const app2 = buildApp({ store: second, clock: fixedClock, ids: fixedIds });
    assert.equal((await app2.fastify.inject({ url: read })).body, before);
    await app2.fastify.close();
    await app2.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('starts without reading every number: the first read of a number reaches the store once', async () => {
  const inner = await freshTestStore();
  await loadScenarioText(inner, fixture);
  let lookups = 0;
  const counting = new Proxy(inner, {
    get(target, property, receiver) {
      // Either read of a number counts (SQLite also reads synchronously for the read fast path).
      if (property === 'getPhoneNumber' || property === 'getPhoneNumberNow') {
        const read = Reflect.get(target, property, receiver) as ((id: string) => unknown) | undefined;
        if (read === undefined) return undefined;
        return (id: string) => {
          lookups += 1;
          return read.call(target, id);
        };
      }
      if (property === 'scanPhoneNumbers') throw new Error('a start must not scan every number');
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const server = await startServer({ store: counting, host: '127.0.0.1', port: 0, clock: fixedClock });
  try {
    assert.equal(lookups, 0, 'nothing read at start');
    assert.equal((await fetch(`${server.url}${read}`)).status, 200);
    assert.equal((await fetch(`${server.url}${read}`)).status, 200);
    assert.equal(lookups, 1, 'the second read is served from the cache');
    await fetch(`${server.url}/v21.0/999999999999999?access_token=T-ALL`);
    await fetch(`${server.url}/v21.0/999999999999999?access_token=T-ALL`);
    assert.equal(lookups, 2, 'an unknown id reaches the store once, then is cached as absent');
  } finally {
    await server.close();
  }
});

function admin(app: TestApp, method: 'GET' | 'POST', path: string, payload?: unknown) {
  return app.fastify.inject({
    method,
    url: `/__admin${path}`,
    remoteAddress: '127.0.0.1',
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

test('shows a number status change on the next read, other cached numbers untouched', async () => {
  const app = await graphApp();
  try {
    const other = `/v21.0/${ID.flagged}?fields=status&access_token=T-ALL`;
    const before = (await app.get(other)).body;
    assert.equal(
      (await app.get(read)).body,
      `{"status":"CONNECTED","verified_name":"Support Line","id":"${ID.connected}"}`,
    );
    const cachedBytes = app.store.cachedBytes;
    const changed = await admin(app, 'POST', `/phone-numbers/${ID.connected}/status`, {
      status: 'RESTRICTED',
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.ok(app.store.cachedBytes < cachedBytes, 'the changed number left the cache');
    assert.ok(app.store.cachedBytes > 0, 'the rest stayed');
    assert.notEqual(app.store.peekPhoneNumber(ID.flagged), undefined, 'another number is still cached');
    assert.equal(app.store.peekPhoneNumber(ID.connected), undefined, 'the changed number is not');
    assert.equal(
      (await app.get(read)).body,
      `{"status":"RESTRICTED","verified_name":"Support Line","id":"${ID.connected}"}`,
    );
    assert.equal((await app.get(other)).body, before);
  } finally {
    await app.close();
  }
});

test('shows a WABA review change on the next read', async () => {
  const app = await graphApp();
  try {
    const path = `/v21.0/${ID.waba}?fields=account_review_status&access_token=T-ALL`;
    assert.equal((await app.get(path)).body, `{"account_review_status":"APPROVED","id":"${ID.waba}"}`);
    assert.notEqual(app.store.peekWaba(ID.waba), undefined);
    const changed = await admin(app, 'POST', `/wabas/${ID.waba}/review`, {
      account_review_status: 'REJECTED',
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(app.store.peekWaba(ID.waba), undefined);
    assert.equal((await app.get(path)).body, `{"account_review_status":"REJECTED","id":"${ID.waba}"}`);
  } finally {
    await app.close();
  }
});

test('applies a pair rate-limit override from the next read', async () => {
  const app = await graphApp();
  try {
    const first = await app.get(read);
    assert.equal(first.statusCode, 200);
    const set = await admin(app, 'POST', '/rate-limits', {
      app: ID.app,
      waba: ID.waba,
      per_hour: 1,
      active_per_hour: 1,
    });
    assert.equal(set.statusCode, 200, set.body);
    assert.notEqual(app.store.peekApp(ID.app), undefined, 'an override of the pair keeps the app cached');
    const refused = await app.get(read);
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(JSON.parse(refused.body).error.code, 80008);
  } finally {
    await app.close();
  }
});

test('shows QR code creation, deletion and profile changes on the next read', async () => {
  const app = await edgesApp();
  try {
    const qrs = `/v21.0/${E.first}/message_qrdls?access_token=T-ALL`;
    const codes = async (): Promise<string[]> =>
      (JSON.parse((await app.send('GET', qrs)).body) as { data: { code: string }[] }).data.map(
        (qr) => qr.code,
      );
    const before = await codes();
    const created = await app.send('POST', `${qrs}&prefilled_message=Hello`);
    const code = (JSON.parse(created.body) as { code: string }).code;
    assert.deepEqual(await codes(), [code, ...before]);
    const deleted = await app.send('DELETE', `/v21.0/${E.first}/message_qrdls/${code}?access_token=T-ALL`);
    assert.equal(deleted.body, '{"success":true}');
    assert.deepEqual(await codes(), before);

    const profile = `/v21.0/${E.first}/whatsapp_business_profile?access_token=T-ALL`;
    await app.send('GET', `${profile}&fields=about`);
    const updated = await app.send('POST', profile, {
      form: { messaging_product: 'whatsapp', about: 'Open 9-5' },
    });
    assert.equal(updated.body, '{"success":true}');
    assert.equal(
      (await app.send('GET', `${profile}&fields=about`)).body,
      wire({ data: [{ about: 'Open 9-5', messaging_product: 'whatsapp' }] }),
    );
  } finally {
    await app.close();
  }
});

test('forget drops exactly what a notice names; invalidate drops everything', async () => {
  const app = await graphApp();
  try {
    await app.get(read);
    await app.get(`/v21.0/${ID.flagged}?fields=status&access_token=T-ALL`);
    const store = app.store;
    assert.notEqual(store.peekPhoneNumber(ID.flagged), undefined);
    store.forget({ kind: 'phone_number', id: ID.connected, phone_number_id: ID.connected, waba_id: ID.waba });
    assert.equal(store.peekPhoneNumber(ID.connected), undefined);
    assert.notEqual(store.peekPhoneNumber(ID.flagged), undefined);
    assert.notEqual(store.peekWaba(ID.waba), undefined);
    assert.notEqual(store.peekApp(ID.app), undefined);
    store.forget({ kind: 'waba', id: ID.waba, waba_id: ID.waba });
    assert.equal(store.peekWaba(ID.waba), undefined);
    assert.notEqual(store.peekApp(ID.app), undefined);
    store.forget({ kind: 'webhook_subscription', id: ID.app });
    assert.equal(store.peekApp(ID.app), undefined);
    store.forget({ kind: 'qr_code', id: 'ABC', phone_number_id: ID.flagged });
    store.forget({ kind: 'business_profile', id: ID.flagged, phone_number_id: ID.flagged });
    assert.notEqual(store.peekPhoneNumber(ID.flagged), undefined, 'QR codes and profiles are not cached');
    assert.equal(store.peekPhoneNumber('999999999999999'), undefined, 'never read: not cached');
    await app.get(`/v21.0/999999999999999?access_token=T-ALL`);
    assert.equal(store.peekPhoneNumber('999999999999999'), null, 'cached as absent');
    store.invalidate();
    assert.equal(store.peekPhoneNumber(ID.flagged), undefined);
    assert.equal(store.cachedBytes, 0);
    assert.equal(store.budget.entries, 0);
  } finally {
    await app.close();
  }
});

test('evicts least recently used entries to stay within the byte budget', async () => {
  const inner = await freshTestStore();
  const numbers = Array.from({ length: 40 }, (_, i) => `5100000000${String(i).padStart(5, '0')}`);
  await loadScenarioText(inner, manyNumbersScenario(numbers));
  const store = new CachedStore(inner, { cacheBytes: 16_384 });
  try {
    const hot = numbers[0] as string;
    for (const id of numbers) {
      assert.equal((await store.getPhoneNumber(id))?.id, id);
      assert.equal(store.peekPhoneNumber(hot)?.id, hot, 'the hot number is used between every read');
      assert.ok(store.cachedBytes <= 16_384, `${store.cachedBytes} bytes held`);
    }
    assert.ok(store.budget.evictions > 0, 'the budget was reached');
    assert.ok(
      store.budget.entries > 1 && store.budget.entries < numbers.length,
      `${store.budget.entries} entries`,
    );
    assert.equal(store.peekPhoneNumber(numbers[1] as string), undefined, 'an old cold entry was evicted');
    assert.equal(store.peekPhoneNumber(numbers.at(-1) as string)?.id, numbers.at(-1), 'the newest is kept');
  } finally {
    await store.close();
  }
});

function manyNumbersScenario(ids: readonly string[]): string {
  const numbers = ids
    .map(
      (id, i) =>
        `          - { id: "${id}", display_phone_number: "+1 555 01${String(i).padStart(2, '0')}", verified_name: N${i} }`,
    )
    .join('\n');
  return `version: 1
apps:
  - { id: "1100000000000001", name: App, secret: s3cret }
tokens:
  - { value: T, app: "1100000000000001" }
businesses:
  - id: "2100000000000001"
    name: Biz
    wabas:
      - id: "3100000000000001"
        name: W
        phone_numbers:
${numbers}
`;
}

test('refuses a bad --cache-mb or PHONEGRAPH_CACHE_MB as a usage error (exit code 2)', async () => {
  for (const [flags, env] of [
    [{ 'cache-mb': '0' }, {}],
    [{ 'cache-mb': 'lots' }, {}],
    [{ 'cache-mb': '65537' }, {}],
    [{}, { PHONEGRAPH_CACHE_MB: '-5' }],
  ] as const) {
    let stdout = '';
    const io = { env: { ...env }, stdout: (text: string) => (stdout += text), stderr: () => {}, fetch };
    await assert.rejects(
      serve({ port: '0', db: ':memory:', ...flags }, io),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === EXIT.usage &&
        /^--cache-mb must be 1-65536, got /.test(error.message),
      JSON.stringify({ flags, env }),
    );
    assert.equal(stdout, '');
  }
});
