// The SDK's business profiles, WABA review fields, node update and the WhatsApp error classes
// (docs/sdk.md), against a real phonegraph over a socket.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CodeRequestLimitError,
  InvalidRequestError,
  PinMismatchError,
  RegisterRateLimitError,
  WhatsAppError,
  type GraphClient,
} from '../src/client/index.ts';
import type { RunningServer } from '../src/server/start.ts';
import { ID } from './helpers/graph-app.ts';
import { clientFor, startGraphServer } from './helpers/sdk-server.ts';

describe('GraphClient: profiles, WABA review fields, PINs and the WhatsApp errors', () => {
  let server: RunningServer;
  let graph: GraphClient;
  before(async () => {
    server = await startGraphServer();
    graph = clientFor(server, { version: 'v21.0' });
  });
  after(async () => {
    await server.close(1000);
  });

  it('updates and retrieves a business profile, every field or a selection', async () => {
    assert.deepEqual(await graph.businessProfiles.retrieve(ID.connected), { messaging_product: 'whatsapp' });
    assert.deepEqual(
      await graph.businessProfiles.update(ID.connected, {
        about: 'Open 9-5',
        websites: ['https://support.example'],
        vertical: 'PROF_SERVICES',
      }),
      { success: true },
    );
    assert.deepEqual(await graph.businessProfiles.retrieve(ID.connected), {
      about: 'Open 9-5',
      websites: ['https://support.example'],
      vertical: 'PROF_SERVICES',
      messaging_product: 'whatsapp',
    });
    const some = await graph.businessProfiles.retrieve(ID.connected, { fields: ['vertical'] as const });
    assert.deepEqual(some, { vertical: 'PROF_SERVICES', messaging_product: 'whatsapp' });
    await assert.rejects(
      graph.businessProfiles.update(ID.connected, { websites: ['https://a', 'https://b', 'https://c'] }),
      (error: unknown) => error instanceof InvalidRequestError && error.code === 100,
    );
  });

  it('reads the WABA review fields with their types', async () => {
    const waba = await graph.wabas.retrieve(ID.waba, {
      fields: ['account_review_status', 'business_verification_status', 'country', 'ownership_type'] as const,
    });
    assert.deepEqual(waba, {
      account_review_status: 'APPROVED',
      business_verification_status: 'verified',
      country: 'US',
      ownership_type: 'SELF',
      id: ID.waba,
    });
  });

  it('requests a display name with phoneNumbers.update and reads new_display_name', async () => {
    assert.deepEqual(await graph.phoneNumbers.update(ID.connected, { new_display_name: 'Support Desk' }), {
      success: true,
    });
    const number = await graph.phoneNumbers.retrieve(ID.connected, {
      fields: ['new_display_name', 'new_name_status'] as const,
    });
    assert.deepEqual(number, {
      new_display_name: 'Support Desk',
      new_name_status: 'PENDING_REVIEW',
      id: ID.connected,
    });
  });

  it('throws PinMismatchError (133005) and RegisterRateLimitError (133016), both WhatsApp errors', async () => {
    await graph.phoneNumbers.update(ID.connected, { pin: '123456' });
    await assert.rejects(graph.phoneNumbers.register(ID.connected, { pin: '000000' }), (error: unknown) => {
      assert.ok(error instanceof PinMismatchError);
      assert.ok(error instanceof WhatsAppError && error instanceof InvalidRequestError);
      assert.deepEqual([error.code, error.httpStatus, error.type], [133005, 400, 'OAuthException']);
      return true;
    });
    for (let call = 0; call < 10; call++) await graph.phoneNumbers.register(ID.connected, { pin: '123456' });
    await assert.rejects(
      graph.phoneNumbers.deregister(ID.connected),
      (error: unknown) => error instanceof RegisterRateLimitError && error.code === 133016,
    );
  });

  it('throws CodeRequestLimitError (136024) at the 11th request_code in 72 hours', async () => {
    for (let call = 0; call < 10; call++)
      await graph.phoneNumbers.requestCode(ID.pending, { code_method: 'SMS', language: 'en_US' });
    await assert.rejects(
      graph.phoneNumbers.requestCode(ID.pending, { code_method: 'VOICE', language: 'en_US' }),
      (error: unknown) => error instanceof CodeRequestLimitError && error.code === 136024,
    );
  });
});
