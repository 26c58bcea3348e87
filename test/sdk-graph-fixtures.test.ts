/**
 * The SDK against Graph's own response shapes (envelopes, headers, wire encoding), replayed from
 * test/fixtures/graph/ through an injected fetch. The fixtures are reconstructed from the spec (see that
 * folder's README); the replaying fetch checks every request the SDK makes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  AuthenticationError,
  GraphClient,
  GraphError,
  InvalidRequestError,
  PermissionError,
  RateLimitError,
  ServerError,
  hmacSha256Hex,
  parseWebhookPayload,
  verificationChallenge,
  verifySignature,
} from '../src/client/index.ts';

interface Exchange {
  request: { method: string; path: string; params?: Record<string, string> };
  response: { status: number; headers: Record<string, string>; body: string };
}

const PHONE = '106540352242922';
const WABA = '102290129340398';

/** A fetch that answers with the recorded exchanges in order and checks what the SDK sent. */
function replay(name: string, seen: { url: URL; init: RequestInit }[] = []) {
  const { exchanges } = JSON.parse(
    readFileSync(new URL(`fixtures/graph/${name}`, import.meta.url), 'utf8'),
  ) as { exchanges: Exchange[] };
  let next = 0;
  const fetch = async (input: string, init: RequestInit): Promise<Response> => {
    const exchange = exchanges[next++];
    assert.ok(exchange, `no recorded exchange left for ${init.method} ${input}`);
    const url = new URL(input);
    seen.push({ url, init });
    assert.equal(url.origin, 'https://graph.facebook.com');
    assert.equal(init.method, exchange.request.method);
    assert.equal(url.pathname, exchange.request.path);
    const sent = new URLSearchParams(init.method === 'POST' ? String(init.body) : url.search);
    for (const [key, value] of Object.entries(exchange.request.params ?? {}))
      assert.equal(sent.get(key), value, `parameter ${key}`);
    assert.equal((init.headers as Record<string, string>).authorization, 'Bearer EAAG-token');
    return new Response(exchange.response.body, {
      status: exchange.response.status,
      headers: exchange.response.headers,
    });
  };
  return { fetch, done: () => assert.equal(next, exchanges.length, 'every recorded exchange was used') };
}

function client(fetch: ReturnType<typeof replay>['fetch'], extra: { appSecret?: string } = {}): GraphClient {
  return new GraphClient({ accessToken: 'EAAG-token', fetch, maxRetries: 0, ...extra });
}

test('reads a number from graph.facebook.com with appsecret_proof, decoding the wire encoding', async () => {
  const seen: { url: URL; init: RequestInit }[] = [];
  const recorded = replay('phone-number-read.json', seen);
  const number = await client(recorded.fetch, { appSecret: 'app-secret' }).phoneNumbers.retrieve(PHONE, {
    fields: ['status', 'quality_score', 'verified_name'] as const,
  });
  assert.deepEqual(number, {
    status: 'CONNECTED',
    quality_score: { score: 'GREEN', date: 1732400000, reasons: [] },
    verified_name: 'Caf\u00e9 / Bar',
    id: PHONE,
  });
  assert.equal(
    seen[0]?.url.searchParams.get('appsecret_proof'),
    await hmacSha256Hex('app-secret', 'EAAG-token'),
  );
  recorded.done();
});

test('walks the pages of a WABA phone_numbers edge by its after cursor', async () => {
  const recorded = replay('waba-phone-numbers.json');
  const ids: string[] = [];
  for await (const number of client(recorded.fetch).wabas.phoneNumbers.list(WABA, {
    fields: ['status', 'display_phone_number'] as const,
    limit: 1,
  }))
    ids.push(`${number.id} ${number.status}`);
  assert.deepEqual(ids, [`${PHONE} CONNECTED`, '106540352242923 PENDING']);
  recorded.done();
});

test('every recorded Graph error becomes its class with code, subcode, type, status, trace id and body', async () => {
  const recorded = replay('errors.json');
  const graph = client(recorded.fetch);
  const errors: GraphError[] = [];
  for (let i = 0; i < 5; i++)
    await graph.get(PHONE).then(
      () => assert.fail('expected an error'),
      (error: GraphError) => errors.push(error),
    );
  const [expired, limited, permission, transient, missing] = errors;
  assert.ok(expired instanceof AuthenticationError);
  assert.deepEqual(
    [expired.code, expired.subcode, expired.type, expired.httpStatus],
    [190, 463, 'OAuthException', 400],
  );
  assert.match(expired.fbtraceId ?? '', /^[A-Za-z0-9_-]{23}$/);
  assert.ok(limited instanceof RateLimitError);
  assert.deepEqual([limited.code, limited.isTransient, limited.retryAfterMs], [80008, true, 37 * 60_000]);
  assert.ok(permission instanceof PermissionError);
  assert.ok(transient instanceof ServerError);
  assert.equal(transient.httpStatus, 500);
  assert.ok(missing instanceof InvalidRequestError);
  assert.deepEqual([missing.code, missing.subcode, missing.type], [100, 33, 'GraphMethodException']);
  assert.equal(JSON.parse(missing.rawBody ?? '').error.error_subcode, 33);
  recorded.done();
});

