import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { RunningServer } from '../src/server/start.ts';
import {
  AuthenticationError,
  ConnectionError,
  GraphClient,
  GraphError,
  InvalidRequestError,
  PermissionError,
  RateLimitError,
  ResponseParseError,
  ServerError,
} from '../src/client/index.ts';
import { ID } from './helpers/graph-app.ts';
import { admin, clientFor, startGraphServer } from './helpers/sdk-server.ts';
import { waitFor } from './helpers/webhook-receiver.ts';

const TRACE = /^[A-Za-z0-9_-]{23}$/;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GraphError, `expected a GraphError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

async function faultRule(server: RunningServer, rule: unknown): Promise<string> {
  return ((await admin(server, 'POST', 'faults', rule)) as { id: string }).id;
}

async function matched(server: RunningServer, id: string): Promise<number> {
  const list = (await admin(server, 'GET', 'faults')) as { data: { id: string; matched: number }[] };
  return list.data.find((rule) => rule.id === id)?.matched ?? -1;
}

describe('GraphClient against a real phonegraph over a socket', () => {
  let server: RunningServer;
  let client: GraphClient;
  beforeEach(async () => {
    server = await startGraphServer();
    client = clientFor(server);
  });
  afterEach(() => server.close());

  test('getMany reads several ids keyed by id; date_format U gives numbers', async () => {
    const many = await client.getMany([ID.connected, ID.flagged], { fields: ['status'] });
    assert.deepEqual(many, {
      [ID.connected]: { status: 'CONNECTED', id: ID.connected },
      [ID.flagged]: { status: 'FLAGGED', id: ID.flagged },
    });
    const times = await client.getMany([ID.connected], {
      fields: ['last_onboarded_time'],
      date_format: 'U',
    });
    assert.equal(typeof times[ID.connected].last_onboarded_time, 'number');
    const failed = await rejection(client.getMany([ID.connected, 'abc'], { fields: ['status'] }));
    assert.ok(failed instanceof InvalidRequestError);
    assert.deepEqual([failed.code, failed.httpStatus, failed.details], [803, 404, undefined]);
  });

  test('get returns the parsed body, the usage header and the trace id', async () => {
    const response = await client.get<{ id: string; status: string }>(ID.connected, { fields: 'status' });
    assert.deepEqual(response.data, { status: 'CONNECTED', id: ID.connected });
    assert.equal(response.status, 200);
    assert.match(response.traceId ?? '', TRACE);
    assert.match(response.requestId ?? '', /^[A-Za-z0-9_-]{22}$/);
    const entries = response.usage?.[ID.waba];
    assert.equal(entries?.length, 1);
    assert.equal(entries?.[0]?.type, 'whatsapp_business_management');
    assert.equal(entries?.[0]?.estimated_time_to_regain_access, 0);
  });

  test('phoneNumbers.retrieve: the default fields, or exactly the selected ones', async () => {
    const byDefault = await client.phoneNumbers.retrieve(ID.connected);
    assert.deepEqual(Object.keys(byDefault).sort(), [
      'code_verification_status',
      'display_phone_number',
      'id',
      'platform_type',
      'quality_rating',
      'throughput',
      'verified_name',
    ]);
    assert.equal(byDefault.verified_name, 'Support Line');
    const selected = await client.phoneNumbers.retrieve(ID.flagged, {
      fields: ['status', 'quality_score', 'verified_name'] as const,
    });
    assert.equal(selected.status, 'FLAGGED');
    assert.equal(selected.quality_score.score, 'YELLOW');
    assert.equal(selected.verified_name, 'Caf\u00e9 / Bar \u{1F600}');
    assert.equal(selected.id, ID.flagged);
  });

  test('appSecret adds appsecret_proof, which an app that requires it accepts', async () => {
    const withProof = clientFor(server, { accessToken: 'T-PROOF', appSecret: 'proof-app-secret' });
    assert.equal(
      (await withProof.phoneNumbers.retrieve(ID.other, { fields: ['status'] })).status,
      'CONNECTED',
    );
    const missing = await rejection(
      clientFor(server, { accessToken: 'T-PROOF' }).phoneNumbers.retrieve(ID.other),
    );
    assert.ok(missing instanceof InvalidRequestError);
    assert.equal(missing.message, 'API calls from the server require an appsecret_proof argument');
    const wrong = await rejection(
      clientFor(server, { accessToken: 'T-PROOF', appSecret: 'not-the-secret' }).phoneNumbers.retrieve(
        ID.other,
      ),
    );
    assert.equal(wrong.message, 'Invalid appsecret_proof provided in the API argument');
  });

  test('wabas.retrieve and wabas.phoneNumbers.list across pages, filtered and sorted', async () => {
    const waba = await client.wabas.retrieve(ID.waba);
    assert.deepEqual(Object.keys(waba), ['id', 'name', 'timezone_id', 'message_template_namespace']);
    assert.deepEqual([waba.id, waba.name, waba.timezone_id], [ID.waba, 'Support', '1']);
    const all = await collect(
      client.wabas.phoneNumbers.list(ID.waba, { limit: 1, fields: ['status'] as const }),
    );
    assert.deepEqual(all.map((n) => n.id).sort(), [ID.connected, ID.flagged, ID.pending]);
    const flagged = await collect(
      client.wabas.phoneNumbers.list(ID.waba, {
        filtering: [{ field: 'status', operator: 'EQUAL', value: 'FLAGGED' }],
        sort: 'creation_time_ascending',
      }),
    );
    assert.deepEqual(
      flagged.map((n) => [n.id, n.verified_name]),
      [[ID.flagged, 'Caf\u00e9 / Bar \u{1F600}']],
    );
  });

  test('wabas.phoneNumbers.create adds a PENDING number', async () => {
    const created = await client.wabas.phoneNumbers.create(ID.waba, {
      cc: '1',
      phone_number: '5550209999',
      verified_name: 'New Line',
    });
    assert.match(created.id, /^\d+$/);
    const read = await client.phoneNumbers.retrieve(created.id, {
      fields: ['status', 'display_phone_number'] as const,
    });
    assert.deepEqual(read, { status: 'PENDING', display_phone_number: '+1 555-020-9999', id: created.id });
  });

  test('onboards a number: create, requestCode, verifyCode with the OTP, register, deregister', async () => {
    const { id } = await client.wabas.phoneNumbers.create(ID.waba, {
      cc: '1',
      phone_number: '5550208888',
      verified_name: 'Onboarded Line',
    });
    assert.deepEqual(await client.phoneNumbers.requestCode(id, { code_method: 'SMS', language: 'en_US' }), {
      success: true,
    });
    const otp = (await admin(server, 'GET', `phone-numbers/${id}/otp`)) as { code: string };
    const wrong = await rejection(
      client.phoneNumbers.verifyCode(id, { code: otp.code === '000000' ? '111111' : '000000' }),
    );
    assert.ok(wrong instanceof InvalidRequestError);
    assert.equal(wrong.code, 136025);
    assert.equal(wrong.message, '(#136025) Verify code error');
    assert.equal(wrong.details, 'The code you entered is incorrect.');
    assert.deepEqual(wrong.errorData, {
      messaging_product: 'whatsapp',
      details: 'The code you entered is incorrect.',
    });
    assert.deepEqual(await client.phoneNumbers.verifyCode(id, { code: otp.code }), { success: true });
    assert.deepEqual(await client.phoneNumbers.register(id, { pin: '123456' }), { success: true });
    const registered = await client.phoneNumbers.retrieve(id, {
      fields: ['status', 'platform_type'] as const,
    });
    assert.deepEqual(registered, { status: 'CONNECTED', platform_type: 'CLOUD_API', id });
    assert.deepEqual(await client.phoneNumbers.deregister(id), { success: true });
    const after = await client.phoneNumbers.retrieve(id, { fields: ['status'] as const });
    assert.equal(after.status, 'DISCONNECTED');
  });

  test('qrCodes: create, list, retrieve, update, delete', async () => {
    const created = await client.qrCodes.create(ID.connected, {
      prefilled_message: 'Hello',
      generate_qr_image: 'PNG',
    });
    assert.match(created.code, /^[A-Z2-7]{13}1$/);
    assert.equal(created.deep_link_url, `https://wa.me/message/${created.code}`);
    assert.match(created.qr_image_url ?? '', /\.png$/);
    const second = await client.qrCodes.create(ID.connected, { prefilled_message: 'Second' });
    const listed = await collect(client.qrCodes.list(ID.connected, { limit: 1 }));
    assert.deepEqual(
      listed.slice(0, 2).map((qr) => qr.code),
      [second.code, created.code],
    );
    const one = await client.qrCodes.retrieve(ID.connected, created.code);
    assert.deepEqual(one, {
      code: created.code,
      prefilled_message: 'Hello',
      deep_link_url: created.deep_link_url,
    });
    const withImage = await client.qrCodes.retrieve(ID.connected, created.code, { imageFormat: 'SVG' });
    assert.match(withImage.qr_image_url ?? '', /\.svg$/);
    const updated = await client.qrCodes.update(ID.connected, created.code, { prefilled_message: 'Changed' });
    assert.deepEqual(updated, {
      code: created.code,
      prefilled_message: 'Changed',
      deep_link_url: created.deep_link_url,
    });
    assert.deepEqual(await client.qrCodes.delete(ID.connected, created.code), { success: true });
    const gone = await rejection(client.qrCodes.retrieve(ID.connected, created.code));
    assert.ok(gone instanceof InvalidRequestError);
    assert.equal(gone.code, 100);
    assert.equal(gone.subcode, 33);
  });

  test('batch answers every item, with the error class a standalone call would throw', async () => {
    const response = await client.batch([
      { method: 'GET', relative_url: `${ID.connected}?fields=status` },
      { method: 'GET', relative_url: '999999999999?fields=status' },
      {
        method: 'POST',
        relative_url: `${ID.connected}/message_qrdls`,
        body: { prefilled_message: 'From a batch' },
      },
    ]);
    const [read, missing, created] = response.data;
    assert.equal(read?.code, 200);
    assert.deepEqual(read?.body, { status: 'CONNECTED', id: ID.connected });
    assert.equal(read?.error, undefined);
    assert.ok(missing?.error instanceof InvalidRequestError);
    assert.equal(missing?.error.subcode, 33);
    assert.equal((created?.body as { prefilled_message: string }).prefilled_message, 'From a batch');
  });

  test('AuthenticationError for an expired and an unknown token', async () => {
    const expired = await rejection(clientFor(server, { accessToken: 'T-EXPIRED' }).get(ID.connected));
    assert.ok(expired instanceof AuthenticationError);
    assert.deepEqual(
      [expired.code, expired.subcode, expired.type, expired.httpStatus],
      [190, 463, 'OAuthException', 400],
    );
    assert.match(expired.fbtraceId ?? '', TRACE);
    assert.equal(JSON.parse(expired.rawBody ?? '{}').error.code, 190);
    const unknown = await rejection(clientFor(server, { accessToken: 'T-NOPE' }).get(ID.connected));
    assert.ok(unknown instanceof AuthenticationError);
    assert.equal(unknown.httpStatus, 401);
  });

  test('InvalidRequestError for 100, 803 and 2500', async () => {
    const nonexisting = await rejection(client.get(ID.connected, { fields: 'nope' }));
    assert.ok(nonexisting instanceof InvalidRequestError);
    assert.equal(nonexisting.code, 100);
    const alias = await rejection(client.get('not-a-number'));
    assert.ok(alias instanceof InvalidRequestError);
    assert.deepEqual([alias.code, alias.httpStatus], [803, 404]);
    const path = await rejection(client.get(`${ID.connected}/no_such_edge`));
    assert.ok(path instanceof InvalidRequestError);
    assert.equal(path.code, 2500);
  });

  test('PermissionError from a fault rule (code 200), never retried', async () => {
    const id = await faultRule(server, {
      match: { phone_number: ID.connected },
      action: { graph_error: { code: 200, message: '(#200) Permissions error' } },
    });
    const error = await rejection(client.get(ID.connected));
    assert.ok(error instanceof PermissionError);
    assert.deepEqual([error.code, error.message, error.httpStatus], [200, '(#200) Permissions error', 400]);
    assert.equal(await matched(server, id), 1);
  });

  test('ServerError (code 1) is retried on GET up to maxRetries, never on POST', async () => {
    const id = await faultRule(server, {
      match: { phone_number: ID.connected },
      action: { graph_error: { code: 1 } },
    });
    const read = await rejection(clientFor(server, { maxRetries: 2 }).get(ID.connected));
    assert.ok(read instanceof ServerError);
    assert.deepEqual([read.code, read.httpStatus], [1, 500]);
    assert.equal(await matched(server, id), 3);
    const write = await rejection(client.qrCodes.create(ID.connected, { prefilled_message: 'x' }));
    assert.ok(write instanceof ServerError);
    assert.equal(await matched(server, id), 4);
  });

  test('a transient failure (code 2, times: 2) is retried and then succeeds', async () => {
    const id = await faultRule(server, {
      match: { method: 'GET', phone_number: ID.connected },
      action: { graph_error: { code: 2 } },
      times: 2,
    });
    const read = await clientFor(server, { maxRetries: 2 }).phoneNumbers.retrieve(ID.connected, {
      fields: ['status'] as const,
    });
    assert.equal(read.status, 'CONNECTED');
    assert.equal(await matched(server, id), 2);
  });

  test('with too few retries the transient error reaches the caller', async () => {
    await faultRule(server, {
      match: { method: 'GET', phone_number: ID.connected },
      action: { graph_error: { code: 2 } },
      times: 2,
    });
    const error = await rejection(clientFor(server, { maxRetries: 1 }).get(ID.connected));
    assert.ok(error instanceof ServerError);
    assert.equal(error.isTransient, true);
  });

  test('a POST refused by a rate limit (code 4) is repeated; one that may have applied (code 2) is not', async () => {
    const refused = await faultRule(server, {
      match: { method: 'POST', phone_number: ID.connected },
      action: { graph_error: { code: 4 } },
      times: 1,
    });
    const created = await client.qrCodes.create(ID.connected, { prefilled_message: 'After a refusal' });
    assert.equal(created.prefilled_message, 'After a refusal');
    assert.equal(await matched(server, refused), 1);
    const unsure = await faultRule(server, {
      match: { method: 'POST', phone_number: ID.connected },
      action: { graph_error: { code: 2 } },
      times: 1,
    });
    const error = await rejection(
      client.qrCodes.create(ID.connected, { prefilled_message: 'Maybe applied' }),
    );
    assert.ok(error instanceof ServerError);
    assert.equal(await matched(server, unsure), 1);
  });

  test('RateLimitError 80008 from an exhausted window carries retryAfterMs and is not waited for past the cap', async () => {
    await admin(server, 'POST', 'rate-limits', { exhaust: { app: ID.app, waba: ID.waba } });
    const error = await rejection(client.get(ID.connected));
    assert.ok(error instanceof RateLimitError);
    assert.deepEqual([error.code, error.isTransient, error.httpStatus], [80008, true, 400]);
    assert.ok(error.retryAfterMs >= 60_000, `retryAfterMs ${error.retryAfterMs}`);
    assert.equal(error.retryAfterMs % 60_000, 0);
    assert.ok((error.usage?.[ID.waba]?.[0]?.call_count ?? 0) >= 100);
  });

  test('a dropped connection is a ConnectionError: retried on GET, not on POST', async () => {
    const id = await faultRule(server, { action: { drop_connection: true }, times: 1 });
    const read = await client.phoneNumbers.retrieve(ID.connected, { fields: ['status'] as const });
    assert.equal(read.status, 'CONNECTED');
    assert.equal(await matched(server, id), 1);
    await faultRule(server, { action: { drop_connection: true }, times: 1 });
    const error = await rejection(client.qrCodes.create(ID.connected, { prefilled_message: 'x' }));
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.notSent, false);
    assert.equal(error.code, undefined);
  });

  test('a refused connection is a ConnectionError that was certainly not sent', async () => {
    const url = server.url;
    await server.close();
    const error = await rejection(
      new GraphClient({ accessToken: 'T-ALL', baseUrl: url, maxRetries: 0 }).qrCodes.create(ID.connected, {
        prefilled_message: 'x',
      }),
    );
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.notSent, true);
    server = await startGraphServer();
  });

  test('a GET refused by the BUC limit (80008, no wait announced) is retried', async () => {
    const id = await faultRule(server, {
      match: { method: 'GET', phone_number: ID.connected },
      action: { graph_error: { code: 80008 } },
      times: 1,
    });
    const read = await client.phoneNumbers.retrieve(ID.connected, { fields: ['status'] as const });
    assert.equal(read.status, 'CONNECTED');
    assert.equal(await matched(server, id), 1);
  });

  test('a timed-out POST is a ConnectionError and is not repeated (the write may have happened)', async () => {
    const id = await faultRule(server, {
      match: { method: 'POST', phone_number: ID.connected },
      action: { delay_ms: 5_000 },
      times: 1,
    });
    // The client's 20 ms timeout takes effect once the server holds the POST (on a loaded machine it
    // could otherwise fire before the request is even sent): a write the server got but did not answer.
    const held: typeof fetch = (input, init) => {
      const controller = new AbortController();
      init?.signal?.addEventListener('abort', () => {
        void waitFor(async () => (await matched(server, id)) === 1, 'the server holding the POST').then(() =>
          controller.abort(init.signal?.reason),
        );
      });
      return globalThis.fetch(input, { ...init, signal: controller.signal });
    };
    const slow = clientFor(server, { timeoutMs: 20, maxRetries: 2, fetch: held });
    const error = await rejection(slow.qrCodes.create(ID.connected, { prefilled_message: 'Slow' }));
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.timedOut, true);
    assert.equal(await matched(server, id), 1);
  });

  test('a body that is not JSON (a JSONP answer) is a ResponseParseError', async () => {
    const error = await rejection(client.get(ID.connected, { callback: 'cb' }));
    assert.ok(error instanceof ResponseParseError);
    assert.equal(error.httpStatus, 200);
    assert.match(error.rawBody ?? '', /^\/\*\*\/ cb\(/);
  });
});
