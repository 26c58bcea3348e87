// The admin plane refuses what a web page could make a browser send (issue #10): cross-site forms,
// text/plain writes, DNS rebinding (a foreign Host), preflights. Over a real socket, as a browser would.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { gateVerdict } from '../src/server/admin/admin-gate.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';

const NOT_FOUND = '{"error":{"message":"Not found","code":"not_found"}}';
const MEDIA_TYPE =
  '{"error":{"message":"Admin requests with a body must send Content-Type: application/json","code":"validation_failed"}}';

let server: RunningServer;

before(async () => {
  const store = await freshTestStore();
  await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
  server = await startServer({ store, host: '127.0.0.1', port: 0, publicUrl: 'https://phonegraph.test' });
});

after(async () => {
  await server.close();
});

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** node:http lets a test set Host and Origin as a browser (or a rebinding page) would. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function statusOf(id: string): Promise<string> {
  const answer = await send('GET', `/v21.0/${id}?fields=status&access_token=T-ALL`, {});
  return (JSON.parse(answer.body) as { status: string }).status;
}

describe('the admin plane gate', { timeout: 120_000 }, () => {
  test('refuses a cross-site form POST (Origin of another site) with the same 404, changing nothing', async () => {
    const answer = await send(
      'POST',
      `/__admin/phone-numbers/${ID.connected}/status`,
      { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      'status=BANNED',
    );
    assert.equal(answer.status, 404);
    assert.equal(answer.body, NOT_FOUND);
    assert.equal(await statusOf(ID.connected), 'CONNECTED');
  });

  test('refuses a cross-origin JSON write too (only a preflight would allow it, and that is refused)', async () => {
    const answer = await send(
      'POST',
      `/__admin/phone-numbers/${ID.connected}/status`,
      { origin: 'https://evil.example', 'content-type': 'application/json' },
      '{"status":"BANNED"}',
    );
    assert.equal(answer.status, 404);
    assert.equal(answer.body, NOT_FOUND);
    const preflight = await send('OPTIONS', '/__admin/reset', {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    assert.equal(preflight.status, 404);
    assert.equal(preflight.body, NOT_FOUND);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  test('answers a text/plain POST /reset (no Origin) with 415 and keeps the state', async () => {
    const answer = await send('POST', '/__admin/reset', { 'content-type': 'text/plain' }, '{}');
    assert.equal(answer.status, 415);
    assert.equal(answer.body, MEDIA_TYPE);
    const form = await send(
      'POST',
      `/__admin/phone-numbers/${ID.connected}/status`,
      { 'content-type': 'application/x-www-form-urlencoded' },
      'status=BANNED',
    );
    assert.equal(form.status, 415);
    assert.equal(await statusOf(ID.connected), 'CONNECTED');
  });

  test('refuses GET /export under a foreign Host (DNS rebinding): no secrets leave', async () => {
    const answer = await send('GET', '/__admin/export', { host: 'evil.example:8484' });
    assert.equal(answer.status, 404);
    assert.equal(answer.body, NOT_FOUND);
  });

  test('serves loopback names, the --public-url host and the own origin; export keeps its secrets', async () => {
    for (const host of ['localhost:1', '127.0.0.1', '127.1.2.3:9', '[::1]:8484', 'phonegraph.test']) {
      const answer = await send('GET', '/__admin/health', { host });
      assert.equal(answer.status, 200, host);
    }
    const own = await send('GET', '/__admin/export', {
      host: 'localhost:8484',
      origin: 'http://localhost:8484',
    });
    assert.equal(own.status, 200);
    assert.match(own.body, /"secret"/);
    const pub = await send('GET', '/__admin/health', {
      host: 'phonegraph.test',
      origin: 'https://phonegraph.test',
    });
    assert.equal(pub.status, 200);
    const nullOrigin = await send('GET', '/__admin/health', { origin: 'null' });
    assert.equal(nullOrigin.status, 404);
  });

  test('keeps the documented curl forms working: JSON writes and a body-less POST', async () => {
    const clock = await send(
      'POST',
      '/__admin/clock',
      { 'content-type': 'application/json' },
      '{"advance":"1s"}',
    );
    assert.equal(clock.status, 200);
    const reset = await send('POST', '/__admin/reset', {});
    assert.equal(reset.status, 200);
  });

  test('answers a 17 MiB admin body with the documented 413, not a reset', async () => {
    const body = Buffer.alloc(17 * 1_048_576, 0x20);
    const answer = await send('POST', '/__admin/scenario', { 'content-type': 'application/json' }, body);
    assert.equal(answer.status, 413);
    assert.equal(
      answer.body,
      `{"error":{"message":"Request body exceeds ${16 * 1_048_576} bytes","code":"validation_failed"}}`,
    );
  });

  test('is one function the dashboard can reuse, judging plain request headers', () => {
    const options = { adminToken: undefined, publicUrl: undefined };
    assert.equal(gateVerdict({ method: 'GET', headers: { host: 'localhost:8484' } }, options), 'admit');
    assert.equal(gateVerdict({ method: 'GET', headers: { host: 'evil.example' } }, options), 'hide');
    assert.equal(
      gateVerdict({ method: 'POST', headers: { host: '127.0.0.1', 'content-type': 'text/plain' } }, options),
      'media_type',
    );
    // With an admin token the bearer is the proof: any Host (a remote deployment), still no foreign Origin.
    const token = { adminToken: 't', publicUrl: undefined };
    assert.equal(gateVerdict({ method: 'GET', headers: { host: 'pg.internal:8484' } }, token), 'admit');
    assert.equal(
      gateVerdict({ method: 'GET', headers: { host: 'pg.internal', origin: 'https://evil.example' } }, token),
      'hide',
    );
  });
});
