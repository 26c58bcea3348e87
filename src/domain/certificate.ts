/**
 * The WhatsApp `certificate` field. Meta treats it as opaque base64; ours is a
 * signed binary record so a client can check offline that we issued it for this
 * number and display name:
 *
 *   magic "PGC1" | u8 version=1 | u64 BE issued_at (unix seconds)
 *   | u16 BE len + UTF-8 phone digits | u16 BE len + UTF-8 name
 *   | 64-byte Ed25519 signature over every preceding byte
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface CertificateKeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export interface CertificateContent {
  readonly phoneNumber: string;
  readonly name: string;
  readonly issuedAt: number;
}

export type CertificateCheck =
  | { readonly valid: true; readonly content: CertificateContent }
  | { readonly valid: false; readonly reason: string };

const MAGIC = Buffer.from('PGC1', 'ascii');
const VERSION = 1;
const SIGNATURE_BYTES = 64;
const MAX_FIELD_BYTES = 0xffff;
const HEADER_BYTES = MAGIC.length + 1 + 8;

export function generateCertificateKeyPair(): CertificateKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

// Certificates are issued and checked in batches with the same key; PEM parsing
// is far slower than signing, so keep the few keys in use parsed.
const KEY_CACHE_LIMIT = 16;
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

function cachedKey(cache: Map<string, KeyObject>, pem: string, parse: (pem: string) => KeyObject): KeyObject {
  let key = cache.get(pem);
  if (key === undefined) {
    key = parse(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('certificate keys must be Ed25519');
    if (cache.size >= KEY_CACHE_LIMIT) cache.clear();
    cache.set(pem, key);
  }
  return key;
}

function lengthPrefixed(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_FIELD_BYTES) throw new RangeError(`certificate ${what} is too long`);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(bytes.length);
  return Buffer.concat([prefix, bytes]);
}

function encodeBody(phoneDigits: string, name: string, issuedAt: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header);
  header.writeUInt8(VERSION, MAGIC.length);
  header.writeBigUInt64BE(BigInt(issuedAt), MAGIC.length + 1);
  return Buffer.concat([header, lengthPrefixed(phoneDigits, 'phone number'), lengthPrefixed(name, 'name')]);
}

/**
 * Issues a certificate (standard base64 with padding). `phoneNumber` may be in a
 * display form such as `+1 555-010-0001`; only its digits are kept.
 */
export function issueCertificate(content: CertificateContent, privateKeyPem: string): string {
  const body = certificateBody(content);
  const signature = sign(null, body, cachedKey(privateKeys, privateKeyPem, createPrivateKey));
  return certificateFromParts(body, signature);
}

/**
 * The signed part of a certificate (everything before the signature), checked as `issueCertificate`
 * checks it; a bulk load encodes bodies here and has them signed elsewhere (certificate-signers.ts).
 */
export function certificateBody(content: CertificateContent): Buffer {
  const digits = content.phoneNumber.replace(/\D/g, '');
  if (digits === '') throw new RangeError('certificate phone number has no digits');
  if (!Number.isSafeInteger(content.issuedAt) || content.issuedAt < 0) {
    throw new RangeError('certificate issuedAt must be a non-negative integer of unix seconds');
  }
  return encodeBody(digits, content.name, content.issuedAt);
}

/** The certificate text from a body and its Ed25519 signature (standard base64 with padding). */
export function certificateFromParts(body: Uint8Array, signature: Uint8Array): string {
  return Buffer.concat([body, signature]).toString('base64');
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

class Malformed extends Error {}

/** Reads the record front to back, throwing Malformed with the reason a reader should see. */
class Reader {
  private offset = 0;
  constructor(private readonly bytes: Buffer) {}

  get position(): number {
    return this.offset;
  }

  take(count: number, what: string): Buffer {
    if (this.offset + count > this.bytes.length) throw new Malformed(`certificate is truncated in ${what}`);
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  text(what: string): string {
    const length = this.take(2, `${what} length`).readUInt16BE();
    if (this.offset + length > this.bytes.length) throw new Malformed(`${what} length runs past the end`);
    try {
      return STRICT_UTF8.decode(this.take(length, what));
    } catch {
      throw new Malformed(`${what} is not valid UTF-8`);
    }
  }
}

interface ParsedCertificate {
  readonly body: Buffer;
  readonly signature: Buffer;
  readonly content: CertificateContent;
}

function parseHeader(reader: Reader): number {
  if (!reader.take(MAGIC.length, 'magic').equals(MAGIC)) throw new Malformed('not a phonegraph certificate');
  const version = reader.take(1, 'version').readUInt8();
  if (version !== VERSION) throw new Malformed(`unsupported certificate version ${version}`);
  const issuedAt = reader.take(8, 'issue time').readBigUInt64BE();
  if (issuedAt > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed('issue time is out of range');
  return Number(issuedAt);
}

function parseCertificate(bytes: Buffer): ParsedCertificate {
  const reader = new Reader(bytes);
  const issuedAt = parseHeader(reader);
  const phoneNumber = reader.text('phone number');
  const name = reader.text('name');
  const bodyEnd = reader.position;
  const signature = reader.take(SIGNATURE_BYTES, 'signature');
  if (reader.position !== bytes.length) throw new Malformed('unexpected bytes after the signature');
  return { body: bytes.subarray(0, bodyEnd), signature, content: { phoneNumber, name, issuedAt } };
}

function decodeBase64(certificate: string): Buffer {
  // Buffer.from silently skips junk; a certificate must be canonical standard base64.
  if (!STANDARD_BASE64.test(certificate)) throw new Malformed('certificate is not valid base64');
  return Buffer.from(certificate, 'base64');
}

function publicKeyFrom(pem: string): KeyObject {
  try {
    return cachedKey(publicKeys, pem, createPublicKey);
  } catch {
    throw new Malformed('public key is not a valid Ed25519 key');
  }
}

function check(certificate: string, publicKeyPem: string): CertificateCheck {
  const publicKey = publicKeyFrom(publicKeyPem);
  const { body, signature, content } = parseCertificate(decodeBase64(certificate));
  if (!verify(null, body, publicKey, signature)) return { valid: false, reason: 'signature does not match' };
  return { valid: true, content };
}

/** Checks a certificate against the issuer's public key. Never throws: any failure is a reason. */
export function verifyCertificate(certificate: string, publicKeyPem: string): CertificateCheck {
  try {
    return check(certificate, publicKeyPem);
  } catch (error) {
    // Callers feed us client input; an unforeseen failure is still just an invalid certificate.
    return {
      valid: false,
      reason: error instanceof Malformed ? error.message : 'certificate could not be read',
    };
  }
}
