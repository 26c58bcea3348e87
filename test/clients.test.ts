// The third-party clients of docs/clients.md, unmodified, run as their examples against phonegraph.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startPhonegraph, type Phonegraph } from 'phonegraph/testing';
import { childEnv, runNode } from './helpers/serve-process.ts';

const TIMEOUT = 180_000;

describe('third-party clients against phonegraph', { timeout: TIMEOUT }, () => {
  let pg: Phonegraph;
  before(async () => {
    pg = await startPhonegraph();
  });
  after(() => pg.close());

  const example = async (file: string): Promise<Record<string, unknown>> => {
    const result = await runNode(['--import', 'tsx', file], childEnv({ PHONEGRAPH_URL: pg.url }));
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  test('whatsapp-api-js with a fetch that sends graph.facebook.com to phonegraph: QR codes', async () => {
    const out = (await example('examples/clients/whatsapp-api-js.ts')) as {
      created: { code: string; prefilled_message: string; qr_image_url: string };
      listedCodes: string[];
      updated: unknown;
      deleted: unknown;
      sent: { error: { code: number } };
    };
    assert.equal(out.created.prefilled_message, 'Hello from whatsapp-api-js');
    assert.ok(out.created.qr_image_url.startsWith(`${pg.url}/__qr/`));
    assert.ok(out.listedCodes.includes(out.created.code));
    assert.deepEqual(out.updated, {
      code: out.created.code,
      prefilled_message: 'Updated',
      deep_link_url: `https://wa.me/message/${out.created.code}`,
    });
    assert.deepEqual(out.deleted, { success: true });
    // Messages are not phonegraph's surface: an unknown path, as Graph says it.
    assert.equal(out.sent.error.code, 2500);
  });

  test('@kapso/whatsapp-cloud-api with baseUrl: onboarding through request_code, verify_code, register', async () => {
    const out = await example('examples/clients/kapso-whatsapp-cloud-api.ts');
    assert.deepEqual(out, {
      before: { status: 'PENDING', codeVerificationStatus: 'NOT_VERIFIED', id: '400000000000104' },
      requested: { success: true },
      verified: { success: true },
      registered: { success: true },
      after: {
        status: 'CONNECTED',
        codeVerificationStatus: 'VERIFIED',
        platformType: 'CLOUD_API',
        id: '400000000000104',
      },
      wrong: { name: 'GraphApiError', httpStatus: 400, code: 136025 },
    });
  });
});
