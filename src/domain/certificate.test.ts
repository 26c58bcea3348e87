import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCertificateKeyPair, issueCertificate, verifyCertificate } from './certificate.ts';
import type { CertificateCheck, CertificateContent } from './certificate.ts';

const keys = generateCertificateKeyPair();
const content: CertificateContent = {
  phoneNumber: '+1 555-010-0001',
  name: 'Jasper Co',
  issuedAt: 1711839600,
};
const certificate = issueCertificate(content, keys.privateKeyPem);

function bytesOf(cert: string): Buffer {
  return Buffer.from(cert, 'base64');
}

function reasonOf(check: CertificateCheck): string {
  assert.equal(check.valid, false);
  return check.valid ? '' : check.reason;
}

// Offsets of the record layout, for the tampering tests.
const VERSION_AT = 4;
const PHONE_LENGTH_AT = 13;

test('generates PEM key pairs', () => {
  assert.match(keys.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.match(keys.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
});

test('issues standard padded base64 that starts with the magic', () => {
  assert.match(certificate, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.equal(certificate.length % 4, 0);
  assert.equal(bytesOf(certificate).subarray(0, 4).toString('ascii'), 'PGC1');
});

test('round-trips the content keeping only the phone digits', () => {
  assert.deepEqual(verifyCertificate(certificate, keys.publicKeyPem), {
    valid: true,
    content: { phoneNumber: '15550100001', name: 'Jasper Co', issuedAt: 1711839600 },
  });
});

test('round-trips a non-ASCII name', () => {
  const name = 'Café Ñandú 😀';
  const cert = issueCertificate({ ...content, name }, keys.privateKeyPem);
  const check = verifyCertificate(cert, keys.publicKeyPem);
  assert.equal(check.valid && check.content.name, name);
});

test('lays out the record as documented', () => {
  const bytes = bytesOf(certificate);
  assert.equal(bytes.readUInt8(VERSION_AT), 1);
  assert.equal(bytes.readBigUInt64BE(5), 1711839600n);
  assert.equal(bytes.readUInt16BE(PHONE_LENGTH_AT), 11);
  assert.equal(bytes.subarray(15, 26).toString('utf8'), '15550100001');
  assert.equal(bytes.readUInt16BE(26), 9);
  assert.equal(bytes.subarray(28, 37).toString('utf8'), 'Jasper Co');
  assert.equal(bytes.length, 37 + 64);
});

test('rejects invalid content when issuing', () => {
  assert.throws(() => issueCertificate({ ...content, phoneNumber: '+ -' }, keys.privateKeyPem), RangeError);
  assert.throws(() => issueCertificate({ ...content, issuedAt: -1 }, keys.privateKeyPem), RangeError);
  assert.throws(() => issueCertificate({ ...content, issuedAt: 1.5 }, keys.privateKeyPem), RangeError);
  assert.throws(
    () => issueCertificate({ ...content, name: 'x'.repeat(0x10000) }, keys.privateKeyPem),
    RangeError,
  );
});

test('rejects text that is not base64', () => {
  assert.equal(
    reasonOf(verifyCertificate('not base64!', keys.publicKeyPem)),
    'certificate is not valid base64',
  );
  assert.equal(
    reasonOf(verifyCertificate(certificate.slice(1), keys.publicKeyPem)),
    'certificate is not valid base64',
  );
});

test('rejects an empty certificate', () => {
  assert.match(reasonOf(verifyCertificate('', keys.publicKeyPem)), /truncated/);
});

test('rejects truncated data', () => {
  const bytes = bytesOf(certificate);
  for (const length of [3, 10, 14, 20, 30, bytes.length - 1]) {
    const cut = bytes.subarray(0, length).toString('base64');
    assert.match(
      reasonOf(verifyCertificate(cut, keys.publicKeyPem)),
      /truncated|past the end/,
      `length ${length}`,
    );
  }
});

test('rejects bytes after the signature', () => {
  const longer = Buffer.concat([bytesOf(certificate), Buffer.from([0])]).toString('base64');
  assert.equal(
    reasonOf(verifyCertificate(longer, keys.publicKeyPem)),
    'unexpected bytes after the signature',
  );
});

test('rejects a wrong magic', () => {
  const bytes = bytesOf(certificate);
  bytes.write('XGC1', 0, 'ascii');
  assert.equal(
    reasonOf(verifyCertificate(bytes.toString('base64'), keys.publicKeyPem)),
    'not a phonegraph certificate',
  );
});

test('rejects an unknown version', () => {
  const bytes = bytesOf(certificate);
  bytes.writeUInt8(2, VERSION_AT);
  assert.equal(
    reasonOf(verifyCertificate(bytes.toString('base64'), keys.publicKeyPem)),
    'unsupported certificate version 2',
  );
});

test('rejects a length field that runs past the end', () => {
  const bytes = bytesOf(certificate);
  bytes.writeUInt16BE(0xffff, PHONE_LENGTH_AT);
  assert.equal(
    reasonOf(verifyCertificate(bytes.toString('base64'), keys.publicKeyPem)),
    'phone number length runs past the end',
  );
});

test('rejects a bad signature', () => {
  const bytes = bytesOf(certificate);
  bytes.fill(0, bytes.length - 64);
  assert.equal(
    reasonOf(verifyCertificate(bytes.toString('base64'), keys.publicKeyPem)),
    'signature does not match',
  );
});

test('rejects a tampered content byte', () => {
  const bytes = bytesOf(certificate);
  bytes.write('K', 28, 'ascii');
  assert.equal(
    reasonOf(verifyCertificate(bytes.toString('base64'), keys.publicKeyPem)),
    'signature does not match',
  );
});

test('rejects a certificate checked with the key of another pair', () => {
  const other = generateCertificateKeyPair();
  assert.equal(reasonOf(verifyCertificate(certificate, other.publicKeyPem)), 'signature does not match');
});

test('rejects a public key that is not an Ed25519 PEM', () => {
  assert.equal(
    reasonOf(verifyCertificate(certificate, 'not a key')),
    'public key is not a valid Ed25519 key',
  );
});
