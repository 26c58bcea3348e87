import { performance } from 'node:perf_hooks';
import { effectiveLimits, limitFor } from '../domain/rate-limit-policy.ts';
import type { AppRecord, WabaRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import {
  bucKey,
  DEFAULT_TIME_BUDGETS,
  usageEntry,
  usageHeader,
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

export interface BucLogger {
  error(details: Record<string, unknown>, message: string): void;
}

/** Counts Graph calls per (app, WABA) and writes the usage header (rate-limits.md). */
export class BucAccounting {
  readonly window: BucWindow;
  readonly #store: Store;
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

  /**
   * Called once the object is visible: admits the call if the window has room (refusal comes later).
   * The call is stamped after the limit is read, right before the window is asked: a stamp taken before
   * the store reads could be older than another instance's stamps by more than `LATE_STAMP_MS` when the
   * store is slow (PostgreSQL under load), and the window would then not count those calls.
   */
  async admit(app: AppRecord, waba: WabaRecord, now: () => number): Promise<BucTicket> {
    const limit = await this.limitOf(app, waba);
    const key = bucKey(app.id, waba.id);
    const nowMs = now();
    let admission: Admission;
    try {
      admission = await this.window.admit(key, limit, nowMs);
    } catch (error) {
      throw new WindowUnavailableError(`rate-limit window (${this.window.kind}) unavailable`, {
        cause: error,
      });
    }
    return { key, wabaId: waba.id, limit, admission, nowMs, startedAt: performance.now() };
  }

  /** The header for the response of this call; records the handler's wall time for later calls. */
  finish(ticket: BucTicket): string {
    const handlerMs = performance.now() - ticket.startedAt;
    if (ticket.admission.admitted) {
      this.window.recordTime(ticket.key, ticket.nowMs, handlerMs).catch((error: unknown) => {
        this.#logger.error({ err: error }, 'recording BUC handler time failed');
      });
    }
    return usageHeader(
      ticket.wabaId,
      usageEntry(ticket.admission, ticket.limit, ticket.nowMs, handlerMs, this.#budgets),
    );
  }
}
