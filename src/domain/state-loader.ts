import type { ScenarioDocument } from '../contract/scenario.ts';
import type { Store } from '../store/store.ts';
import { issueCertificate } from './certificate.ts';
import { ensureCertificateKeys } from './certificate-keys.ts';
import type { Clock } from './clock.ts';
import { normalizeScenario } from './scenario/normalize-scenario.ts';

/** Replaces the whole state with a validated scenario in one store transaction. */
export async function loadScenario(store: Store, document: ScenarioDocument, clock: Clock): Promise<void> {
  const keys = await ensureCertificateKeys(store);
  const snapshot = normalizeScenario(document, {
    now: clock.now(),
    issueCertificate: (phoneNumber, name, issuedAt) =>
      issueCertificate({ phoneNumber, name, issuedAt }, keys.privateKeyPem),
  });
  await store.replaceState(snapshot);
  // Fault-rule probabilities draw from the scenario's seed (control-plane.md §3).
  await store.setMeta(SCENARIO_SEED_KEY, snapshot.seed === null ? '' : String(snapshot.seed));
}

export const SCENARIO_SEED_KEY = 'scenario_seed';

export async function scenarioSeed(store: Store): Promise<number | null> {
  const value = await store.getMeta(SCENARIO_SEED_KEY);
  return value === undefined || value === '' ? null : Number(value);
}
