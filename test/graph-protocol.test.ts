import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import {
  expectedHeaders,
  fixedClock,
  fixedIds,
  graphApp,
  graphHeadersOf,
  ID,
  loadScenarioText,
  GRAPH_SCENARIO,
  type TestApp,
} from './helpers/graph-app.ts';
import { readFileSync } from 'node:fs';

const N = ID.connected;
const STATUS_BODY = `{"status":"CONNECTED","id":"${N}"}`;
const etagOf = (body: string): string => `"${createHash('sha1').update(body).digest('hex')}"`;

describe('Graph protocol in-process', () => {
  let app: TestApp;
  before(async () => {
    app = await graphApp();
  });
  after(() => app.close());

  test('answers a read with every §8 header, ETag last', async () => {
    const response = await app.get(`/v21.0/${N}?fields=status&access_token=T-ALL`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, STATUS_BODY);
    assert.deepEqual(
      graphHeadersOf(response),
      expectedHeaders({ version: 'v21.0', etag: etagOf(STATUS_BODY), bucWaba: ID.waba }),
    );
  });

  test('takes the token from Bearer and OAuth authorization headers', async () => {
    for (const scheme of ['Bearer', 'OAuth', 'bearer']) {
      const response = await app.get(`/v21.0/${N}?fields=status`, { authorization: `${scheme} T-ALL` });
      assert.equal(response.body, STATUS_BODY, scheme);
    }
  });

  test('lets a token parameter beat the authorization header', async () => {
    const response = await app.get(`/v21.0/${N}?fields=status&access_token=T-ALL`, {
      authorization: 'Bearer T-REVOKED',
    });
    assert.equal(response.body, STATUS_BODY);
    const reverse = await app.get(`/v21.0/${N}?fields=status&access_token=T-REVOKED`, {
      authorization: 'Bearer T-ALL',
    });
    assert.equal(JSON.parse(reverse.body).error.error_subcode, 460);
  });

  test('takes the token from a form or JSON body of a POST', async () => {
    const form = await app.fastify.inject({
      method: 'POST',
      url: `/v13.0/${N}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'access_token=T-ALL',
    });
    const json = await app.fastify.inject({
      method: 'POST',
      url: `/v13.0/${N}`,
      headers: { 'content-type': 'application/json' },
      payload: '{"access_token":"T-ALL"}',
    });
    for (const response of [form, json]) {
      const error = JSON.parse(response.body).error;
      assert.equal(error.code, 100);
      assert.equal(error.error_subcode, 33);
      assert.match(error.message, /^Unsupported post request\. Object with ID '410000000000001'/);
    }
  });

  test('refuses POST, DELETE, PUT and PATCH on the node as 100/33 with the method in lower case', async () => {
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH'] as const) {
      const response = await app.fastify.inject({ method, url: `/v11.0/${N}?access_token=T-ALL` });
      assert.equal(response.statusCode, 400);
      assert.match(
        JSON.parse(response.body).error.message,
        new RegExp(`^Unsupported ${method.toLowerCase()} request`),
      );
    }
  });

  test('tunnels method=delete on a GET to a delete', async () => {
    const response = await app.get(`/v21.0/${N}?method=DELETE&access_token=T-ALL`);
    assert.match(JSON.parse(response.body).error.message, /^Unsupported delete request/);
    const get = await app.get(`/v21.0/${N}?method=get&fields=status&access_token=T-ALL`);
    assert.equal(get.body, STATUS_BODY);
  });

  test('answers HEAD like GET without a body', async () => {
    const response = await app.fastify.inject({
      method: 'HEAD',
      url: `/v21.0/${N}?fields=status&access_token=T-ALL`,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, '');
    assert.equal(response.headers['content-length'], String(STATUS_BODY.length));
    assert.deepEqual(
      graphHeadersOf(response),
      expectedHeaders({ version: 'v21.0', etag: etagOf(STATUS_BODY), bucWaba: ID.waba }),
    );
  });

  test('gives a POST tunnelled to GET an ETag and 304 like a GET', async () => {
    const response = await app.fastify.inject({
      method: 'POST',
      url: `/v21.0/${N}?method=GET&fields=status&access_token=T-ALL`,
      headers: { 'if-none-match': etagOf(STATUS_BODY) },
    });
    assert.equal(response.statusCode, 304);
    assert.equal(response.headers.etag, etagOf(STATUS_BODY));
  });

  test('reads method= only after the object is resolved', async () => {
    const missing = await app.get(`/v21.0/999999999999999?method=put&access_token=T-ALL`);
    assert.equal(JSON.parse(missing.body).error.error_subcode, 33);
    assert.match(JSON.parse(missing.body).error.message, /^Unsupported get request/);
  });

  test('answers OPTIONS with 204 and only the CORS headers (and nosniff)', async () => {
    const response = await app.fastify.inject({ method: 'OPTIONS', url: `/v21.0/${N}` });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body, '');
    assert.deepEqual(graphHeadersOf(response), {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'x-content-type-options': 'nosniff',
    });
  });

  test('answers 304 with every header and no body when If-None-Match holds the current ETag', async () => {
    const etag = etagOf(STATUS_BODY);
    const response = await app.get(`/v21.0/${N}?fields=status&access_token=T-ALL`, { 'if-none-match': etag });
    assert.equal(response.statusCode, 304);
    assert.equal(response.body, '');
    assert.deepEqual(graphHeadersOf(response), expectedHeaders({ version: 'v21.0', etag, bucWaba: ID.waba }));
    const stale = await app.get(`/v21.0/${N}?fields=status&access_token=T-ALL`, { 'if-none-match': '"0"' });
    assert.equal(stale.statusCode, 200);
  });

  test('indents with 3 spaces under pretty=1', async () => {
    const response = await app.get(
      `/v21.0/${N}?fields=status,quality_score{score}&pretty=1&access_token=T-ALL`,
    );
    assert.equal(
      response.body,
      `{\n   "status": "CONNECTED",\n   "quality_score": {\n      "score": "GREEN"\n   },\n   "id": "${N}"\n}`,
    );
  });

  test('answers errors with HTTP 200 under suppress_http_code=1, keeping the envelope and headers', async () => {
    const response = await app.get(`/v21.0/${N}?suppress_http_code=1`);
    assert.equal(response.statusCode, 200);
    assert.equal(JSON.parse(response.body).error.code, 104);
    assert.match(
      String(response.headers['www-authenticate']),
      /^OAuth "Facebook Platform" "invalid_request"/,
    );
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  test('wraps the body for callback= as JSONP with a JavaScript content type', async () => {
    const response = await app.get(`/v21.0/${N}?fields=status&callback=cb.x_1&access_token=T-ALL`);
    assert.equal(response.body, `/**/ cb.x_1(${STATUS_BODY});`);
    assert.equal(response.headers['content-type'], 'text/javascript; charset=UTF-8');
    assert.equal(response.headers.etag, etagOf(`/**/ cb.x_1(${STATUS_BODY});`));
  });

  test('ignores a callback name outside [A-Za-z0-9_.$]', async () => {
    const response = await app.get(`/v21.0/${N}?fields=status&callback=alert(1)&access_token=T-ALL`);
    assert.equal(response.body, STATUS_BODY);
  });

  test('writes bodies as ASCII with \\/ and \\uXXXX escapes', async () => {
    const response = await app.get(`/v21.0/${ID.flagged}?fields=verified_name&access_token=T-ALL`);
    assert.equal(response.body, `{"verified_name":"Caf\\u00e9 \\/ Bar \\ud83d\\ude00","id":"${ID.flagged}"}`);
  });

  test('tolerates a trailing slash and duplicate slashes', async () => {
    for (const path of [`/v21.0/${N}/`, `//v21.0//${N}`]) {
      const response = await app.get(`${path}?fields=status&access_token=T-ALL`);
      assert.equal(response.body, STATUS_BODY, path);
    }
  });

  test('serves an unversioned path as the app default version', async () => {
    const response = await app.get(`/${N}?fields=status&access_token=T-ALL`);
    assert.equal(response.headers['facebook-api-version'], 'v19.0');
  });

  test('serves an expired version as the oldest native one', async () => {
    for (const version of ['v1.0', 'v2.12', 'v3.3', 'v10.0']) {
      const response = await app.get(`/${version}/${N}?fields=status&access_token=T-ALL`);
      assert.equal(response.body, STATUS_BODY, version);
      assert.equal(response.headers['facebook-api-version'], 'v11.0');
    }
  });

  test('treats a version-like segment that is no version as unknown path components or an alias', async () => {
    const rest = await app.get('/v27.0/123/x?access_token=T-ALL');
    assert.equal(rest.statusCode, 400);
    assert.equal(JSON.parse(rest.body).error.message, 'Unknown path components: /123/x');
    const lone = await app.get('/v11.5');
    assert.equal(lone.statusCode, 404);
    assert.equal(
      JSON.parse(lone.body).error.message,
      '(#803) Some of the aliases you requested do not exist: v11.5',
    );
  });

  test('answers the no-object error for a bare version', async () => {
    const response = await app.get('/v21.0/?access_token=T-ALL');
    assert.equal(
      JSON.parse(response.body).error.message.startsWith('Unsupported get request. Please read'),
      true,
    );
    assert.equal(response.headers['facebook-api-version'], 'v21.0');
  });

  test('sends a fresh random trace id per response, in the body and the header', async () => {
    const random = await graphApp({ ids: 'random' });
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const response = await random.get(`/v21.0/${N}`);
        const trace = JSON.parse(response.body).error.fbtrace_id as string;
        assert.match(trace, /^[A-Za-z0-9_-]{23}$/);
        assert.equal(response.headers['x-fb-trace-id'], trace);
        assert.match(String(response.headers['x-fb-request-id']), /^[A-Za-z0-9_-]{22}$/);
        seen.add(trace);
      }
      assert.equal(seen.size, 5);
    } finally {
      await random.close();
    }
  });
});

