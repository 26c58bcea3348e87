import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { CallbackClient, MAX_RESPONSE_BYTES } from './http-send.ts';
import { backoffMs, DEFAULT_DISPATCHER_SETTINGS } from './outbox-dispatcher.ts';
import { hubSignature } from './signature.ts';

test('backs off about 1 s, 2 s, 4 s… with ±20 % jitter, capped at 1 h', () => {
  const s = DEFAULT_DISPATCHER_SETTINGS;
  assert.equal(
    backoffMs(s, 1, () => 0.5),
    1000,
  );
  assert.equal(
    backoffMs(s, 3, () => 0.5),
    4000,
  );
  assert.equal(
    backoffMs(s, 1, () => 0),
    800,
  );
  assert.equal(
    backoffMs(s, 1, () => 0.999999),
    1200,
  );
  assert.equal(
    backoffMs(s, 40, () => 0.5),
    3_600_000,
  );
});

test('signs with lowercase hex HMAC-SHA256 of the exact bytes (RFC 4231 case 2)', () => {
  assert.equal(
    hubSignature('Jefe', Buffer.from('what do ya want for nothing?')),
    'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  );
});

test('reads at most 64 KiB of a response and does not follow redirects', async () => {
  const big = Buffer.alloc(1_048_576, 0x61);
  const server = createServer((request, response) => {
    if (request.url === '/redirect') {
      response.writeHead(301, { location: '/big' });
      response.end();
      return;
    }
    response.writeHead(200);
    response.end(big);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new CallbackClient();
  try {
    const read = await client.send({ method: 'GET', url: `${base}/big`, timeoutMs: 5000 });
    assert.equal(read.status, 200);
    assert.equal(read.body.length, MAX_RESPONSE_BYTES);
    const redirect = await client.send({
      method: 'POST',
      url: `${base}/redirect`,
      body: Buffer.from('{}'),
      timeoutMs: 5000,
    });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.body.length, 0);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
