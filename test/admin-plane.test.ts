import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueCertificate, verifyCertificate } from '../src/domain/certificate.ts';
import { buildApp } from '../src/server/build-app.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { ensureCertificateKeys } from '../src/domain/certificate-keys.ts';

const NOT_FOUND = '{"error":{"message":"Not found","code":"not_found"}}';

async function adminApp(adminToken?: string) {
  const store = await freshTestStore();
  const keys = await ensureCertificateKeys(store);
  const app = buildApp({ store, ...(adminToken === undefined ? {} : { adminToken }) });
  return { app, keys };
}

test('serves the certificate public key to a loopback peer', async () => {
  const { app, keys } = await adminApp();
  try {
    const response = await app.fastify.inject({ url: '/__admin/cert-key', remoteAddress: '127.0.0.1' });
    assert.equal(response.statusCode, 200);
    const body = JSON.parse(response.body) as { algorithm: string; public_key_pem: string };
    assert.equal(body.algorithm, 'Ed25519');
    const certificate = issueCertificate(
      { phoneNumber: '15550100001', name: 'Acme', issuedAt: 1 },
      keys.privateKeyPem,
    );
    assert.equal(verifyCertificate(certificate, body.public_key_pem).valid, true);
  } finally {
    await app.fastify.close();
  }
});

test('answers a non-loopback peer with the not-found error, even with X-Forwarded-For', async () => {
  const { app } = await adminApp();
  try {
    const response = await app.fastify.inject({
      url: '/__admin/cert-key',
      remoteAddress: '10.0.0.7',
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    assert.equal(response.statusCode, 404);
    assert.equal(response.body, NOT_FOUND);
  } finally {
    await app.fastify.close();
  }
});

test('requires the bearer admin token from anywhere once one is configured', async () => {
  const { app } = await adminApp('s3cret-admin');
  try {
    const loopbackWithout = await app.fastify.inject({
      url: '/__admin/cert-key',
      remoteAddress: '127.0.0.1',
    });
    assert.equal(loopbackWithout.statusCode, 404);
    assert.equal(loopbackWithout.body, NOT_FOUND);
    const wrong = await app.fastify.inject({
      url: '/__admin/cert-key',
      remoteAddress: '10.0.0.7',
      headers: { authorization: 'Bearer s3cret-admiN' },
    });
    assert.equal(wrong.statusCode, 404);
    const remoteWith = await app.fastify.inject({
      url: '/__admin/cert-key',
      remoteAddress: '10.0.0.7',
      headers: { authorization: 'Bearer s3cret-admin' },
    });
    assert.equal(remoteWith.statusCode, 200);
  } finally {
    await app.fastify.close();
  }
});

test('answers unknown admin paths with the not-found error, not a Graph envelope', async () => {
  const { app } = await adminApp();
  try {
    const response = await app.fastify.inject({ url: '/__admin/nope', remoteAddress: '127.0.0.1' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.body, NOT_FOUND);
  } finally {
    await app.fastify.close();
  }
});

test('keeps the reserved prefixes off the Graph surface', async () => {
  const { app } = await adminApp();
  try {
    for (const url of ['/__admin', '/__admin/', '/__qr/abc/X.png', '/__dashboard/x']) {
      const response = await app.fastify.inject({ url, remoteAddress: '127.0.0.1' });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.body, NOT_FOUND, url);
    }
  } finally {
    await app.fastify.close();
  }
});
