import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ERROR_CATALOGUE } from '../src/contract/errors.ts';
import { AdjustableClock } from '../src/domain/clock.ts';
import type { BucWindow } from '../src/limits/buc-window.ts';
import { MemoryWindow } from '../src/limits/memory-window.ts';
import { RedisWindow } from '../src/limits/redis-window.ts';
import { buildApp, type PhonegraphApp } from '../src/server/build-app.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { fixedIds, loadScenarioText, TRACE_ID } from './helpers/graph-app.ts';
import { startPrivateRedis, type PrivateRedis } from './helpers/redis-server.ts';

const SCENARIO = readFileSync(new URL('fixtures/scenarios/rate-limits.yaml', import.meta.url), 'utf8');
const T0 = Date.parse('2026-11-24T12:00:00.000Z');
const APP = '1200000000000001';
const ACTIVE = '3200000000000001';
const QUIET = '3200000000000002';
const ACTIVE_NUMBER = '420000000000001';
const QUIET_NUMBER = '420000000000002';
const READ = `/v21.0/${ACTIVE_NUMBER}?fields=status&access_token=T-LIMITED`;
const REFUSED_BODY = `{"error":{"message":"${ERROR_CATALOGUE.bucRateLimit.message.replace(/\//g, '\\/')}","type":"OAuthException","is_transient":true,"code":80008,"fbtrace_id":"${TRACE_ID}"}}`;

function usage(waba: string, callCount: number, minutes: number): string {
  return `{"${waba}":[{"type":"whatsapp_business_management","call_count":${callCount},"total_cputime":0,"total_time":0,"estimated_time_to_regain_access":${minutes}}]}`;
}

