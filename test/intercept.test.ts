import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { childEnv, runNode, ServeProcess } from './helpers/serve-process.ts';

const TIMEOUT = 180_000;
const TOKEN = 'EAAG-demo-acme-connect-token';

/** Sends `CONNECT target` to the proxy and resolves with the status line. */
function connectStatus(proxyPort: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1', () =>
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`),
    );
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.split('\r\n')[0] ?? '');
      }
    });
    socket.on('error', reject);
  });
}

describe('phonegraph serve --intercept', { timeout: TIMEOUT }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'phonegraph-intercept-'));
  let serve: ServeProcess;
  let url: string;
  let env: { HTTPS_PROXY: string; NODE_EXTRA_CA_CERTS: string };

  before(async () => {
    serve = new ServeProcess(['--port', '0', '--intercept', '0', '--db', join(dir, 'pg.db')], dir);
    const [first, second] = await serve.lines(2);
    const listening = /^phonegraph listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first ?? '');
    assert.ok(listening, first);
    url = listening[1] as string;
    const printed = /^HTTPS_PROXY=(http:\/\/127\.0\.0\.1:\d+) NODE_EXTRA_CA_CERTS=(.+)$/.exec(second ?? '');
    assert.ok(printed, second);
    env = { HTTPS_PROXY: printed[1] as string, NODE_EXTRA_CA_CERTS: printed[2] as string };
  });
  after(async () => {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('keeps its CA beside the database, the key readable by its owner only', () => {
    assert.equal(env.NODE_EXTRA_CA_CERTS, join(dir, 'phonegraph-ca', 'ca.pem'));
    assert.match(readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(statSync(join(dir, 'phonegraph-ca', 'ca-key.pem')).mode & 0o077, 0);
  });

  test('facebook-nodejs-business-sdk, unmodified, reads a number, pages a WABA and gets FacebookRequestError', async () => {
    const all = (await (
      await fetch(`${url}/v24.0/3000000000000001/phone_numbers?fields=id&limit=100&access_token=${TOKEN}`)
    ).json()) as { data: { id: string }[] };
    const result = await runNode(
      ['examples/facebook-business-sdk.mjs'],
      childEnv({ ...env, PHONEGRAPH_TOKEN: TOKEN }),
    );
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as {
      number: Record<string, string>;
      pages: string[][];
      error: {
        name: string;
        status: number;
        response: { code: number; error_subcode: number; type: string };
      };
    };
    assert.deepEqual(out.number, {
      display_phone_number: '+1 555-010-0001',
      status: 'CONNECTED',
      id: '400000000000101',
    });
    assert.ok(out.pages.length >= 2, JSON.stringify(out.pages));
    assert.ok(out.pages.every((page) => page.length <= 2));
    assert.deepEqual(
      out.pages.flat(),
      all.data.map((item) => item.id),
    );
    assert.equal(out.error.name, 'FacebookRequestError');
    assert.equal(out.error.status, 400, JSON.stringify(out.error));
    // The SDK keeps the envelope's `error` object as `response`.
    assert.equal(out.error.response.code, 100);
    assert.equal(out.error.response.error_subcode, 33);
    assert.equal(out.error.response.type, 'GraphMethodException');
  });

  test('paging links of intercepted calls name https://graph.facebook.com', async () => {
    // A client of its own through the tunnel: Node 20's fetch does not read HTTPS_PROXY.
    const proxyPort = Number(new URL(env.HTTPS_PROXY).port);
    const result = await runNode(
      [
        '--input-type=module',
        '-e',
        `import tls from 'node:tls'; import net from 'node:net'; import https from 'node:https';
         const socket = net.connect(${proxyPort}, '127.0.0.1');
         socket.write('CONNECT graph.facebook.com:443 HTTP/1.1\\r\\nHost: graph.facebook.com:443\\r\\n\\r\\n');
         socket.once('data', () => {
           https.get({ host: 'graph.facebook.com', port: 443, headers: { host: 'graph.facebook.com' }, path: '/v24.0/3000000000000001/phone_numbers?limit=1&access_token=${TOKEN}',
             createConnection: () => tls.connect({ socket, servername: 'graph.facebook.com' }) }, (res) => {
             let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => { console.log(body); process.exit(0); });
           });
         });`,
      ],
      childEnv({ NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS }),
    );
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout) as { paging: { next: string } };
    assert.match(
      body.paging.next,
      /^https:\/\/graph\.facebook\.com\/v24\.0\/3000000000000001\/phone_numbers\?/,
    );
  });

  test('refuses CONNECT to any other host with 403', async () => {
    const proxyPort = Number(new URL(env.HTTPS_PROXY).port);
    assert.equal(await connectStatus(proxyPort, 'example.com:443'), 'HTTP/1.1 403 Forbidden');
    assert.equal(await connectStatus(proxyPort, 'graph.facebook.com:80'), 'HTTP/1.1 403 Forbidden');
    const plain = await fetch(`${env.HTTPS_PROXY}/`);
    assert.equal(plain.status, 403);
  });

  test('generates the CA once: a restart on the same database keeps it', async () => {
    const before = readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8');
    const again = new ServeProcess(['--port', '0', '--intercept', '0', '--db', join(dir, 'pg.db')], dir);
    try {
      const [, second] = await again.lines(2);
      assert.ok(second?.endsWith(`NODE_EXTRA_CA_CERTS=${env.NODE_EXTRA_CA_CERTS}`), second);
      assert.equal(readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8'), before);
    } finally {
      await again.stop();
    }
  });
});
