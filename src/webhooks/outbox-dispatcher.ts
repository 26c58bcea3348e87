import { setMaxListeners } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../domain/clock.ts';
import type { AppRecord, AttemptResult, DeliveryRecord, PhoneNumberRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { deliveryBody } from './delivery-body.ts';
import { CallbackClient } from './http-send.ts';
import { hubSignature } from './signature.ts';
import { verifySubscription } from './verification.ts';

export interface DispatcherSettings {
  /** First retry after about this long; each further retry doubles it (webhooks.md: about 1 s). */
  readonly retryBaseMs: number;
  /** The longest wait between two tries (1 h). */
  readonly retryCapMs: number;
  /** After this long since the change an undelivered event is `failed` (24 h). */
  readonly retryWindowMs: number;
  /** A callback that has not answered after this long failed (10 s). */
  readonly timeoutMs: number;
  /** How long the dispatcher sleeps when nothing is due (a change wakes it at once). */
  readonly idleMs: number;
  /** Deliveries in flight at once, at most one per (app, number). */
  readonly batchSize: number;
}

export const DEFAULT_DISPATCHER_SETTINGS: DispatcherSettings = {
  retryBaseMs: 1000,
  retryCapMs: 3_600_000,
  retryWindowMs: 86_400_000,
  timeoutMs: 10_000,
  idleMs: 250,
  batchSize: 256,
};

/**
 * A claim on a shared store lasts a request's timeout plus this: long enough for the result to be written,
 * short enough that events held by a killed instance go out again soon (docs/scale-out.md).
 */
export const CLAIM_MARGIN_MS = 5000;

export interface DispatcherOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: FastifyBaseLogger;
  readonly settings?: Partial<DispatcherSettings>;
  /** Jitter source in [0, 1); injected so tests can pin it. */
  readonly random?: () => number;
}

/** Exponential backoff with ±20 % jitter: about base, 2×base, 4×base… capped. `tries` ≥ 1. */
export function backoffMs(settings: DispatcherSettings, tries: number, random: () => number): number {
  const exponential = Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** Math.min(tries - 1, 40));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}

interface Target {
  readonly url: string;
  readonly verifyToken: string;
  readonly active: boolean;
  readonly kind: 'app' | 'number';
}

type Plan =
  | { readonly result: AttemptResult }
  | { readonly app: AppRecord; readonly url: string; readonly deadline: number };

interface VerificationState {
  tries: number;
  nextAt: number;
  running: boolean;
}

/**
 * Delivers the outbox after commit: the oldest pending event of each (app, number) at a time, so events
 * of one number arrive in order; retries on the injected clock; every attempt logged in one batched
 * transaction per round. Subscriptions waiting for verification are verified here.
 */
export class OutboxDispatcher {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: FastifyBaseLogger | undefined;
  readonly #settings: DispatcherSettings;
  readonly #random: () => number;
  readonly #client = new CallbackClient();
  readonly #verifications = new Map<string, VerificationState>();
  readonly #abort = new AbortController();
  /** (app, number) pairs with a request in flight or a result not yet written: one at a time each. */
  readonly #inflight = new Set<string>();
  readonly #sending = new Set<Promise<void>>();
  #finished: { key: string; result: AttemptResult | undefined }[] = [];
  #running: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #pokes = 0;

