import { randomBytes } from 'node:crypto';
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
 * Record the handler times held since this key's last call, then trim, count, admit or refuse, and
 * expire, in one script (one EVALSHA per call): Redis runs it atomically, so any number of instances
 * together admit at most the limit. The window is (now − 1 h, now + late]: a call another
 * instance stamped a few milliseconds "later" than this one's now counts, one stamped further ahead (the
 * admin clock was set back since) does not. Calls are a sorted set scored by time; handler times a
 * second sorted set (`…:ms` members) with a running sum, trimmed alongside. Members are unique by
 * construction (instance nonce and counter, made by the caller), so no sequence key is needed; the
 * oldest call is only looked up when the window is full (it only matters then).
 * KEYS: calls, times, time sum. ARGV: now, window, limit, late, call member, then (started, member) pairs.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local ceiling = now + tonumber(ARGV[4])
local floor = now - window
if #ARGV > 5 then
  local recorded = 0
  for i = 6, #ARGV, 2 do
    redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
    recorded = recorded + tonumber(string.match(ARGV[i + 1], ':(%d+)$'))
  end
  redis.call('INCRBY', KEYS[3], recorded)
  redis.call('PEXPIRE', KEYS[2], window)
  redis.call('PEXPIRE', KEYS[3], window)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', floor)
local time = 0
local sum = redis.call('GET', KEYS[3])
if sum then
  time = tonumber(sum)
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', floor)
  if #old > 0 then
    local sub = 0
    for _, member in ipairs(old) do sub = sub + tonumber(string.match(member, ':(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', floor)
    redis.call('DECRBY', KEYS[3], sub)
    time = time - sub
  end
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ceiling, '+inf')) do
    time = time - tonumber(string.match(member, ':(%d+)$'))
  end
end
local count = redis.call('ZCOUNT', KEYS[1], '-inf', ceiling)
local admitted = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[5])
  count = count + 1
  admitted = 1
end
redis.call('PEXPIRE', KEYS[1], window)
local oldest = '-1'
if count >= limit then
  oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ceiling, 'WITHSCORES', 'LIMIT', 0, 1)[2] or '-1'
end
return {admitted, count, oldest, tostring(time)}
`;

/** Held times of a key with no call since. KEYS: times, time sum. ARGV: window, then (started, member). */
const RECORD_TIMES = `
local recorded = 0
for i = 2, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
  recorded = recorded + tonumber(string.match(ARGV[i + 1], ':(%d+)$'))
