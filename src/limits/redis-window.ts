import { Redis } from 'ioredis';
import {
  bucketEdges,
  LATE_STAMP_MS,
  WINDOW_MS,
  type Admission,
  type BucWindow,
  type KeyUsage,
} from './buc-window.ts';

/**
 * Trim, count, admit or refuse, and expire, in one script: Redis runs it atomically, so any number
 * of instances together admit at most the limit. The window is (now − 1 h, now + late]: a call another
 * instance stamped a few milliseconds "later" than this one's now counts, one stamped further ahead (the
 * admin clock was set back since) does not. Calls are a sorted set scored by time; handler times a
 * second sorted set (`seq:ms` members) with a running sum, trimmed alongside.
 * KEYS: calls, times, time sum, sequence. ARGV: now, window, limit, late.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local ceiling = now + tonumber(ARGV[4])
local floor = now - window
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', floor)
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', floor)
if #old > 0 then
  local sub = 0
  for _, member in ipairs(old) do sub = sub + tonumber(string.match(member, ':(%d+)$')) end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', floor)
  redis.call('DECRBY', KEYS[3], sub)
end
local count = redis.call('ZCOUNT', KEYS[1], '-inf', ceiling)
local admitted = 0
if count < limit then
  local seq = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[1], now, now .. '-' .. seq)
  count = count + 1
  admitted = 1
end
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[4], window)
local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ceiling, 'WITHSCORES', 'LIMIT', 0, 1)
local time = tonumber(redis.call('GET', KEYS[3]) or '0')
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ceiling, '+inf')) do
  time = time - tonumber(string.match(member, ':(%d+)$'))
end
return {admitted, count, oldest[2] or '-1', tostring(time)}
`;

/** KEYS: times, time sum, sequence. ARGV: started, duration, window. */
const RECORD_TIME = `
local seq = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[1], ARGV[1], seq .. ':' .. ARGV[2])
redis.call('INCRBY', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1
`;

/** KEYS: calls, sequence. ARGV: now, window, limit, late. */
const EXHAUST = `
local now = tonumber(ARGV[1])
local floor = now - tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', floor)
local count = redis.call('ZCOUNT', KEYS[1], '-inf', now + tonumber(ARGV[4]))
for i = count + 1, tonumber(ARGV[3]) do
  local seq = redis.call('INCR', KEYS[2])
  redis.call('ZADD', KEYS[1], now, now .. '-' .. seq)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

const PREFIX = 'phonegraph:buc:';

function keysOf(key: string): { calls: string; times: string; timeSum: string; seq: string } {
  const base = `${PREFIX}{${key}}`;
  return { calls: `${base}:calls`, times: `${base}:times`, timeSum: `${base}:timesum`, seq: `${base}:seq` };
}

/** The scale-out backend: the window lives in Redis, shared by every instance. */
export class RedisWindow implements BucWindow {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;

  constructor(url: string) {
    this.#redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.#redis.on('error', () => {
      // Connection errors surface on the commands that fail (Graph code 2); the client reconnects itself.
    });
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async admit(key: string, limit: number, nowMs: number): Promise<Admission> {
    const k = keysOf(key);
    const [admitted, count, oldest, timeMs] = (await this.#redis.eval(
      ADMIT,
      4,
      k.calls,
      k.times,
      k.timeSum,
      k.seq,
      nowMs,
      WINDOW_MS,
      limit,
      LATE_STAMP_MS,
    )) as [number, number, string, string];
    const oldestMs = Number(oldest);
    return {
      admitted: admitted === 1,
      count,
      oldestMs: oldestMs < 0 ? null : oldestMs,
      timeMs: Number(timeMs),
    };
  }

  async recordTime(key: string, startedMs: number, durationMs: number): Promise<void> {
    const k = keysOf(key);
    await this.#redis.eval(
      RECORD_TIME,
      3,
      k.times,
      k.timeSum,
      k.seq,
      startedMs,
      Math.round(durationMs),
      WINDOW_MS,
    );
  }

  async exhaust(key: string, limit: number, nowMs: number): Promise<void> {
    const k = keysOf(key);
    await this.#redis.eval(EXHAUST, 2, k.calls, k.seq, nowMs, WINDOW_MS, limit, LATE_STAMP_MS);
  }

  async usage(nowMs: number): Promise<KeyUsage[]> {
    const out: KeyUsage[] = [];
    const floor = nowMs - WINDOW_MS;
    const ceiling = nowMs + LATE_STAMP_MS;
    for await (const batch of this.#redis.scanStream({ match: `${PREFIX}*:calls`, count: 500 })) {
      for (const redisKey of batch as string[]) {
        const key = redisKey.slice(PREFIX.length + 1, redisKey.length - ':calls'.length - 1);
        const count = await this.#redis.zcount(redisKey, `(${floor}`, ceiling);
        if (count === 0) continue;
        const oldest = await this.#redis.zrangebyscore(
          redisKey,
          `(${floor}`,
          ceiling,
          'WITHSCORES',
          'LIMIT',
          0,
          1,
        );
        out.push({ key, count, oldestMs: oldest[1] === undefined ? null : Number(oldest[1]) });
      }
    }
    return out;
  }

  async forget(key: string): Promise<void> {
    const k = keysOf(key);
    await this.#redis.del(k.calls, k.times, k.timeSum);
  }

  async histogram(key: string, nowMs: number, bucketMs: number): Promise<number[]> {
    const calls = keysOf(key).calls;
    const pipeline = this.#redis.pipeline();
    let low = nowMs - WINDOW_MS;
    for (const edge of bucketEdges(nowMs, bucketMs)) {
      pipeline.zcount(calls, `(${low}`, edge);
      low = edge;
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, count]) => {
      if (error !== null) throw error;
      return Number(count);
    });
  }

  async clear(): Promise<void> {
    for await (const batch of this.#redis.scanStream({ match: `${PREFIX}*`, count: 500 })) {
      if ((batch as string[]).length > 0) await this.#redis.del(...(batch as string[]));
    }
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
