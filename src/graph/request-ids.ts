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

/** Draws from a pooled buffer: one crypto call per few hundred ids instead of one per id. */
export function randomRequestIds(): RequestIds {
  const pool = Buffer.alloc(4096);
  let offset = pool.length;
  const next = (length: number): string => {
    if (offset + length > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET[(pool[offset + i] as number) & 63];
    offset += length;
    return out;
  };
  const bytes = (length: number): Buffer => {
    if (offset + length > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const out = Buffer.from(pool.subarray(offset, offset + length));
    offset += length;
    return out;
  };
  return {
    traceId: () => next(23),
    requestId: () => next(22),
    debugId: () => bytes(DEBUG_BYTES).toString('base64'),
  };
}