end
redis.call('INCRBY', KEYS[2], recorded)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: calls. ARGV: now, window, limit, late, member prefix. */
const EXHAUST = `
local now = tonumber(ARGV[1])
local floor = now - tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', floor)
local count = redis.call('ZCOUNT', KEYS[1], '-inf', now + tonumber(ARGV[4]))
for i = count + 1, tonumber(ARGV[3]) do
  redis.call('ZADD', KEYS[1], now, ARGV[5] .. i)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

const PREFIX = 'phonegraph:buc:';

function keysOf(key: string): { calls: string; times: string; timeSum: string } {
  const base = `${PREFIX}{${key}}`;
  return { calls: `${base}:calls`, times: `${base}:times`, timeSum: `${base}:timesum` };
}

type ScriptArgument = string | number;

/** The scripts, sent once and then called by SHA (ioredis `defineCommand`: EVALSHA, EVAL on NOSCRIPT). */
interface BucScripts {
  bucAdmit(...args: ScriptArgument[]): Promise<[number, number, string, string]>;
  bucRecordTimes(...args: ScriptArgument[]): Promise<number>;
  bucExhaust(...args: ScriptArgument[]): Promise<number>;
}

/** Held handler times are sent at the latest this long after they were measured. */
const TIME_FLUSH_MS = 1_000;

/**
 * The scale-out backend: the window lives in Redis, shared by every instance. One script call per
 * Graph call; concurrent calls share round trips (ioredis auto-pipelining).
 */
export class RedisWindow implements BucWindow {
  readonly kind = 'redis' as const;
  readonly #redis: Redis & BucScripts;
  /** Handler times measured since the key's last call here: `started, ms` pairs, whole ms > 0. */
  readonly #heldTimes = new Map<string, (number | string)[]>();
  /** Makes this instance's members unique among every instance's (with the counter). */
  readonly #nonce = randomBytes(6).toString('base64url');
  #counter = 0;
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(url: string) {
    const redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      enableAutoPipelining: true,
    });
    redis.defineCommand('bucAdmit', { numberOfKeys: 3, lua: ADMIT });
    redis.defineCommand('bucRecordTimes', { numberOfKeys: 2, lua: RECORD_TIMES });
    redis.defineCommand('bucExhaust', { numberOfKeys: 1, lua: EXHAUST });
    this.#redis = redis as Redis & BucScripts;
    this.#redis.on('error', () => {
      // Connection errors surface on the commands that fail (Graph code 2); the client reconnects itself.
    });
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  /** A member no other call of any instance has: `{nonce}-{counter}`. */
  #member(): string {
    this.#counter += 1;
    return `${this.#nonce}-${this.#counter}`;
  }

  async admit(key: string, limit: number, nowMs: number): Promise<Admission> {
    const k = keysOf(key);
    const held = this.#heldTimes.get(key);
    if (held !== undefined) this.#heldTimes.delete(key);
    const member = this.#member();
    const [admitted, count, oldest, timeMs] = await (held === undefined
      ? this.#redis.bucAdmit(k.calls, k.times, k.timeSum, nowMs, WINDOW_MS, limit, LATE_STAMP_MS, member)
      : this.#redis.bucAdmit(
          k.calls,
          k.times,
          k.timeSum,
          nowMs,
          WINDOW_MS,
          limit,
          LATE_STAMP_MS,
          member,
          ...held,
        ));
    const oldestMs = Number(oldest);
    return {
      admitted: admitted === 1,
      count,
      oldestMs: oldestMs < 0 ? null : oldestMs,
      timeMs: Number(timeMs),
    };
  }

  /**
   * Held until the key's next admission (same script call) or for at most a second. Stored in whole
   * milliseconds, as before: a call under half a millisecond adds nothing, so it is not sent at all.
   */
  recordTime(key: string, startedMs: number, durationMs: number): void {
    const ms = Math.round(durationMs);
    if (ms <= 0) return;
    const member = `${this.#member()}:${ms}`;
    const held = this.#heldTimes.get(key);
    if (held === undefined) this.#heldTimes.set(key, [startedMs, member]);
    else held.push(startedMs, member);
    this.#flushTimer ??= setTimeout(() => void this.#flushTimes(), TIME_FLUSH_MS).unref();
  }

  /** Sends every held time; a failure loses them (the usage header then under-reports), never a call. */
  async #flushTimes(): Promise<void> {
    this.#flushTimer = undefined;
    const held = [...this.#heldTimes];
    this.#heldTimes.clear();
    await Promise.all(
      held.map(([key, pairs]) => {
        const k = keysOf(key);
        return this.#redis.bucRecordTimes(k.times, k.timeSum, WINDOW_MS, ...pairs).catch(() => 0);
      }),
    );
  }

  async exhaust(key: string, limit: number, nowMs: number): Promise<void> {
    const k = keysOf(key);
    await this.#redis.bucExhaust(k.calls, nowMs, WINDOW_MS, limit, LATE_STAMP_MS, `${this.#member()}x`);
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
    this.#heldTimes.clear();
    for await (const batch of this.#redis.scanStream({ match: `${PREFIX}*`, count: 500 })) {
      if ((batch as string[]).length > 0) await this.#redis.del(...(batch as string[]));
    }
  }

  async close(): Promise<void> {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    await this.#flushTimes();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
