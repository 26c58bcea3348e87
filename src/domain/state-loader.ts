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
}
