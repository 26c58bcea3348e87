import {
  bucketEdges,
  LATE_STAMP_MS,
  WINDOW_MS,
  type Admission,
  type BucWindow,
  type KeyUsage,
} from './buc-window.ts';

/** Index of the first element of `sorted` (from `from` on) greater than `value`. */
function upperBound(sorted: readonly number[], from: number, value: number): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * One key's call times and recorded handler times, each kept sorted by time (appended in the usual
 * case; inserted in place after the clock was set back) and trimmed from the front.
 */
class KeyWindow {
  calls: number[] = [];
  head = 0;
  times: number[] = [];
  durations: number[] = [];
  timeHead = 0;
  /** Sum of the durations from `timeHead` on (calls stamped after `now` included; see `timeMs`). */
  timeSum = 0;

  trim(floor: number): void {
    while (this.head < this.calls.length && (this.calls[this.head] as number) <= floor) this.head++;
    if (this.head > 1024 && this.head * 2 > this.calls.length) {
      this.calls = this.calls.slice(this.head);
      this.head = 0;
    }
    while (this.timeHead < this.times.length && (this.times[this.timeHead] as number) <= floor) {
      this.timeSum -= this.durations[this.timeHead] as number;
      this.timeHead++;
    }
    if (this.timeHead > 1024 && this.timeHead * 2 > this.times.length) {
      this.times = this.times.slice(this.timeHead);
      this.durations = this.durations.slice(this.timeHead);
      this.timeHead = 0;
    }
  }

  addCall(at: number): void {
    if (this.calls.length === this.head || (this.calls[this.calls.length - 1] as number) <= at) {
      this.calls.push(at);
    } else {
      this.calls.splice(upperBound(this.calls, this.head, at), 0, at);
    }
  }

  addTime(at: number, ms: number): void {
    const index =
      this.times.length === this.timeHead || (this.times[this.times.length - 1] as number) <= at
        ? this.times.length
        : upperBound(this.times, this.timeHead, at);
    this.times.splice(index, 0, at);
    this.durations.splice(index, 0, ms);
    this.timeSum += ms;
  }

  /** Calls in (floor, now]: ones stamped later than now (the clock was set back) do not count. */
  count(nowMs: number): number {
    return upperBound(this.calls, this.head, nowMs + LATE_STAMP_MS) - this.head;
  }

  oldest(nowMs: number): number | null {
    return this.count(nowMs) > 0 ? (this.calls[this.head] as number) : null;
  }

  /** Handler time recorded in (floor, now]. */
  timeMs(nowMs: number): number {
    let sum = this.timeSum;
    for (
      let i = this.times.length - 1;
      i >= this.timeHead && (this.times[i] as number) > nowMs + LATE_STAMP_MS;
      i--
    ) {
      sum -= this.durations[i] as number;
    }
    return sum;
  }
}

/**
 * The single-instance backend: exact because admission runs synchronously on one event loop. Windows
 * live in process memory and start empty after a restart (documented).
 */
export class MemoryWindow implements BucWindow {
  readonly kind = 'memory' as const;
  readonly #keys = new Map<string, KeyWindow>();

  #window(key: string): KeyWindow {
    let window = this.#keys.get(key);
    if (window === undefined) {
      window = new KeyWindow();
      this.#keys.set(key, window);
    }
    return window;
  }

  async admit(key: string, limit: number, nowMs: number): Promise<Admission> {
    return this.admitNow(key, limit, nowMs);
  }

  admitNow(key: string, limit: number, nowMs: number): Admission {
    const window = this.#window(key);
    window.trim(nowMs - WINDOW_MS);
    let count = window.count(nowMs);
    const admitted = count < limit;
    if (admitted) {
      window.addCall(nowMs);
      count += 1;
    }
    return { admitted, count, oldestMs: window.oldest(nowMs), timeMs: window.timeMs(nowMs) };
  }

  recordTime(key: string, startedMs: number, durationMs: number): void {
    this.#window(key).addTime(startedMs, durationMs);
  }

  async exhaust(key: string, limit: number, nowMs: number): Promise<void> {
    const window = this.#window(key);
    window.trim(nowMs - WINDOW_MS);
    for (let n = window.count(nowMs); n < limit; n++) window.addCall(nowMs);
  }

  async usage(nowMs: number): Promise<KeyUsage[]> {
    const out: KeyUsage[] = [];
    for (const [key, window] of this.#keys) {
      window.trim(nowMs - WINDOW_MS);
      const count = window.count(nowMs);
      if (count > 0) out.push({ key, count, oldestMs: window.oldest(nowMs) });
    }
    return out;
  }

  async forget(key: string): Promise<void> {
    this.#keys.delete(key);
  }

  async histogram(key: string, nowMs: number, bucketMs: number): Promise<number[]> {
    const edges = bucketEdges(nowMs, bucketMs);
    const counts = edges.map(() => 0);
    const window = this.#keys.get(key);
    if (window === undefined) return counts;
    window.trim(nowMs - WINDOW_MS);
    let bucket = 0;
    for (let i = window.head; i < window.calls.length; i++) {
      const at = window.calls[i] as number;
      while (bucket < edges.length && at > (edges[bucket] as number)) bucket++;
      if (bucket === edges.length) break;
      counts[bucket] = (counts[bucket] as number) + 1;
    }
    return counts;
  }

  async clear(): Promise<void> {
    this.#keys.clear();
  }

  async close(): Promise<void> {}
}
