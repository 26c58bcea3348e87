import type { AdjustableClock } from '../../domain/clock.ts';
import type { FaultRules } from '../../faults/fault-rules.ts';
import type { BucAccounting } from '../../limits/buc-accounting.ts';
import type { RequestJournal } from '../../journal/request-journal.ts';
import type { StartScenario } from '../../domain/state-loader.ts';
import type { CachedStore } from '../../store/cached-store.ts';
import type { OutboxDispatcher } from '../../webhooks/outbox-dispatcher.ts';

/** What admin route modules get; each module registers its routes under `/__admin`. */
export interface AdminDeps {
  readonly store: CachedStore;
  readonly clock: AdjustableClock;
  readonly buc: BucAccounting;
  readonly faults: FaultRules;
  /** Told after every committed change, so events go out without waiting for the next poll. */
  readonly dispatcher: OutboxDispatcher;
  readonly startScenario: StartScenario | undefined;
  /** The last Graph requests (`GET /__admin/requests`). */
  readonly journal: RequestJournal;
}
