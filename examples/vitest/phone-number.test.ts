// phonegraph inside a vitest suite (docs/testing.md). Run: npx vitest run --root examples/vitest
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitError, startPhonegraph, type Phonegraph } from 'phonegraph/testing';

const NUMBER = '400000000000101';
const APP = '1000000000000001';
const WABA = '3000000000000001';

describe('a phone number against phonegraph', () => {
  let pg: Phonegraph;
  beforeAll(async () => {
    pg = await startPhonegraph();
  });
  afterAll(() => pg.close());
  beforeEach(() => pg.reset());

  it('reads the quality the admin plane set', async () => {
    await pg.admin.quality(NUMBER, { score: 'RED', reasons: ['Spam reports'] });
    const number = await pg.client.phoneNumbers.retrieve(NUMBER, { fields: ['quality_rating'] });
    expect(number.quality_rating).toBe('RED');
  });

  it('throws a RateLimitError once the window is exhausted', async () => {
    await pg.admin.rateLimits.exhaust({ app: APP, waba: WABA });
    const client = pg.clientFor(pg.tokens[0] ?? '', { maxRetries: 0, maxRetryAfterMs: 0 });
    await expect(client.phoneNumbers.retrieve(NUMBER, { fields: ['status'] })).rejects.toBeInstanceOf(
      RateLimitError,
    );
  });

  it('hands out the code request_code sent', async () => {
    await pg.client.phoneNumbers.requestCode(NUMBER, { code_method: 'SMS', language: 'en_US' });
    const otp = await pg.admin.otp(NUMBER);
    expect(otp.code).toMatch(/^\d{6}$/);
  });
});
