import { randomFillSync } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Fresh random ids for every response; injectable so tests can pin them. */
export interface RequestIds {
  /** 23 chars `[A-Za-z0-9_-]`: `fbtrace_id` and `x-fb-trace-id`. */
  traceId(): string;
  /** 22 chars `[A-Za-z0-9_-]`: `x-fb-request-id`. */
  requestId(): string;
  /** 88 chars of standard base64 (66 random bytes): `X-FB-Debug` (graph-api.md §8). */
  debugId(): string;
}

const DEBUG_BYTES = 66;

/**
 * Draws from pooled buffers: one crypto call per few hundred ids instead of one per id. Id bytes are
 * mapped to the alphabet when the pool is refilled, so an id is one latin1 slice of the pool.
 */
export function randomRequestIds(): RequestIds {
  const letters = Buffer.alloc(4096);
  let letterOffset = letters.length;
  const next = (length: number): string => {
    if (letterOffset + length > letters.length) {
      randomFillSync(letters);
      for (let i = 0; i < letters.length; i++) letters[i] = ALPHABET.charCodeAt((letters[i] as number) & 63);
      letterOffset = 0;
    }
    const out = letters.toString('latin1', letterOffset, letterOffset + length);
    letterOffset += length;
    return out;
  };
  const bytes = Buffer.alloc(4096);
  let byteOffset = bytes.length;
  const base64 = (length: number): string => {
    if (byteOffset + length > bytes.length) {
      randomFillSync(bytes);
      byteOffset = 0;
    }
    const out = bytes.toString('base64', byteOffset, byteOffset + length);
    byteOffset += length;
    return out;
  };
  return {
    traceId: () => next(23),
    requestId: () => next(22),
    debugId: () => base64(DEBUG_BYTES),
  };
}
