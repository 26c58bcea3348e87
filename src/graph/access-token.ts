import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AppRecord, TokenRecord } from '../store/records.ts';
import {
  appsecretProofInvalid,
  appsecretProofMissing,
  tokenExpired,
  tokenInvalid,
  tokenMissing,
  tokenRevoked,
} from './graph-error.ts';

/** Where a request may carry its token; a parameter beats a header (graph-api.md §2). */
export function extractAccessToken(
  parameter: string | undefined,
  authorization: string | undefined,
): string | undefined {
  if (parameter !== undefined && parameter !== '') return parameter;
  if (authorization === undefined) return undefined;
  const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Visible-ASCII tokens only: anything else cannot be a Graph token and is refused before any lookup. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,512}$/;

export function isTokenShaped(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/** Tokens whose digest is remembered; the oldest is forgotten first. */
export const MAX_REMEMBERED_DIGESTS = 1024;

/**
 * SHA-256 digests of the tokens seen last, so a client reusing its token is not hashed on every
 * call. Bounded (at most MAX_REMEMBERED_DIGESTS tokens of at most 512 characters): a flood of
 * distinct tokens only cycles it. Only well-shaped tokens reach it.
 */
export class TokenDigests {
  readonly #digests = new Map<string, string>();

  of(token: string): string {
    let digest = this.#digests.get(token);
    if (digest === undefined) {
      digest = tokenDigest(token);
      if (this.#digests.size >= MAX_REMEMBERED_DIGESTS) {
        const oldest = this.#digests.keys().next();
        if (oldest.done !== true) this.#digests.delete(oldest.value);
      }
      this.#digests.set(token, digest);
    }
    return digest;
  }
}

export interface TokenLookup {
  getTokenByDigest(digest: string): Promise<TokenRecord | undefined>;
}

/**
 * Finds a token by digest and confirms the match in constant time, so timing never reveals how
 * much of a guessed digest was right. Checks run in the spec's order: present, known, revoked, expired.
 */
export async function authenticate(
  token: string | undefined,
  lookup: TokenLookup,
  now: Date,
  digests?: TokenDigests,
): Promise<TokenRecord> {
  if (token === undefined) throw tokenMissing();
  if (!TOKEN_SHAPE.test(token)) throw tokenInvalid();
  const digest = digests === undefined ? tokenDigest(token) : digests.of(token);
  const record = await lookup.getTokenByDigest(digest);
  if (record === undefined || !digestsEqual(digest, record.digest)) throw tokenInvalid();
  if (record.revoked) throw tokenRevoked();
  if (record.expires_at !== null) {
    const expiry = new Date(record.expires_at);
    if (expiry.getTime() <= now.getTime()) throw tokenExpired(expiry, now);
  }
  return record;
}

function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function appsecretProof(secret: string, token: string): string {
  return createHmac('sha256', secret).update(token).digest('hex');
}

/** Checked whenever sent; required only when the app says so. */
export function checkAppsecretProof(app: AppRecord, token: string, proof: string | undefined): void {
  if (proof === undefined || proof === '') {
    if (app.appsecret_proof_required) throw appsecretProofMissing();
    return;
  }
  const expected = Buffer.from(appsecretProof(app.secret, token), 'utf8');
  const given = Buffer.from(proof.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw appsecretProofInvalid();
}
