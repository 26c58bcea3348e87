/**
 * Business Use Case rate limiting (rate-limits.md): a true sliding window of one hour per
 * (app, WABA) key, in process memory or in Redis behind one interface.
 */
export const WINDOW_MS = 3_600_000;
/**
 * A call stamped up to this long after an admission's `now` still counts: instances' clocks and
 * concurrent calls of one instance differ by milliseconds, and counting them keeps the limit exact. A
 * call stamped later than that (the admin clock was set back) does not count until `now` reaches it.
 */
export const LATE_STAMP_MS = 1_000;
/** Per-hour budgets the time percentages of the usage header are measured against (configurable). */
export interface TimeBudgets {
  readonly cputimeMs: number;
  readonly totalTimeMs: number;
}
export const DEFAULT_TIME_BUDGETS: TimeBudgets = { cputimeMs: 600_000, totalTimeMs: 3_600_000 };

/** What one admission attempt saw, after trimming the window to (now − 1 h, now]. */
export interface Admission {
  readonly admitted: boolean;
  /** Calls in the window, including this one when admitted. */
  readonly count: number;
  /**
   * Time of the oldest call still in the window, or null when it is empty. Only needed (and the Redis
   * backend only looks it up) when the window is full, count ≥ limit; null otherwise is allowed.
   */
  readonly oldestMs: number | null;
  /** Handler time already recorded in the window for this key, in ms. */
  readonly timeMs: number;
}

export interface KeyUsage {
  readonly key: string;
  readonly count: number;
  readonly oldestMs: number | null;
}

export interface BucWindow {
  readonly kind: 'memory' | 'redis';
  /** Atomically trims the key's window, counts it and admits the call if fewer than `limit` remain. */
  admit(key: string, limit: number, nowMs: number): Promise<Admission>;
  /** The same, answered synchronously: only a backend in process memory has it (the read fast path). */
  admitNow?(key: string, limit: number, nowMs: number): Admission;
  /**
   * Adds the measured handler time of an admitted call that started at `startedMs`. Fire and forget:
   * the backend may hold it briefly and send it with its next call (Redis: with the next admission of
   * the same key, or within a second); a failure to store it loses that time, never fails a call.
   */
  recordTime(key: string, startedMs: number, durationMs: number): void;
  /** Fills the key's window up to `limit` calls at `nowMs` (admin `exhaust`). */
  exhaust(key: string, limit: number, nowMs: number): Promise<void>;
  /** Empties one key's window (admin `reset`): its calls and recorded time are forgotten. */
  forget(key: string): Promise<void>;
  /** Every key with calls in the window at `nowMs`. */
  usage(nowMs: number): Promise<KeyUsage[]>;
  /**
   * The key's calls in the window at `nowMs` per `bucketMs`, oldest bucket first (`WINDOW_MS /
   * bucketMs` buckets; bucket i covers (floor + i·bucketMs, floor + (i+1)·bucketMs], the last one
   * also the late stamps `count` includes).
   */
  histogram(key: string, nowMs: number, bucketMs: number): Promise<number[]>;
  /** Forgets every window (admin reset of the state). */
  clear(): Promise<void>;
  close(): Promise<void>;
  /** Checks the backend answers (Redis PING); absent for process memory, which cannot be down. */
  ping?(): Promise<void>;
}

/** The upper edges of the histogram buckets of the window at `nowMs` (see `BucWindow.histogram`). */
export function bucketEdges(nowMs: number, bucketMs: number): number[] {
  const floor = nowMs - WINDOW_MS;
  const count = Math.ceil(WINDOW_MS / bucketMs);
  return Array.from({ length: count }, (_, i) =>
    i === count - 1 ? nowMs + LATE_STAMP_MS : floor + (i + 1) * bucketMs,
  );
}

/** The window's backend (Redis) could not be reached: Graph answers code 2, the transient error. */
export class WindowUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WindowUnavailableError';
  }
}

export function bucKey(appId: string, wabaId: string): string {
  return `${appId}:${wabaId}`;
}

export function splitBucKey(key: string): { app: string; waba: string } {
  const [app = '', waba = ''] = key.split(':');
  return { app, waba };
}

export function callCountPercent(count: number, limit: number): number {
  return Math.min(100, Math.floor((100 * count) / limit));
}

/** Whole minutes, rounded up, until the oldest call leaves a full window; 0 while there is room. */
export function minutesToRegainAccess(
  count: number,
  limit: number,
  oldestMs: number | null,
  nowMs: number,
): number {
  if (count < limit || oldestMs === null) return 0;
  return Math.max(0, Math.ceil((oldestMs + WINDOW_MS - nowMs) / 60_000));
}

export interface UsageEntry {
  readonly type: 'whatsapp_business_management';
  readonly call_count: number;
  readonly total_cputime: number;
  readonly total_time: number;
  readonly estimated_time_to_regain_access: number;
}

/** The `x-business-use-case-usage` entry for one call (refused calls show 100 and the wait). */
export function usageEntry(
  admission: Admission,
  limit: number,
  nowMs: number,
  handlerMs: number,
  budgets: TimeBudgets = DEFAULT_TIME_BUDGETS,
): UsageEntry {
  const timeMs = admission.timeMs + (admission.admitted ? handlerMs : 0);
  return {
    type: 'whatsapp_business_management',
    call_count: admission.admitted ? callCountPercent(admission.count, limit) : 100,
    total_cputime: Math.min(100, Math.floor((100 * timeMs) / budgets.cputimeMs)),
    total_time: Math.min(100, Math.floor((100 * timeMs) / budgets.totalTimeMs)),
    estimated_time_to_regain_access: minutesToRegainAccess(
      admission.admitted ? admission.count : limit,
      limit,
      admission.oldestMs,
      nowMs,
    ),
  };
}

/**
 * The header of one call straight from its admission, the same text as `usageHeader(usageEntry(…))`
 * without the intermediate entry: it is written on every counted response.
 */
export function usageHeaderOf(
  wabaId: string,
  admission: Admission,
  limit: number,
  nowMs: number,
  handlerMs: number,
  budgets: TimeBudgets = DEFAULT_TIME_BUDGETS,
): string {
  const admitted = admission.admitted;
  const timeMs = admission.timeMs + (admitted ? handlerMs : 0);
  const callCount = admitted ? callCountPercent(admission.count, limit) : 100;
  const cputime = Math.min(100, Math.floor((100 * timeMs) / budgets.cputimeMs));
  const totalTime = Math.min(100, Math.floor((100 * timeMs) / budgets.totalTimeMs));
  const regain = minutesToRegainAccess(admitted ? admission.count : limit, limit, admission.oldestMs, nowMs);
  return (
    `{"${wabaId}":[{"type":"whatsapp_business_management","call_count":${callCount},` +
    `"total_cputime":${cputime},"total_time":${totalTime},"estimated_time_to_regain_access":${regain}}]}`
  );
}

/** Written on every counted response: a template, not JSON.stringify (ids are digits, values numbers). */
export function usageHeader(wabaId: string, entry: UsageEntry): string {
  return (
    `{"${wabaId}":[{"type":"${entry.type}","call_count":${entry.call_count},` +
    `"total_cputime":${entry.total_cputime},"total_time":${entry.total_time},` +
    `"estimated_time_to_regain_access":${entry.estimated_time_to_regain_access}}]}`
  );
}
