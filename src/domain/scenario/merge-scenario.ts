import type {
  ScenarioApp,
  ScenarioBusiness,
  ScenarioDocument,
  ScenarioPhoneNumber,
  ScenarioToken,
  ScenarioWaba,
} from '../../contract/scenario.ts';
import type { StateSnapshot } from '../../store/records.ts';
import { sha256Hex } from './validate-scenario.ts';

const QUALITY_KEYS = ['quality', 'quality_score', 'quality_rating'] as const;
const PIN_KEYS = ['pin', 'pin_hash'] as const;

/** Records with the same id: the given keys win; records without an id or with a new one are appended. */
function mergeById<T extends { readonly id?: string }>(
  current: readonly T[],
  given: readonly T[] | undefined,
  mergeOne: (base: T, patch: T) => T,
): T[] {
  const merged = [...current];
  for (const record of given ?? []) {
    const index = record.id === undefined ? -1 : merged.findIndex((existing) => existing.id === record.id);
    if (index === -1) merged.push(record);
    else merged[index] = mergeOne(merged[index] as T, record);
  }
  return merged;
}

function mergeNumber(base: ScenarioPhoneNumber, patch: ScenarioPhoneNumber): ScenarioPhoneNumber {
  const merged: Record<string, unknown> = { ...base };
  // A given quality in any of its spellings replaces the stored one, so the aliases cannot disagree.
  if (QUALITY_KEYS.some((key) => patch[key] !== undefined))
    for (const key of QUALITY_KEYS) delete merged[key];
  // Likewise a given PIN replaces the stored hash.
  if (PIN_KEYS.some((key) => patch[key] !== undefined)) for (const key of PIN_KEYS) delete merged[key];
  return { ...(merged as unknown as ScenarioPhoneNumber), ...patch };
}

function mergeWaba(base: ScenarioWaba, patch: ScenarioWaba): ScenarioWaba {
  return {
    ...base,
    ...patch,
    phone_numbers: mergeById(base.phone_numbers ?? [], patch.phone_numbers, mergeNumber),
  };
}

function mergeBusiness(base: ScenarioBusiness, patch: ScenarioBusiness): ScenarioBusiness {
  return { ...base, ...patch, wabas: mergeById(base.wabas ?? [], patch.wabas, mergeWaba) };
}

function tokenDigestOf(token: ScenarioToken): string {
  return token.sha256 ?? sha256Hex(token.value ?? '');
}

/**
 * Merges `given` into `current` (an export of the state): apps, businesses, WABAs and numbers with a known
 * id are updated key by key, new ones appended; tokens are replaced by digest.
 */
export function mergeScenario(current: ScenarioDocument, given: ScenarioDocument): ScenarioDocument {
  const tokens = [...(current.tokens ?? [])];
  for (const token of given.tokens ?? []) {
    const index = tokens.findIndex((existing) => tokenDigestOf(existing) === tokenDigestOf(token));
    if (index === -1) tokens.push(token);
    else tokens[index] = token;
  }
  return {
    version: 1,
    seed: given.seed === undefined ? (current.seed ?? null) : given.seed,
    apps: mergeById<ScenarioApp>(current.apps ?? [], given.apps, (base, patch) => ({ ...base, ...patch })),
    businesses: mergeById(current.businesses ?? [], given.businesses, mergeBusiness),
    tokens,
  };
}

/**
 * Subscriptions whose URL and token did not change keep their verification state across a merge (a
 * scenario load starts every subscription as `pending_verification`).
 */
export function keepSubscriptionStates(before: StateSnapshot, after: StateSnapshot): StateSnapshot {
  return {
    ...after,
    apps: after.apps.map((app) => {
      const old = before.apps.find((candidate) => candidate.id === app.id)?.webhook;
      if (app.webhook === null || old == null) return app;
      const same = old.url === app.webhook.url && old.verify_token === app.webhook.verify_token;
      return same ? { ...app, webhook: { ...app.webhook, state: old.state } } : app;
    }),
    phone_numbers: after.phone_numbers.map((number) => {
      const old = before.phone_numbers.find((candidate) => candidate.id === number.id)?.webhook_override;
      if (number.webhook_override === null || old == null) return number;
      const same =
        old.url === number.webhook_override.url && old.verify_token === number.webhook_override.verify_token;
      return same
        ? { ...number, webhook_override: { ...number.webhook_override, state: old.state } }
        : number;
    }),
  };
}
