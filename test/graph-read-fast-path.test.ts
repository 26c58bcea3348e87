import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { AdjustableClock } from '../src/domain/clock.ts';
import { FaultRules } from '../src/faults/fault-rules.ts';
import { GraphHandler } from '../src/graph/graph-handler.ts';
import type { GraphRequest } from '../src/graph/graph-request.ts';
import { BucAccounting } from '../src/limits/buc-accounting.ts';
import { MemoryWindow } from '../src/limits/memory-window.ts';
import { CachedStore } from '../src/store/cached-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import {
  fixedIds,
  GRAPH_SCENARIO,
  graphApp,
  ID,
  loadScenarioText,
  NOW,
  type TestApp,
} from './helpers/graph-app.ts';

function comparable(response: LightMyRequestResponse): unknown {
  const headers = { ...response.headers };
  delete headers.date;
  return { status: response.statusCode, headers, body: response.body };
}

// The first read of each case finds nothing cached and takes the full path; the second is answered from
// cached records by the fast path. A user must not be able to tell them apart.
describe('a read answered from cached records', () => {
  let app: TestApp;
  before(async () => {
    app = await graphApp();
  });
  after(async () => app.close());

  const cases: { name: string; url: string; headers?: Record<string, string>; method?: 'HEAD' }[] = [
    { name: 'token parameter', url: `/v21.0/${ID.connected}?fields=status,quality_score&access_token=T-ALL` },
    {
      name: 'Bearer header, implicit version',
      url: `/${ID.flagged}?fields=display_phone_number`,
      headers: { authorization: 'Bearer T-ALL' },
    },
    { name: 'default fields', url: `/v21.0/${ID.connected}?access_token=T-MGMT` },
    { name: 'HEAD', url: `/v21.0/${ID.connected}?fields=status&access_token=T-ALL`, method: 'HEAD' },
    { name: 'expired token', url: `/v21.0/${ID.connected}?fields=status&access_token=T-EXPIRED` },
    { name: 'revoked token', url: `/v21.0/${ID.connected}?fields=status&access_token=T-REVOKED` },
    { name: 'number of another WABA', url: `/v21.0/${ID.other}?fields=status&access_token=T-W1` },
    { name: 'unknown field', url: `/v21.0/${ID.connected}?fields=nope&access_token=T-ALL` },
    {
      name: 'app requiring appsecret_proof',
      url: `/v21.0/${ID.connected}?fields=status&access_token=T-PROOF`,
    },
  ];
  for (const { name, url, headers = {}, method = 'GET' } of cases) {
    test(`answers the same bytes the second time: ${name}`, async () => {
      const first = await app.fastify.inject({ method, url, headers });
      const second = await app.fastify.inject({ method, url, headers });
      assert.deepEqual(comparable(second), comparable(first));
    });
  }

  test('answers 304 to a matching If-None-Match from the cached path too', async () => {
    const url = `/v21.0/${ID.connected}?fields=status&access_token=T-ALL`;
    const first = await app.get(url);
    const etag = String(first.headers.etag);
    const again = await app.get(url, { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);
  });
});

describe('GraphHandler.handle', () => {
  test('answers a read of cached records without a promise, and the full path with one', async () => {
    const store = new CachedStore(new SqliteStore({ path: ':memory:' }));
    await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
    const logger = { error: () => {}, info: () => {} };
    const graph = new GraphHandler({
      store,
      clock: new AdjustableClock(() => NOW.getTime()),
      ids: fixedIds,
      logger,
      buc: new BucAccounting(new MemoryWindow(), store, logger),
      faults: new FaultRules(store),
    });
    const request: GraphRequest = {
      method: 'GET',
      path: `/v21.0/${ID.connected}`,
      params: Object.assign(Object.create(null) as Record<string, string>, {
        fields: 'status',
        access_token: 'T-ALL',
      }),
      authorization: undefined,
      ifNoneMatch: undefined,
    };
    const cold = graph.handle(request);
    assert.ok(cold instanceof Promise);
    const coldResponse = await cold;
    const warm = graph.handle(request);
    assert.ok(!(warm instanceof Promise));
    assert.deepEqual(warm, coldResponse);
    // Another number of the same WABA, never read: SQLite reads it at once, so no promise either, and
    // the answer is the one the full path gives once it is cached.
    const other = { ...request, path: `/v21.0/${ID.flagged}` };
    const first = graph.handle(other);
    assert.ok(!(first instanceof Promise));
    assert.deepEqual(graph.handle(other), first);
    await store.close();
  });
});
