import { WINDOW_MS, type Admission, type BucWindow, type KeyUsage } from './buc-window.ts';

/** One key's calls (and recorded handler times) in arrival order, trimmed from the front. */
class KeyWindow {
  calls: number[] = [];
  head = 0;
  times: { at: number; ms: number }[] = [];
  timeHead = 0;
  timeSum = 0;

  trim(floor: number): void {
    while (this.head < this.calls.length && (this.calls[this.head] as number) <= floor) this.head++;
    if (this.head > 1024 && this.head * 2 > this.calls.length) {
      this.calls = this.calls.slice(this.head);
      this.head = 0;
    }
    while (this.timeHead < this.times.length && (this.times[this.timeHead]?.at as number) <= floor) {
      this.timeSum -= this.times[this.timeHead]?.ms as number;
      this.timeHead++;
    }
    if (this.timeHead > 1024 && this.timeHead * 2 > this.times.length) {
      this.times = this.times.slice(this.timeHead);
      this.timeHead = 0;
    }
  }

  /** Calls after the floor; a clock set back still counts the later calls (never more than the limit). */
  count(): number {
    return this.calls.length - this.head;
  }

  oldest(): number | null {
    return this.calls[this.head] ?? null;
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
    const window = this.#window(key);
    window.trim(nowMs - WINDOW_MS);
    let count = window.count();
    const admitted = count < limit;
    if (admitted) {
      window.calls.push(nowMs);
      count += 1;
    }
    return { admitted, count, oldestMs: window.oldest(), timeMs: window.timeSum };
  }

  async recordTime(key: string, startedMs: number, durationMs: number): Promise<void> {
    const window = this.#window(key);
    window.times.push({ at: startedMs, ms: durationMs });
    window.timeSum += durationMs;
  }

  async exhaust(key: string, limit: number, nowMs: number): Promise<void> {
    const window = this.#window(key);
    window.trim(nowMs - WINDOW_MS);
    for (let n = window.count(); n < limit; n++) window.calls.push(nowMs);
  }

  async usage(nowMs: number): Promise<KeyUsage[]> {
    const out: KeyUsage[] = [];
    for (const [key, window] of this.#keys) {
      window.trim(nowMs - WINDOW_MS);
      const count = window.count();
      if (count > 0) out.push({ key, count, oldestMs: window.oldest() });
    }
    return out;
  }

  async clear(): Promise<void> {
    this.#keys.clear();
  }

  async close(): Promise<void> {}
}
