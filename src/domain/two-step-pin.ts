import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The two-step PIN is stored only as a salted scrypt hash (phone-number.md §5.2): a fresh 16-byte salt
 * per PIN, written `scrypt$N$r$p$<salt base64url>$<hash base64url>` so the parameters travel with the
 * hash (an export carries it verbatim, and a later change of parameters still checks old hashes).
 */
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

/** What a stored hash looks like; the scenario format checks it with the same pattern. */
export const PIN_HASH_PATTERN =
  '^scrypt\\$[0-9]{1,7}\\$[0-9]{1,2}\\$[0-9]{1,2}\\$[A-Za-z0-9_-]{16,64}\\$[A-Za-z0-9_-]{43}$';

function derive(pin: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

function encode(salt: Buffer, key: Buffer): string {
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return encode(salt, await derive(pin, salt, PARAMS));
}

/** For a scenario load, which is synchronous; a PIN in a scenario is rare. */
export function hashPinSync(pin: string): string {
  const salt = randomBytes(SALT_BYTES);
  return encode(salt, scryptSync(pin, salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 }));
}

/** True when `pin` is the PIN behind `stored`; compared in constant time. A malformed hash never matches. */
export async function pinMatches(pin: string, stored: string): Promise<boolean> {
  if (!new RegExp(PIN_HASH_PATTERN).test(stored)) return false;
  const [, n, r, p, salt, hash] = stored.split('$') as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(pin, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
