import type { HistoryEntry } from '../store/records.ts';

/** What changed; the dashboard refreshes the matching view. */
export type ChangeKind =
  | 'phone_number'
  | 'waba'
  | 'business_profile'
  | 'qr_code'
  | 'webhook_subscription'
  | 'delivery'
  | 'fault_rule'
  | 'clock'
  | 'rate_limit'
  | 'state';

/** A committed change as the store (or another instance) reports it. */
export interface ChangeNotice {
  readonly kind: ChangeKind;
  /** The changed object's id (number, WABA, app, QR code, delivery, fault rule), when there is one. */
  readonly id: string | null;
  readonly phone_number_id?: string;
  readonly waba_id?: string;
  /** The app a change is about, when it names one (a rate-limit override of an app or an app-WABA pair). */
  readonly app_id?: string;
  /** The history lines the change wrote, for number and profile changes. */
  readonly history?: readonly HistoryEntry[];
}

export interface ChangeEventMessage extends ChangeNotice {
  /** Increasing within one process; the SSE `id:`. */
  readonly seq: number;
  /** Wall time the change was published, ISO-8601 UTC. */
  readonly at: string;
}

export type ChangeListener = (event: ChangeEventMessage) => void;

/**
 * Somewhere else changes come from: the PostgreSQL store's LISTEN channel is meant to plug in here, so
 * changes committed by another instance reach this instance's listeners.
 */
export interface ChangeSource {
  subscribe(publish: (notice: ChangeNotice) => void): () => void;
}

/** One emitter for every committed change in this process; SSE streams listen to it. */
export class ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();
  readonly #detach: (() => void)[] = [];
  #seq = 0;

  get listenerCount(): number {
    return this.#listeners.size;
  }

  publish(notice: ChangeNotice): void {
    // Nobody listening is the common case: no allocation beyond the notice itself.
    if (this.#listeners.size === 0) return;
    const event: ChangeEventMessage = { ...notice, seq: ++this.#seq, at: new Date().toISOString() };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a broken listener must not break the change that was already committed
      }
    }
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Feeds another source's changes (another instance's) into this feed. */
  attach(source: ChangeSource): void {
    this.#detach.push(source.subscribe((notice) => this.publish(notice)));
  }

  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
    this.#listeners.clear();
  }
}