interface Harness {
  app: PhonegraphApp;
  clock: AdjustableClock;
  get(url?: string): Promise<{ status: number; body: string; usage: string | undefined }>;
  admin(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<{ status: number; body: string }>;
}

async function harness(window: BucWindow): Promise<Harness> {
  const store = await freshTestStore();
  const clock = new AdjustableClock(() => T0);
  await loadScenarioText(store, SCENARIO, clock);
  const app = buildApp({ store, clock, ids: fixedIds, bucWindow: window });
  return {
    app,
    clock,
    async get(url = READ) {
      const response = await app.fastify.inject({ url });
      const header = response.headers['x-business-use-case-usage'];
      return {
        status: response.statusCode,
        body: response.body,
        usage: header === undefined ? undefined : String(header),
      };
    },
    async admin(method, url, payload) {
      const response = await app.fastify.inject({
        method,
        url: `/__admin${url}`,
        remoteAddress: '127.0.0.1',
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      return { status: response.statusCode, body: response.body };
    },
  };
}

// Only the Redis cases start (and need) a redis-server: its start is part of that describe, so the
// memory cases run whether or not Redis is there.
let redis: PrivateRedis | undefined;
const backends: {
  name: string;
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
  window: () => BucWindow;
}[] = [
  { name: 'memory', window: () => new MemoryWindow() },
  {
    name: 'redis',
    start: async () => void (redis = await startPrivateRedis()),
    stop: async () => redis?.stop(),
    window: () => new RedisWindow((redis as PrivateRedis).url),
  },
];

for (const backend of backends) {
  describe(`BUC rate limits on the ${backend.name} backend`, () => {
    before(async () => backend.start?.());
    let h: Harness;
    beforeEach(async () => {
      if (h !== undefined) await h.app.fastify.close();
      const window = backend.window();
      await window.clear();
      h = await harness(window);
    });
    after(async () => {
      if (h !== undefined) await h.app.fastify.close();
      await backend.stop?.();
    });

    test('writes the usage header with exact arithmetic at 1, 199, 200 and 201 calls', async () => {
      assert.equal((await h.admin('GET', '/rate-limits')).body, '{"data":[]}', 'no calls yet');
      const first = await h.get();
      assert.equal(first.status, 200);
      assert.equal(first.usage, usage(ACTIVE, 0, 0));
      for (let i = 2; i < 199; i++) await h.get();
      assert.equal((await h.get()).usage, usage(ACTIVE, 99, 0), 'the 199th call');
      const filling = await h.get();
      assert.equal(filling.status, 200, 'the 200th call is admitted');
      assert.equal(filling.usage, usage(ACTIVE, 100, 60), 'and shows the wait from the call that filled it');
      const refused = await h.get();
      assert.equal(refused.status, 400);
      assert.equal(refused.body, REFUSED_BODY);
      assert.equal(refused.usage, usage(ACTIVE, 100, 60));
      assert.equal(
        (await h.admin('GET', '/rate-limits')).body,
        `{"data":[{"app":"${APP}","waba":"${ACTIVE}","limit":200,"calls":200,"call_count":100,"estimated_time_to_regain_access":60}]}`,
      );
    });

    test('the timeline counts the window calls per 5 minutes as the clock moves', async () => {
      await h.get();
      await h.admin('POST', '/clock', { advance: '10m' });
      await h.get();
      await h.get();
      const timeline = async (): Promise<number[]> =>
        (
          JSON.parse((await h.admin('GET', `/rate-limits/timeline?app=${APP}&waba=${ACTIVE}`)).body) as {
            data: { calls: number }[];
          }
        ).data.map((bucket) => bucket.calls);
      assert.deepEqual(await timeline(), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
      await h.admin('POST', '/clock', { advance: '55m' });
      assert.deepEqual(await timeline(), [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'the first call has left');
    });

    test('admits exactly the limit out of 500 concurrent calls', async () => {
      const results = await Promise.all(Array.from({ length: 500 }, () => h.get()));
      assert.equal(results.filter((r) => r.status === 200).length, 200);
      assert.equal(results.filter((r) => r.body === REFUSED_BODY).length, 300);
    });

    test('a reset empties an exhausted window at once', async () => {
      await h.admin('POST', '/rate-limits', { exhaust: { app: APP, waba: ACTIVE } });
      assert.equal((await h.get()).status, 400);
      const reset = await h.admin('POST', '/rate-limits', { reset: { app: APP, waba: ACTIVE } });
      assert.equal(
        reset.body,
        `{"app":"${APP}","waba":"${ACTIVE}","limit":200,"calls":0,"call_count":0,"estimated_time_to_regain_access":0}`,
      );
      const again = await h.get();
      assert.equal(again.status, 200);
      assert.equal(again.usage, usage(ACTIVE, 0, 0));
      assert.equal((await h.admin('POST', '/rate-limits', { reset: { app: APP } })).status, 400);
    });

    test('admits again once the clock has moved an hour past the call that filled the window', async () => {
      assert.equal(
        (await h.admin('POST', '/rate-limits', { exhaust: { app: APP, waba: ACTIVE } })).status,
        200,
      );
      assert.equal((await h.get()).status, 400);
      await h.admin('POST', '/clock', { advance: '59m' });
      const waiting = await h.get();
      assert.equal(waiting.status, 400);
      assert.equal(waiting.usage, usage(ACTIVE, 100, 1));
      await h.admin('POST', '/clock', { advance: '1m' });
      const again = await h.get();
      assert.equal(again.status, 200, 'at t0 + 1 h the calls of t0 have left (now − 3600 s, now]');
      assert.equal(again.usage, usage(ACTIVE, 0, 0));
    });

    test('slides: calls at t=0 and t=1800 s, and at t=3601 s only the second half counts', async () => {
      for (let i = 0; i < 100; i++) await h.get();
      await h.admin('POST', '/clock', { set: new Date(T0 + 1_800_000).toISOString() });
      for (let i = 0; i < 100; i++) await h.get();
      await h.admin('POST', '/clock', { set: new Date(T0 + 3_599_000).toISOString() });
      assert.equal((await h.get()).status, 400, 'still full one second before the first half leaves');
      await h.admin('POST', '/clock', { set: new Date(T0 + 3_601_000).toISOString() });
      const slid = await h.get();
      assert.equal(slid.status, 200);
      assert.equal(slid.usage, usage(ACTIVE, 50, 0), '100 of the second half + this call = 101 of 200');
    });

    test('does not count calls stamped later than now once the clock was set back', async () => {
      await h.admin('POST', '/clock', { advance: '1h' });
      assert.equal((await h.get()).usage, usage(ACTIVE, 0, 0), 'one call at t0 + 1 h');
      await h.admin('POST', '/clock', { real: true });
      assert.equal((await h.admin('GET', '/rate-limits')).body, '{"data":[]}', 'back at t0: not counted');
      assert.equal((await h.get()).usage, usage(ACTIVE, 0, 0), 'one call at t0');
      await h.admin('POST', '/rate-limits', { exhaust: { app: APP, waba: ACTIVE } });
      const full = await h.get();
      assert.equal(full.body, REFUSED_BODY);
      assert.equal(full.usage, usage(ACTIVE, 100, 60));
      await h.admin('POST', '/clock', { advance: '1h' });
      const again = await h.get();
      assert.equal(again.status, 200, 'the calls of t0 have left; the one of t0 + 1 h is back in the window');
      assert.equal(again.usage, usage(ACTIVE, 1, 0), '2 of 200');
      assert.match((await h.admin('GET', '/rate-limits')).body, /"calls":2,/);
    });

    test('does not let refused calls extend the block', async () => {
      await h.admin('POST', '/rate-limits', { exhaust: { app: APP, waba: ACTIVE } });
      for (const minute of [10, 30, 59]) {
        await h.admin('POST', '/clock', { set: new Date(T0 + minute * 60_000).toISOString() });
        assert.equal((await h.get()).status, 400);
      }
      await h.admin('POST', '/clock', { set: new Date(T0 + 3_600_000).toISOString() });
      assert.equal((await h.get()).status, 200);
    });

    test('counts an unknown edge or an unsupported method on a visible number, but not a missing one', async () => {
      await h.get(`/v21.0/${ACTIVE_NUMBER}/nope?access_token=T-LIMITED`);
      await h.app.fastify.inject({ method: 'DELETE', url: `/v21.0/${ACTIVE_NUMBER}?access_token=T-LIMITED` });
      const missing = await h.get(`/v21.0/999999999999999?access_token=T-LIMITED`);
      assert.equal(missing.usage, undefined, 'no key was resolved');
      const badToken = await h.get(`/v21.0/${ACTIVE_NUMBER}?access_token=nope`);
      assert.equal(badToken.usage, undefined);
      assert.match((await h.admin('GET', '/rate-limits')).body, /"calls":2,/);
    });

    test('keys by WABA and takes per-WABA limits set on the admin plane, then an hour frees it', async () => {
      const set = await h.admin('POST', '/rate-limits', { waba: QUIET, per_hour: 5, active_per_hour: 5 });
      assert.equal(set.body, `{"app":null,"waba":"${QUIET}","per_hour":5,"active_per_hour":5}`);
      const quiet = `/v21.0/${QUIET_NUMBER}?fields=status&access_token=T-LIMITED`;
      for (let i = 1; i <= 5; i++) assert.equal((await h.get(quiet)).status, 200, `call ${i}`);
      const sixth = await h.get(quiet);
      assert.equal(sixth.body, REFUSED_BODY);
      assert.equal(sixth.usage, usage(QUIET, 100, 60));
      assert.equal((await h.get()).status, 200, 'the other WABA has its own window');
      await h.admin('POST', '/clock', { advance: '1h' });
      assert.equal((await h.get(quiet)).status, 200);
    });

    test('lets a pair override beat the WABA and app limits, key by key', async () => {
      await h.admin('POST', '/rate-limits', { app: APP, per_hour: 50 });
      const pair = await h.admin('POST', '/rate-limits', { app: APP, waba: ACTIVE, active_per_hour: 3 });
      assert.equal(pair.body, `{"app":"${APP}","waba":"${ACTIVE}","per_hour":50,"active_per_hour":3}`);
      for (let i = 0; i < 3; i++) assert.equal((await h.get()).status, 200);
      assert.equal((await h.get()).status, 400, 'the WABA is active: active_per_hour applies');
    });

    test('refuses bad rate-limit bodies with clear errors', async () => {
      for (const [payload, status] of [
        [{}, 400],
        [{ app: APP, per_hour: 0 }, 400],
        [{ app: APP, per_hour: 1.5 }, 400],
        [{ app: '999' }, 404],
        [{ exhaust: { app: APP } }, 400],
      ] as const) {
        const response = await h.admin('POST', '/rate-limits', payload);
        assert.equal(response.status, status, JSON.stringify(payload));
      }
    });
  });
}

describe('BUC over a real socket', () => {
  let server: RunningServer;
  before(async () => {
    const store = await freshTestStore();
    await loadScenarioText(store, SCENARIO);
    server = await startServer({ store, host: '127.0.0.1', port: 0 });
  });
  after(() => server.close());

  test('puts the usage header right after x-app-usage on the fast path', async () => {
    const rawHeaders = await new Promise<string[]>((resolve, reject) => {
      request(`${server.url}${READ}`, (response) => {
        response.resume();
        response.on('end', () => resolve(response.rawHeaders));
      })
        .on('error', reject)
        .end();
    });
    const names = rawHeaders.filter((_, i) => i % 2 === 0);
    assert.deepEqual(names.slice(3, 6), ['x-app-usage', 'x-business-use-case-usage', 'facebook-api-version']);
  });
});
