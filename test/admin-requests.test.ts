import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalEntry } from '../src/journal/request-journal.ts';
import { ID, TRACE_ID, graphApp, type TestApp } from './helpers/graph-app.ts';

async function journal(app: TestApp, query = ''): Promise<JournalEntry[]> {
  const response = await app.fastify.inject({ url: `/__admin/requests${query}`, remoteAddress: '127.0.0.1' });
  assert.equal(response.statusCode, 200, response.body);
  return (JSON.parse(response.body) as { data: JournalEntry[] }).data;
}

test('records a Graph request with its token and secrets redacted', async () => {
  const app = await graphApp();
  try {
    const graph = await app.get(
      `/v23.0/${ID.connected}?fields=id,status&access_token=T-ALL&appsecret_proof=abc&pin=123456`,
    );
    const [entry] = await journal(app);
    assert.ok(entry !== undefined);
    assert.equal(entry.method, 'GET');
    assert.equal(entry.path, `/v23.0/${ID.connected}`);
    assert.equal(
      entry.query,
      'fields=id,status&access_token=[redacted]&appsecret_proof=[redacted]&pin=[redacted]',
    );
    assert.equal(entry.app_id, ID.app);
    assert.equal(entry.status, graph.statusCode);
    assert.equal(entry.fbtrace_id, TRACE_ID);
    assert.equal(entry.response_body, graph.body);
    assert.ok(entry.response_headers.some(([name]) => name.toLowerCase() === 'x-fb-trace-id'));
    assert.equal(typeof entry.duration_ms, 'number');
    assert.ok(!JSON.stringify(entry).includes('T-ALL'));
  } finally {
    await app.close();
  }
});

test('never shows the Authorization header token', async () => {
  const app = await graphApp();
  try {
    await app.get(`/v23.0/${ID.connected}`, { authorization: 'Bearer T-ALL' });
    const [entry] = await journal(app);
    assert.equal(entry?.app_id, ID.app);
    assert.ok(!JSON.stringify(entry).includes('T-ALL'));
  } finally {
    await app.close();
  }
});

test('filters by method, path, status and Graph code, newest first', async () => {
  const app = await graphApp();
  try {
    await app.get(`/v23.0/${ID.connected}?access_token=T-ALL`);
    await app.get(`/v23.0/${ID.flagged}?access_token=T-ALL`);
    await app.get(`/v23.0/${ID.connected}?access_token=NOPE`);
    const all = await journal(app);
    assert.deepEqual(
      all.map((entry) => [entry.path, entry.status]),
      [
        [`/v23.0/${ID.connected}`, 401],
        [`/v23.0/${ID.flagged}`, 200],
        [`/v23.0/${ID.connected}`, 200],
      ],
    );
    assert.equal(all[0]?.code, 190);
    assert.equal((await journal(app, `?path=${ID.flagged}`)).length, 1);
    assert.equal((await journal(app, '?status=4xx')).length, 1);
    assert.equal((await journal(app, '?status=200')).length, 2);
    assert.equal((await journal(app, '?code=190')).length, 1);
    assert.equal((await journal(app, '?method=post')).length, 0);
    assert.equal((await journal(app, '?limit=1')).length, 1);
    const bad = await app.fastify.inject({ url: '/__admin/requests?limit=x', remoteAddress: '127.0.0.1' });
    assert.equal(bad.statusCode, 400);
    assert.equal(
      bad.body,
      '{"error":{"message":"limit must be a whole number ≥ 1","code":"validation_failed"}}',
    );
  } finally {
    await app.close();
  }
});

test('keeps only the last N requests', async () => {
  const app = await graphApp();
  try {
    for (let i = 0; i < app.journal.size + 5; i++) await app.get(`/v23.0/${ID.connected}?n=${i}`);
    const all = await journal(app, `?limit=${app.journal.size + 100}`);
    assert.equal(all.length, app.journal.size);
    assert.equal(all[0]?.query, `n=${app.journal.size + 4}`);
    assert.equal(all.at(-1)?.query, 'n=5');
  } finally {
    await app.close();
  }
});

test('is refused to a non-loopback peer like the rest of the admin plane', async () => {
  const app = await graphApp();
  try {
    const response = await app.fastify.inject({ url: '/__admin/requests', remoteAddress: '10.0.0.7' });
    assert.equal(response.statusCode, 404);
  } finally {
    await app.close();
  }
});

test('GET /requests/{id} answers one entry, and 404 once it has left the ring', async () => {
  const app = await graphApp();
  try {
    await app.get(`/v23.0/${ID.connected}?access_token=T-ALL`);
    await app.get(`/v23.0/${ID.flagged}?access_token=T-ALL`);
    const [newest, older] = await journal(app);
    assert.ok(newest !== undefined && older !== undefined);
    const one = await app.fastify.inject({
      url: `/__admin/requests/${older.id}`,
      remoteAddress: '127.0.0.1',
    });
    assert.equal(one.statusCode, 200);
    assert.deepEqual(JSON.parse(one.body), older);
    for (const id of ['999999', 'abc']) {
      const missing = await app.fastify.inject({
        url: `/__admin/requests/${id}`,
        remoteAddress: '127.0.0.1',
      });
      assert.equal(missing.statusCode, 404);
      assert.deepEqual(JSON.parse(missing.body), {
        error: { message: `No journal entry ${id} (it may have left the ring)`, code: 'not_found' },
      });
    }
  } finally {
    await app.close();
  }
});
