import { randomBytes } from 'node:crypto';

/** Uniform 32-bit unsigned integers; seeded (reproducible) or from the OS. */
export interface RandomSource {
  nextUint32(): number;
}

const UINT32_RANGE = 2 ** 32;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's finalizer: spreads nearby seeds (42, 43) far apart. */
function fmix32(value: number): number {
  let x = value;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * mulberry32 (tiny, fast, passes the usual statistical batteries; not for secrets). `stream` derives an
 * independent sequence per use (ids, QR codes, OTPs…), so adding a QR code to a scenario does not shift
 * every generated id after it.
 */
export function seededRandom(seed: number, stream = ''): RandomSource {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const high = Math.floor(seed / UINT32_RANGE) >>> 0;
  let state = fmix32((seed >>> 0) ^ fmix32(high ^ fnv1a(stream)));
  return {
    nextUint32() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    },
  };
}

/** OS randomness, read in blocks because randomBytes per call is slow. */
export function cryptoRandom(): RandomSource {
  let buffer = randomBytes(256);
  let offset = 0;
  return {
    nextUint32() {
      if (offset + 4 > buffer.length) {
        buffer = randomBytes(256);
        offset = 0;
      }
      const value = buffer.readUInt32LE(offset);
      offset += 4;
      return value;
    },
  };
}

/** Seeded when the scenario has a seed, else OS randomness. */
export function randomSourceFor(seed: number | null, stream: string): RandomSource {
  return seed === null ? cryptoRandom() : seededRandom(seed, stream);
}

/** Uniform in [0, maxExclusive); rejection sampling avoids modulo bias. */
export function randomInt(source: RandomSource, maxExclusive: number): number {
  if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > UINT32_RANGE) {
    throw new RangeError(`maxExclusive must be an integer in 1..2^32, got ${maxExclusive}`);
  }
  const limit = UINT32_RANGE - (UINT32_RANGE % maxExclusive);
  for (;;) {
    const value = source.nextUint32();
    if (value < limit) return value % maxExclusive;
  }
}

export function randomString(source: RandomSource, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet.charAt(randomInt(source, alphabet.length));
  return out;
}

/** Decimal digits, leading zeros allowed (OTPs). */
export function randomDigits(source: RandomSource, length: number): string {
  return randomString(source, '0123456789', length);
}

/** A numeric id: the first digit is never 0, so the id keeps its length wherever it is parsed. */
export function randomNumericId(source: RandomSource, length: number): string {
  if (length < 1) return '';
  return randomString(source, '123456789', 1) + randomDigits(source, length - 1);
}

export function randomHex(source: RandomSource, length: number): string {
  return randomString(source, '0123456789abcdef', length);
}