describe('Graph protocol over a real socket', () => {
  let server: RunningServer;
  before(async () => {
    const store = await freshTestStore();
    await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
    server = await startServer({ store, host: '127.0.0.1', port: 0, clock: fixedClock, ids: fixedIds });
  });
  after(() => server.close());

  function rawGet(path: string): Promise<{ status: number; rawHeaders: string[]; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${server.url}${path}`, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('writes the headers in §8 order and case', async () => {
    const response = await rawGet(`/v21.0/${N}?fields=status&access_token=T-ALL`);
    const names = response.rawHeaders.filter((_, i) => i % 2 === 0);
    assert.deepEqual(names, [
      'Content-Type',
      'Vary',
      'Access-Control-Allow-Origin',
      'x-app-usage',
      'x-business-use-case-usage',
      'facebook-api-version',
      'Strict-Transport-Security',
      'Pragma',
      'Cache-Control',
      'Expires',
      'x-fb-request-id',
      'x-fb-trace-id',
      'x-fb-rev',
      'X-FB-Debug',
      'ETag',
      'X-Content-Type-Options',
      'Content-Length',
      'Date',
      'Connection',
      'Keep-Alive',
    ]);
    assert.equal(response.body, STATUS_BODY);
  });

  test('puts WWW-Authenticate first on an error and keeps its value ASCII', async () => {
    const response = await rawGet(`/v21.0/${N}?fields=status%20%C3%A9&access_token=T-ALL`);
    assert.equal(response.status, 400);
    assert.equal(response.rawHeaders[0], 'WWW-Authenticate');
    assert.equal(
      response.rawHeaders[1],
      'OAuth "Facebook Platform" "invalid_request" "Syntax error "Expected end of string instead of "\\u00e9"." at character 7: status \\u00e9"',
    );
  });

  test('answers the same over the socket fast path as through the Fastify route', async () => {
    const inProcess = await graphApp();
    try {
      const cases: [string, string, Record<string, string>][] = [
        ['GET', `/v21.0/${N}?fields=status,quality_score{score}&access_token=T-ALL`, {}],
        ['GET', `/v21.0/${N}`, {}],
        ['GET', `/v21.0/${N}?fields=status}&access_token=T-ALL`, {}],
        ['GET', `/v21.0/${N}?fields=status&access_token=T-ALL&pretty=1&callback=cb`, {}],
        ['GET', `/v21.0/${N}?fields=status&access_token=T-ALL`, { 'if-none-match': etagOf(STATUS_BODY) }],
        ['GET', `/v21.0/${N}?fields=status`, { authorization: 'OAuth T-ALL' }],
        ['GET', `/v21.0/%E0%A4%A/x?access_token=T-ALL`, {}],
        ['GET', `/v21.0/${N}?pad=${'y'.repeat(16_385)}`, {}],
        ['HEAD', `/v21.0/${N}?fields=status&access_token=T-ALL`, {}],
        ['OPTIONS', `/v21.0/${N}`, {}],
        ['DELETE', `/v21.0/${N}?access_token=T-ALL`, {}],
      ];
      for (const [method, path, headers] of cases) {
        const viaSocket = await fetch(`${server.url}${path}`, { method, headers });
        const viaRoute = await inProcess.fastify.inject({ method: method as 'GET', url: path, headers });
        const socketHeaders: Record<string, string> = {};
        viaSocket.headers.forEach((value, name) => {
          if (!['date', 'connection', 'keep-alive', 'content-length'].includes(name))
            socketHeaders[name] = value;
        });
        assert.equal(viaSocket.status, viaRoute.statusCode, `${method} ${path}`);
        assert.equal(await viaSocket.text(), viaRoute.body, `${method} ${path}`);
        assert.deepEqual(socketHeaders, graphHeadersOf(viaRoute), `${method} ${path}`);
      }
    } finally {
      await inProcess.close();
    }
  });
});