test('lifecycle edges send what phone-number.md §5.2 documents', async () => {
  const recorded = replay('lifecycle.json');
  const numbers = client(recorded.fetch).phoneNumbers;
  assert.deepEqual(await numbers.requestCode(PHONE, { code_method: 'SMS', language: 'en_US' }), {
    success: true,
  });
  const wrong = await numbers.verifyCode(PHONE, { code: '000000' }).then(
    () => assert.fail('expected 136025'),
    (error: GraphError) => error,
  );
  assert.ok(wrong instanceof InvalidRequestError);
  assert.deepEqual(
    [wrong.code, wrong.message, wrong.details, wrong.errorData, wrong.userTitle],
    [
      136025,
      '(#136025) Verify code error',
      'The code you entered is incorrect.',
      { messaging_product: 'whatsapp', details: 'The code you entered is incorrect.' },
      undefined,
    ],
  );
  assert.deepEqual(await numbers.verifyCode(PHONE, { code: '123456' }), { success: true });
  assert.deepEqual(await numbers.register(PHONE, { pin: '246810' }), { success: true });
  assert.deepEqual(await numbers.deregister(PHONE), { success: true });
  recorded.done();
});

test('QR codes: create with an image, retrieve, delete', async () => {
  const recorded = replay('qr-codes.json');
  const qr = client(recorded.fetch).qrCodes;
  const created = await qr.create(PHONE, { prefilled_message: 'Cake?', generate_qr_image: 'PNG' });
  assert.equal(created.deep_link_url, 'https://wa.me/message/4O4YGZEG3RIVE1');
  assert.equal((await qr.retrieve(PHONE, created.code)).prefilled_message, 'Cake?');
  assert.deepEqual(await qr.delete(PHONE, created.code), { success: true });
  recorded.done();
});

test('batch items are parsed, a failed one carries its error', async () => {
  const seen: { url: URL; init: RequestInit }[] = [];
  const recorded = replay('batch.json', seen);
  const response = await client(recorded.fetch).batch([
    { method: 'GET', relative_url: `${PHONE}?fields=status` },
    { method: 'GET', relative_url: `${PHONE}?fields=nope` },
  ]);
  const sent = new URLSearchParams(String(seen[0]?.init.body));
  assert.deepEqual(JSON.parse(sent.get('batch') ?? ''), [
    { method: 'GET', relative_url: `${PHONE}?fields=status` },
    { method: 'GET', relative_url: `${PHONE}?fields=nope` },
  ]);
  assert.deepEqual(response.data[0]?.body, { status: 'CONNECTED', id: PHONE });
  assert.ok(response.data[1]?.error instanceof InvalidRequestError);
  assert.equal(response.data[1]?.error.code, 100);
  recorded.done();
});

test('webhook helpers: signature (RFC 4231 case 2 and a payload), the subscription challenge, payload parsing', async () => {
  assert.equal(
    await verifySignature(
      'what do ya want for nothing?',
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      'Jefe',
    ),
    true,
  );
  const body =
    '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1732400000,"changes":[{"value":{"phone_number":"15550100001","event":"ACCOUNT_OFFBOARDED","disconnection_info":{"reason":"Deregistered via API","initiated_by":"USER"}},"field":"account_update"}]}]}';
  const header = `sha256=${await hmacSha256Hex('app-secret', body)}`;
  assert.equal(await verifySignature(new TextEncoder().encode(body), header, 'app-secret'), true);
  assert.equal(await verifySignature(`${body} `, header, 'app-secret'), false);
  assert.equal(await verifySignature(body, header, 'other-secret'), false);
  assert.equal(await verifySignature(body, undefined, 'app-secret'), false);
  assert.equal(await verifySignature(body, [header, header], 'app-secret'), false, 'a repeated header');
  assert.equal(await verifySignature(body, header.slice(0, -1), 'app-secret'), false);
  const change = parseWebhookPayload(body).entry[0]?.changes[0];
  assert.ok(change?.field === 'account_update' && change.value.event === 'ACCOUNT_OFFBOARDED');
  assert.equal(change.value.disconnection_info.initiated_by, 'USER');
  assert.equal(
    verificationChallenge(
      new URLSearchParams('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=vt-1'),
      'vt-1',
    ),
    '1158201444',
  );
  assert.equal(
    verificationChallenge(
      { 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'nope' },
      'vt-1',
    ),
    undefined,
  );
  assert.throws(() => parseWebhookPayload('{"object":"page","entry":[]}'), TypeError);
});
