// Hostile and careless input over a real socket (issue #10): every Graph path answers a Graph envelope,
// nothing hangs, nothing leaks. graph-api.md §3 (order of checks), §8 (headers).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';
import { rawRequest } from './helpers/raw-http.ts';

const N = ID.connected;
let server: RunningServer;

before(async () => {
  const store = await freshTestStore();
  await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
  server = await startServer({ store, host: '127.0.0.1', port: 0 });
});

after(async () => {
  await server.close();
});

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

function nested(levels: number): string {
  return `{"a":${'['.repeat(levels)}1${']'.repeat(levels)}}`;
}

interface Envelope {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}

describe('hostile input over a real socket', { timeout: 180_000 }, () => {
  test('answers 300 deeply nested JSON bodies with the (#100) body error, and leaks no descriptor', async () => {
    const body = nested(5000);
    assert.ok(body.length > 10_000);
    const baseline = openDescriptors();
    const { port } = new URL(server.url);
    const post = (): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: `/v21.0/${N}`,
            agent: false,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    for (let round = 0; round < 30; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, post));
      for (const answer of answers) {
        assert.equal(answer.status, 400);
        const envelope = JSON.parse(answer.body) as Envelope;
        assert.equal(envelope.error.code, 100);
        assert.equal(envelope.error.message, '(#100) Request body nests deeper than 64 levels');
      }
    }
    // Closed connections may linger a moment; nothing like one descriptor per request.
    assert.ok(openDescriptors() - baseline < 100, `descriptors ${baseline} -> ${openDescriptors()}`);
  });

  test('accepts a JSON body nested 64 levels deep', async () => {
    const answer = await fetch(`${server.url}/v21.0/${N}?access_token=T-ALL`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"x":${'['.repeat(63)}${']'.repeat(63)}}`,
    });
    const envelope = (await answer.json()) as Envelope;
    assert.notEqual(envelope.error?.message, '(#100) Request body nests deeper than 64 levels');
  });

  test('answers a method the router lacks (SEARCH, COPY, PROPFIND) with 100/33 for that method', async () => {
    for (const method of ['SEARCH', 'COPY', 'PROPFIND']) {
      const exchange = await rawRequest(
        server.url,
        `${method} /v21.0/${N}?access_token=T-ALL HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(exchange.status, 400, method);
      const envelope = JSON.parse(exchange.body) as Envelope;
      assert.equal(envelope.error.code, 100);
      assert.equal(envelope.error.error_subcode, 33);
      assert.match(envelope.error.message, new RegExp(`^Unsupported ${method.toLowerCase()} request`));
    }
  });

  test('answers requests the HTTP parser refuses with a Graph error and closes', async () => {
    const cases = [
      `GET /v21.0/${N} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
      Buffer.concat([
        Buffer.from('GET /v21.0/'),
        Buffer.from([0xc3, 0xa9]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
      ]),
      `GET /v21.0/${N} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
    ];
    for (const request of cases) {
      const exchange = await rawRequest(server.url, request);
      assert.equal(exchange.status, 400, exchange.text.slice(0, 200));
      assert.ok(exchange.text.startsWith('HTTP/1.1 400 '));
      assert.equal(exchange.headers.get('connection'), 'close');
      assert.equal(exchange.headers.get('content-type'), 'application/json; charset=UTF-8');
      assert.equal(exchange.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(exchange.headers.has('x-fb-trace-id'));
      const envelope = JSON.parse(exchange.body) as Envelope;
      assert.equal(envelope.error.code, 100);
      assert.equal(envelope.error.type, 'OAuthException');
      assert.match(
        envelope.error.message,
        /^\(#100\) (Malformed HTTP request|Request headers exceed 65536 bytes)$/,
      );
    }
  });

  test('answers a backslash in the path (which the parser lets through) with a Graph envelope', async () => {
    const exchange = await rawRequest(
      server.url,
      `GET /v21.0/a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(exchange.status, 400);
    assert.equal((JSON.parse(exchange.body) as Envelope).error.code, 104);
  });

  test('answers a 6 MB request line with the Graph error while the client is still sending (no reset)', async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'PUT', path: `/v21.0/${N}?fields=${'a'.repeat(6_000_000)}` },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer.status, 400);
    assert.equal(
      (JSON.parse(answer.body) as Envelope).error.message,
      '(#100) Request headers exceed 65536 bytes',
    );
  });

  test('answers a refused HEAD without a body', async () => {
    const exchange = await rawRequest(
      server.url,
      `HEAD /v21.0/${N} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
    );
    assert.equal(exchange.status, 400);
    assert.ok(Number(exchange.headers.get('content-length')) > 0);
    assert.equal(exchange.body, '');
  });

  test('quotes at most 512 characters of the message in WWW-Authenticate; the body keeps it all', async () => {
    const long = 'x'.repeat(60_000);
    const answer = await fetch(`${server.url}/v21.0/${N}/${long}?access_token=T-ALL`);
    const envelope = (await answer.json()) as Envelope;
    assert.ok(envelope.error.message.includes(long));
    const header = answer.headers.get('www-authenticate') ?? '';
    const quoted = /^OAuth "Facebook Platform" "invalid_request" "(.*)"$/.exec(header)?.[1] ?? '';
    assert.equal(quoted.length, 512);
    assert.equal(quoted, envelope.error.message.slice(0, 512));
  });

  test('ignores a JSONP callback name over 256 characters (plain JSON)', async () => {
    const ok = await fetch(
      `${server.url}/v21.0/${N}?fields=id&access_token=T-ALL&callback=${'c'.repeat(256)}`,
    );
    assert.match(await ok.text(), /^\/\*\*\/ c{256}\(/);
    const long = await fetch(
      `${server.url}/v21.0/${N}?fields=id&access_token=T-ALL&callback=${'c'.repeat(257)}`,
    );
    assert.equal(long.headers.get('content-type'), 'application/json; charset=UTF-8');
    assert.equal(await long.text(), `{"id":"${N}"}`);
  });

  test('sends X-Content-Type-Options: nosniff on Graph, admin and QR answers', async () => {
    for (const path of [`/v21.0/${N}?access_token=T-ALL`, '/v21.0/me', '/__admin/health', '/__qr/nope']) {
      const answer = await fetch(`${server.url}${path}`);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', path);
    }
  });

  test('does not cache unknown ids longer than a real id (4,000 ids of 60,000 digits)', async () => {
    const store = server.app.store;
    const before = store.cachedBytes;
    const { port } = new URL(server.url);
    // A fresh connection per request (no keep-alive race with the server's idle timeout under load).
    const get = (path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < 4000; i += 20) {
      const statuses = await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          get(`/v21.0/${String(i + j).padStart(60_000, '9')}?access_token=T-ALL`),
        ),
      );
      assert.deepEqual(new Set(statuses), new Set([400]));
    }
    assert.ok(store.cachedBytes - before < 1_000_000, `cache grew by ${store.cachedBytes - before} bytes`);
  });
});

test('logs a client that leaves mid-body at debug, not as an error', { timeout: 60_000 }, async () => {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of String(chunk).split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as { level: number; msg: string });
      callback();
    },
  });
  const store = await freshTestStore();
  await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
  const own = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'debug' }, sink),
  });
  try {
    const { port } = new URL(own.url);
    const arrived = new Promise((resolve) => own.app.fastify.server.once('request', resolve));
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    socket.on('error', () => {});
    socket.write(
      `POST /v21.0/${N} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`,
    );
    // Once the server is reading the body (it answers nothing yet), the client goes away.
    await arrived;
    socket.destroy();
    for (
      let attempt = 0;
      attempt < 200 && !lines.some((line) => line.msg === 'client disconnected');
      attempt++
    )
      await new Promise((resolve) => setTimeout(resolve, 25));
    assert.deepEqual(
      lines.filter((line) => line.msg === 'client disconnected').map((line) => line.level),
      [20],
    );
    assert.deepEqual(
      lines.filter((line) => line.level >= 50),
      [],
    );
  } finally {
    await own.close();
  }
});
