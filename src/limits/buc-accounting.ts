import { performance } from 'node:perf_hooks';
import { effectiveLimits, limitFor } from '../domain/rate-limit-policy.ts';
import type { AppRecord, RateLimitOverride, WabaRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import {
  bucKey,
  DEFAULT_TIME_BUDGETS,
  usageHeaderOf,
  type Admission,
  type BucWindow,
  type TimeBudgets,
  WindowUnavailableError,
} from './buc-window.ts';

/** One counted call: what admission saw and when its handler started. */
export interface BucTicket {
  readonly key: string;
  readonly wabaId: string;
  readonly limit: number;
  readonly admission: Admission;
  readonly nowMs: number;
  readonly startedAt: number;
}

/**
 * Cached answers the limit is made of, when the store keeps them (CachedStore): undefined = not
 * cached. Without them admission reads the limit through the async store calls.
 */
interface LimitPeeks {
  peekWabaActive?(wabaId: string): boolean | undefined;
  peekPairRateLimit?(appId: string, wabaId: string): RateLimitOverride | null | undefined;
}

export interface BucLogger {
  error(details: Record<string, unknown>, message: string): void;
}

/** Counts Graph calls per (app, WABA) and writes the usage header (rate-limits.md). */
export class BucAccounting {
  readonly window: BucWindow;
  readonly #store: Store & LimitPeeks;
  readonly #budgets: TimeBudgets;
  readonly #logger: BucLogger;

  constructor(
    window: BucWindow,
    store: Store,
    logger: BucLogger,
    budgets: TimeBudgets = DEFAULT_TIME_BUDGETS,
  ) {
    this.window = window;
    this.#store = store;
    this.#logger = logger;
    this.#budgets = budgets;
  }

  async limitOf(app: AppRecord, waba: WabaRecord): Promise<number> {
    // Both reads are cache hits on the hot path; sequential awaits allocate less than Promise.all.
    const active = await this.#store.isWabaActive(waba.id);
    const pair = await this.#store.getPairRateLimit(app.id, waba.id);
    return limitFor(effectiveLimits(app.rate_limit, waba.rate_limit, pair ?? null), active);
  }

  /** The limit from cached answers only, or undefined when one of them is not cached. */
  #cachedLimit(app: AppRecord, waba: WabaRecord): number | undefined {
    const active = this.#store.peekWabaActive?.(waba.id);
    if (active === undefined) return undefined;
    const pair = this.#store.peekPairRateLimit?.(app.id, waba.id);
    if (pair === undefined) return undefined;
    return limitFor(effectiveLimits(app.rate_limit, waba.rate_limit, pair), active);
  }

  /**
   * Called once the object is visible: admits the call if the window has room (refusal comes later).
   * Answered synchronously when the limit is cached and the window is in process memory (the read fast
   * path awaits nothing then); otherwise a promise. The call is stamped (`now()`) after the limit is
   * read, right before the window is asked: a stamp taken before the store reads could be older than
   * another instance's stamps by more than `LATE_STAMP_MS` when the store is slow (PostgreSQL under
   * load), and the window would then not count those calls.
   */
  admit(app: AppRecord, waba: WabaRecord, now: number | (() => number)): BucTicket | Promise<BucTicket> {
    const limit = this.#cachedLimit(app, waba);
    if (limit === undefined || this.window.admitNow === undefined)
      return this.#admitAsync(app, waba, now, limit);
    const key = bucKey(app.id, waba.id);
    const nowMs = typeof now === 'number' ? now : now();
    let admission: Admission;
    try {
      admission = this.window.admitNow(key, limit, nowMs);
    } catch (error) {
      throw this.#unavailable(error);
    }
    return { key, wabaId: waba.id, limit, admission, nowMs, startedAt: performance.now() };
  }

  async #admitAsync(
    app: AppRecord,
    waba: WabaRecord,
    now: number | (() => number),
    cached: number | undefined,
  ): Promise<BucTicket> {
    const limit = cached ?? (await this.limitOf(app, waba));
    const key = bucKey(app.id, waba.id);
    const nowMs = typeof now === 'number' ? now : now();
    let admission: Admission;
    try {
      admission = await this.window.admit(key, limit, nowMs);
    } catch (error) {
      throw this.#unavailable(error);
    }
    return { key, wabaId: waba.id, limit, admission, nowMs, startedAt: performance.now() };
  }

  #unavailable(error: unknown): WindowUnavailableError {
    return new WindowUnavailableError(`rate-limit window (${this.window.kind}) unavailable`, {
      cause: error,
    });
  }

  /** The header for the response of this call; records the handler's wall time for later calls. */
  finish(ticket: BucTicket): string {
    const handlerMs = performance.now() - ticket.startedAt;
    if (ticket.admission.admitted) {
      try {
        this.window.recordTime(ticket.key, ticket.nowMs, handlerMs);
      } catch (error) {
        this.#logger.error({ err: error }, 'recording BUC handler time failed');
      }
    }
    return usageHeaderOf(
      ticket.wabaId,
      ticket.admission,
      ticket.limit,
      ticket.nowMs,
      handlerMs,
      this.#budgets,
    );
  }
}