  constructor(options: DispatcherOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#settings = { ...DEFAULT_DISPATCHER_SETTINGS, ...options.settings };
    this.#random = options.random ?? Math.random;
    // Every request in flight listens on the one stop signal.
    setMaxListeners(0, this.#abort.signal);
  }

  get settings(): DispatcherSettings {
    return this.#settings;
  }

  start(): void {
    if (this.#running !== undefined) return;
    this.#running = this.#loop();
  }

  /** A change committed (or the clock moved): look at the outbox now. */
  notify(): void {
    this.#pokes++;
    this.#wake?.();
  }

  /** Stops after the current round; requests in flight are aborted and stay pending (at least once). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#running;
    await Promise.all(this.#sending);
    try {
      await this.#flush();
    } finally {
      this.#client.close();
    }
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const pokes = this.#pokes;
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (error) {
        this.#logger?.error({ err: error }, 'webhook dispatch round failed');
      }
      if (this.#stopped) break;
      // The store may answer without real I/O, so a round must always give the event loop a turn.
      if (worked || pokes !== this.#pokes) await new Promise((resolve) => setImmediate(resolve));
      else await this.#sleep(this.#settings.idleMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /**
   * One round: verify waiting subscriptions, write the results of finished requests, then start requests
   * for what is due, without waiting for them (a slow receiver holds up only its own numbers). True when
   * anything was written or started.
   */
  async runOnce(): Promise<boolean> {
    const now = this.#clock.now().getTime();
    const apps = await this.#store.listApps();
    for (const app of apps) {
      if (app.webhook?.state === 'pending_verification') {
        this.#verify(`app:${app.id}`, app.webhook.url, app.webhook.verify_token, now, () =>
          this.#store.setAppWebhookState(app.id, app.webhook?.url ?? '', 'active'),
        );
      }
    }
    const flushed = await this.#flush();
    const room = this.#settings.batchSize - this.#inflight.size;
    if (room <= 0 || this.#stopped) return flushed;
    // Heads in flight are still pending in the store, so ask for enough rows to skip past them.
    // On a shared store the rows are claimed for this instance, for longer than a request may take.
    const due = await this.#store.dueDeliveries(
      new Date(now).toISOString(),
      room + this.#inflight.size,
      this.#settings.timeoutMs + CLAIM_MARGIN_MS,
    );
    const immediate: AttemptResult[] = [];
    let started = 0;
    for (const delivery of due) {
      if (started >= room) break;
      const key = `${delivery.app_id}:${delivery.phone_number_id}`;
      if (this.#inflight.has(key)) continue;
      const step = await this.#plan(delivery, now);
      if (step === undefined) continue;
      if ('result' in step) {
        immediate.push(step.result);
        continue;
      }
      started++;
      this.#inflight.add(key);
      const sending: Promise<void> = this.#deliver(delivery, step.app, step.url, now, step.deadline)
        .then(
          (result) => {
            this.#finished.push({ key, result });
          },
          (error: unknown) => {
            this.#logger?.error({ err: error }, 'webhook delivery failed unexpectedly');
            this.#finished.push({ key, result: undefined });
          },
        )
        .finally(() => {
          this.#sending.delete(sending);
          this.notify();
        });
      this.#sending.add(sending);
    }
    if (immediate.length > 0) await this.#store.recordAttempts(immediate);
    return flushed || started > 0 || immediate.length > 0;
  }

  /** Writes the results of finished requests in one transaction; their pairs may be sent again. */
  async #flush(): Promise<boolean> {
    if (this.#finished.length === 0) return false;
    const done = this.#finished;
    this.#finished = [];
    const results = done.flatMap((entry) => (entry.result === undefined ? [] : [entry.result]));
    try {
      if (results.length > 0) await this.#store.recordAttempts(results);
    } finally {
      for (const entry of done) this.#inflight.delete(entry.key);
    }
    return true;
  }

  #verify(key: string, url: string, verifyToken: string, now: number, activate: () => Promise<void>): void {
    const stateKey = `${key}:${url}`;
    let state = this.#verifications.get(stateKey);
    if (state === undefined) {
      state = { tries: 0, nextAt: now, running: false };
      this.#verifications.set(stateKey, state);
    }
    if (!state.running && state.nextAt <= now && !this.#stopped) {
      const current = state;
      current.running = true;
      current.tries++;
      void verifySubscription(this.#client, url, verifyToken, this.#settings.timeoutMs)
        .then(async (ok) => {
          if (ok) {
            await activate();
            this.#verifications.delete(stateKey);
            this.notify();
          } else {
            current.nextAt =
              this.#clock.now().getTime() + backoffMs(this.#settings, current.tries, this.#random);
          }
        })
        .catch((error: unknown) => this.#logger?.error({ err: error }, 'webhook verification failed'))
        .finally(() => {
          current.running = false;
        });
    }
  }

  #target(app: AppRecord, number: PhoneNumberRecord | undefined): Target | undefined {
    if (app.webhook === null) return undefined;
    const override = number?.webhook_override ?? null;
    if (override !== null) {
      return {
        url: override.url,
        verifyToken: override.verify_token,
        active: override.state === 'active',
        kind: 'number',
      };
    }
    return {
      url: app.webhook.url,
      verifyToken: app.webhook.verify_token,
      active: app.webhook.state === 'active',
      kind: 'app',
    };
  }

  /** What to do with a due event: nothing yet (waiting for verification), record a result, or send it. */
  async #plan(delivery: DeliveryRecord, now: number): Promise<Plan | undefined> {
    const app = await this.#store.getApp(delivery.app_id);
    const number = await this.#store.getPhoneNumber(delivery.phone_number_id);
    const skipped: AttemptResult = {
      outbox_id: delivery.id,
      attempt: null,
      status: 'skipped',
      next_attempt_at: null,
      counted: false,
    };
    if (app === undefined || app.webhook === null || !app.webhook.fields.includes(delivery.field)) {
      return { result: skipped };
    }
    const target = this.#target(app, number);
    if (target === undefined) return { result: skipped };
    const deadline = Date.parse(delivery.created_at) + this.#settings.retryWindowMs;
    if (!target.active) {
      if (now >= deadline) {
        const result: AttemptResult = {
          outbox_id: delivery.id,
          attempt: {
            at: new Date(now).toISOString(),
            url: target.url,
            http_status: null,
            latency_ms: null,
            error: 'subscription not verified',
          },
          status: 'failed',
          next_attempt_at: null,
          counted: false,
        };
        return { result };
      }
      const key = target.kind === 'app' ? `app:${app.id}` : `number:${delivery.phone_number_id}`;
      this.#verify(key, target.url, target.verifyToken, now, () =>
        target.kind === 'app'
          ? this.#store.setAppWebhookState(app.id, target.url, 'active')
          : this.#store.setNumberWebhookState(delivery.phone_number_id, target.url, 'active'),
      );
      // Waits in the outbox, untouched, until the subscription is active or the window ends.
      return undefined;
    }
    return { app, url: target.url, deadline };
  }

