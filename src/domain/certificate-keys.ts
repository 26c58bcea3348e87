import type { Store } from '../store/store.ts';
import { generateCertificateKeyPair, type CertificateKeyPair } from './certificate.ts';

const PRIVATE_KEY = 'certificate_private_key';
const PUBLIC_KEY = 'certificate_public_key';

/**
 * The Ed25519 pair that signs certificates, created once and kept in the store, so every instance on
 * one store signs alike. `initMeta` keeps the first writer's pair when instances race.
 */
export async function ensureCertificateKeys(store: Store): Promise<CertificateKeyPair> {
  const existingPrivate = await store.getMeta(PRIVATE_KEY);
  const existingPublic = await store.getMeta(PUBLIC_KEY);
  if (existingPrivate !== undefined && existingPublic !== undefined) {
    return { privateKeyPem: existingPrivate, publicKeyPem: existingPublic };
  }
  const fresh = generateCertificateKeyPair();
  const privateKeyPem = await store.initMeta(PRIVATE_KEY, fresh.privateKeyPem);
  const publicKeyPem =
    privateKeyPem === fresh.privateKeyPem
      ? await store.initMeta(PUBLIC_KEY, fresh.publicKeyPem)
      : ((await store.getMeta(PUBLIC_KEY)) ?? fresh.publicKeyPem);
  return { privateKeyPem, publicKeyPem };
}

export async function certificatePublicKey(store: Store): Promise<string | undefined> {
  return store.getMeta(PUBLIC_KEY);
}
