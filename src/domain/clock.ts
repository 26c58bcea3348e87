import { CLOCK_OFFSET_META, type Store } from '../store/store.ts';

/** The time every time-dependent rule reads; injected so tests and the admin plane can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

const OFFSET_KEY = CLOCK_OFFSET_META;

/**
 * A base time source shifted by an offset the admin plane sets (`POST /__admin/clock`). The offset is
 * kept in the store, so it survives restarts and every instance on one store shares it; reads use the
 * copy held here, refreshed by `load` and by every change made through this process.
 */
export class AdjustableClock implements Clock {
  readonly #base: () => number;
  #offsetMs = 0;

  constructor(base: () => number = Date.now) {
    this.#base = base;
  }

  now(): Date {
    return new Date(this.#base() + this.#offsetMs);
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  async load(store: Store): Promise<void> {
    const stored = Number((await store.getMeta(OFFSET_KEY)) ?? '0');
    this.#offsetMs = Number.isFinite(stored) ? stored : 0;
  }

  async advance(store: Store, ms: number): Promise<void> {
    await this.#save(store, this.#offsetMs + ms);
  }

  async set(store: Store, at: Date): Promise<void> {
    await this.#save(store, at.getTime() - this.#base());
  }

  async real(store: Store): Promise<void> {
    await this.#save(store, 0);
  }

  async #save(store: Store, offsetMs: number): Promise<void> {
    await store.setMeta(OFFSET_KEY, String(offsetMs));
    this.#offsetMs = offsetMs;
  }
}
