import type { AdjustableClock } from '../../domain/clock.ts';
import type { CachedStore } from '../../store/cached-store.ts';

/** What admin route modules get; each module registers its routes under `/__admin`. */
export interface AdminDeps {
  readonly store: CachedStore;
  readonly clock: AdjustableClock;
}
