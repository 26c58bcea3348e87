import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../src/server/build-app.ts';
import { freshTestStore, reopenableTestStore } from './helpers/test-store.ts';
import { certificatePublicKey } from '../src/domain/certificate-keys.ts';
import { fixedClock, fixedIds, GRAPH_SCENARIO, graphApp, ID, loadScenarioText } from './helpers/graph-app.ts';

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

test('warms the number cache at start so a first read does not hit the database', async () => {
  const inner = await freshTestStore();
  await loadScenarioText(inner, fixture);
  let lookups = 0;
  const counting = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'getPhoneNumber') {
        return (id: string) => {
          lookups += 1;
          return target.getPhoneNumber(id);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const app = buildApp({ store: counting, clock: fixedClock, ids: fixedIds });
  try {
    assert.equal(await app.store.warm(2), 5, 'every fixture number, paged two at a time');
    const response = await app.fastify.inject({ url: read });
    assert.equal(response.statusCode, 200);
    assert.equal(lookups, 0);
    await app.fastify.inject({ url: `/v21.0/999999999999999?access_token=T-ALL` });
    assert.equal(lookups, 1, 'a miss still reaches the store');
  } finally {
    await app.fastify.close();
    await app.store.close();
  }
});
