import type { ScenarioDocument } from '../contract/scenario.ts';
import { SCENARIO_SEED_META, type Store } from '../store/store.ts';
import { issueCertificate } from './certificate.ts';
import { ensureCertificateKeys } from './certificate-keys.ts';
import type { Clock } from './clock.ts';
import { exportScenario } from './scenario/export-scenario.ts';
import { keepSubscriptionStates, mergeScenario } from './scenario/merge-scenario.ts';
import { normalizeScenario } from './scenario/normalize-scenario.ts';
import { validateScenario } from './scenario/validate-scenario.ts';

/**
 * What `POST /__admin/reset` without a body loads: the start document, or a function that reads it
 * again (a start scenario loaded by streaming is not kept in memory).
 */
export type StartScenario = ScenarioDocument | (() => Promise<ScenarioDocument>);

export async function startScenarioDocument(
  start: StartScenario | undefined,
): Promise<ScenarioDocument | undefined> {
  return typeof start === 'function' ? start() : start;
}

/** Replaces the whole state with a validated scenario in one store transaction. */
export async function loadScenario(store: Store, document: ScenarioDocument, clock: Clock): Promise<void> {
  const keys = await ensureCertificateKeys(store);
  const snapshot = normalizeScenario(document, {
    now: clock.now(),
    issueCertificate: (phoneNumber, name, issuedAt) =>
      issueCertificate({ phoneNumber, name, issuedAt }, keys.privateKeyPem),
  });
  await store.replaceState(snapshot);
}

/** The loaded scenario's `seed` (the store keeps it with the state); fault probabilities draw from it. */
export async function scenarioSeed(store: Store): Promise<number | null> {
  const value = await store.getMeta(SCENARIO_SEED_META);
  const seed: unknown = value === undefined ? null : JSON.parse(value);
  return typeof seed === 'number' ? seed : null;
}

/**
 * Merges a scenario into the current state in one store transaction: records with a known id are updated
 * key by key, new ones added; history, outbox and deliveries stay. The merged document is validated as a
 * whole (error paths refer to it), so a number patch may give only `{id, status}`.
 */
export async function mergeIntoState(
  store: Store,
  given: ScenarioDocument,
  clock: Clock,
  file: string,
): Promise<void> {
  const keys = await ensureCertificateKeys(store);
  const before = await store.readState();
  const merged = validateScenario(mergeScenario(exportScenario(before), given), file);
  const snapshot = normalizeScenario(merged, {
    now: clock.now(),
    issueCertificate: (phoneNumber, name, issuedAt) =>
      issueCertificate({ phoneNumber, name, issuedAt }, keys.privateKeyPem),
  });
  await store.replaceState(keepSubscriptionStates(before, snapshot), { keepLog: true });
}