  async #deliver(
    delivery: DeliveryRecord,
    app: AppRecord,
    url: string,
    now: number,
    deadline: number,
  ): Promise<AttemptResult | undefined> {
    const body = deliveryBody(delivery.payload);
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await this.#client.send({
        method: 'POST',
        url,
        headers: {
          'Content-Type': 'application/json',
          'X-Hub-Signature-256': hubSignature(app.secret, body),
          'User-Agent': 'facebookexternalua',
          'X-Phonegraph-Event-Id': delivery.event_id,
        },
        body,
        timeoutMs: this.#settings.timeoutMs,
        signal: this.#abort.signal,
      });
      status = response.status;
    } catch (caught) {
      // Stopping: the event stays pending and goes out after the restart.
      if (this.#stopped) return undefined;
      error = (caught as Error).message ?? String(caught);
    }
    const latency = Math.round(performance.now() - started);
    const at = new Date(now).toISOString();
    const attempt = { at, url, http_status: status, latency_ms: latency, error };
    const tries = delivery.attempts + 1;
    if (status !== null && status >= 200 && status < 300) {
      return { outbox_id: delivery.id, attempt, status: 'delivered', next_attempt_at: null, counted: true };
    }
    if (status !== null && error === null) attempt.error = `HTTP ${status}`;
    const next = this.#clock.now().getTime() + backoffMs(this.#settings, tries, this.#random);
    if (next >= deadline) {
      return { outbox_id: delivery.id, attempt, status: 'failed', next_attempt_at: null, counted: true };
    }
    return {
      outbox_id: delivery.id,
      attempt,
      status: 'pending',
      next_attempt_at: new Date(next).toISOString(),
      counted: true,
    };
  }
}
