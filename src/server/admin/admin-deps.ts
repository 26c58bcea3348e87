import type { AdjustableClock } from '../../domain/clock.ts';
import type { FaultRules } from '../../faults/fault-rules.ts';
import type { BucAccounting } from '../../limits/buc-accounting.ts';
import type { CachedStore } from '../../store/cached-store.ts';

/** What admin route modules get; each module registers its routes under `/__admin`. */
export interface AdminDeps {
  readonly store: CachedStore;
  readonly clock: AdjustableClock;
  readonly buc: BucAccounting;
  readonly faults: FaultRules;
}
