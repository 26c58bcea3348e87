import type { RateLimitOverride } from '../store/records.ts';

export interface EffectiveLimits {
  readonly per_hour: number;
  readonly active_per_hour: number;
}

/** rate-limits.md: 200 calls per rolling hour per (app, WABA), 5000 while the WABA is active. */
export const DEFAULT_LIMITS: EffectiveLimits = { per_hour: 200, active_per_hour: 5000 };

/**
 * Overrides apply key by key, the most specific winning: an admin-set (app, WABA) pair, then the
 * WABA's, then the app's, then the defaults.
 */
export function effectiveLimits(
  app: RateLimitOverride | null,
  waba: RateLimitOverride | null,
  pair: RateLimitOverride | null = null,
): EffectiveLimits {
  return {
    per_hour: pair?.per_hour ?? waba?.per_hour ?? app?.per_hour ?? DEFAULT_LIMITS.per_hour,
    active_per_hour:
      pair?.active_per_hour ??
      waba?.active_per_hour ??
      app?.active_per_hour ??
      DEFAULT_LIMITS.active_per_hour,
  };
}

/** A WABA is active while at least one of its numbers is CONNECTED. */
export function limitFor(limits: EffectiveLimits, active: boolean): number {
  return active ? limits.active_per_hour : limits.per_hour;
}
