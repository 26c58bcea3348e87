import { Redis } from 'ioredis';
import { LATE_STAMP_MS, WINDOW_MS, type Admission, type BucWindow, type KeyUsage } from './buc-window.ts';

/**
 * Record the handler times held since this key's last call, then trim, count, admit or refuse, and
 * expire, in one script (one EVALSHA per call): Redis runs it atomically, so any number of instances
 * together admit at most the limit. The window is (now − 1 h, now + late]: a call another
 * instance stamped a few milliseconds "later" than this one's now counts, one stamped further ahead (the
 * admin clock was set back since) does not. Calls are a sorted set scored by time; handler times a
 * second sorted set (`seq:ms` members) with a running sum, trimmed alongside.
 * KEYS: calls, times, time sum, sequence. ARGV: now, window, limit, late, then (started, ms) pairs.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local ceiling = now + tonumber(ARGV[4])
local floor = now - window
if #ARGV > 4 then
  local recorded = 0
  for i = 5, #ARGV, 2 do
    local seq = redis.call('INCR', KEYS[4])
    redis.call('ZADD', KEYS[2], ARGV[i], seq .. ':' .. ARGV[i + 1])
    recorded = recorded + tonumber(ARGV[i + 1])
  end
  redis.call('INCRBY', KEYS[3], recorded)
  redis.call('PEXPIRE', KEYS[2], window)
  redis.call('PEXPIRE', KEYS[3], window)
end
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

/** Held times of a key with no call since. KEYS: times, time sum, sequence. ARGV: window, then pairs. */
const RECORD_TIMES = `
local recorded = 0
for i = 2, #ARGV, 2 do
  local seq = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[1], ARGV[i], seq .. ':' .. ARGV[i + 1])
  recorded = recorded + tonumber(ARGV[i + 1])
end
redis.call('INCRBY', KEYS[2], recorded)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
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
  readonly #heldTimes = new Map<string, number[]>();
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(url: string) {
    const redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      enableAutoPipelining: true,
    });
    redis.defineCommand('bucAdmit', { numberOfKeys: 4, lua: ADMIT });
    redis.defineCommand('bucRecordTimes', { numberOfKeys: 3, lua: RECORD_TIMES });
    redis.defineCommand('bucExhaust', { numberOfKeys: 2, lua: EXHAUST });
    this.#redis = redis as Redis & BucScripts;
    this.#redis.on('error', () => {
      // Connection errors surface on the commands that fail (Graph code 2); the client reconnects itself.
    });
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async admit(key: string, limit: number, nowMs: number): Promise<Admission> {
    const k = keysOf(key);
    const held = this.#heldTimes.get(key);
    if (held !== undefined) this.#heldTimes.delete(key);
    const [admitted, count, oldest, timeMs] = await (held === undefined
      ? this.#redis.bucAdmit(k.calls, k.times, k.timeSum, k.seq, nowMs, WINDOW_MS, limit, LATE_STAMP_MS)
      : this.#redis.bucAdmit(
          k.calls,
          k.times,
          k.timeSum,
          k.seq,
          nowMs,
          WINDOW_MS,
          limit,
          LATE_STAMP_MS,
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
    const held = this.#heldTimes.get(key);
    if (held === undefined) this.#heldTimes.set(key, [startedMs, ms]);
    else held.push(startedMs, ms);
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
        return this.#redis.bucRecordTimes(k.times, k.timeSum, k.seq, WINDOW_MS, ...pairs).catch(() => 0);
      }),
    );
  }

  async exhaust(key: string, limit: number, nowMs: number): Promise<void> {
    const k = keysOf(key);
    await this.#redis.bucExhaust(k.calls, k.seq, nowMs, WINDOW_MS, limit, LATE_STAMP_MS);
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
