import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AdjustableClock } from '../src/domain/clock.ts';
import { parseDuration } from '../src/domain/duration.ts';
import { GRAPH_SCENARIO, graphApp, ID, NOW } from './helpers/graph-app.ts';

const scenario = readFileSync(GRAPH_SCENARIO, 'utf8').replace('2026-03-30T23:00:00Z', '2026-11-24T13:00:00Z');
const read = `/v21.0/${ID.connected}?fields=status&access_token=T-EXPIRED`;

test('parses durations as the admin clock takes them', () => {
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1d'), 86_400_000);
  for (const bad of ['', '2', 'h', '2 h', '-1h', '1.5h', '2hours'])
    assert.equal(parseDuration(bad), undefined, bad);
});

test('moves the clock every time-dependent rule reads, and keeps the offset in the store', async () => {
  const clock = new AdjustableClock(() => NOW.getTime());
  const app = await graphApp({ scenario, clock });
  const admin = (payload: unknown) =>
    app.fastify.inject({
      method: 'POST',
      url: '/__admin/clock',
      payload: payload as object,
      remoteAddress: '127.0.0.1',
    });
  try {
    assert.equal((await app.get(read)).statusCode, 200, 'the token expires at 13:00, an hour from now');

    const advanced = await admin({ advance: '2h' });
    assert.equal(advanced.statusCode, 200);
    assert.equal(advanced.body, '{"now":"2026-11-24T14:00:00.000Z","offset_ms":7200000}');
    const expired = JSON.parse((await app.get(read)).body).error;
    assert.equal(expired.error_subcode, 463);
    assert.match(expired.message, /The current time is Tuesday, 24-Nov-26 06:00:00 PST\.$/);

    const reloaded = new AdjustableClock(() => NOW.getTime());
    await reloaded.load(app.store);
    assert.equal(reloaded.offsetMs, 7_200_000, 'another instance on the store sees the offset');

    const set = await admin({ set: '2026-11-24T12:30:00Z' });
    assert.equal(set.body, '{"now":"2026-11-24T12:30:00.000Z","offset_ms":1800000}');
    assert.equal((await app.get(read)).statusCode, 200);

    const real = await admin({ real: true });
    assert.equal(real.body, '{"now":"2026-11-24T12:00:00.000Z","offset_ms":0}');
  } finally {
    await app.close();
  }
});

test('refuses a clock change that is not exactly one valid instruction', async () => {
  const app = await graphApp();
  try {
    for (const payload of [
      {},
      { advance: '2 hours' },
      { set: 'yesterday' },
      { real: false },
      { advance: '1h', real: true },
    ]) {
      const response = await app.fastify.inject({
        method: 'POST',
        url: '/__admin/clock',
        payload,
        remoteAddress: '127.0.0.1',
      });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(JSON.parse(response.body).error.code, 'validation_failed');
    }
    const notJson = await app.fastify.inject({
      method: 'POST',
      url: '/__admin/clock',
      payload: '{',
      headers: { 'content-type': 'application/json' },
      remoteAddress: '127.0.0.1',
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(
      notJson.body,
      '{"error":{"message":"Request body is not valid JSON","code":"validation_failed"}}',
    );
  } finally {
    await app.close();
  }
});
