import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { DASHBOARD_CSP, TOKEN_PAGE_CSP } from '../src/server/dashboard/dashboard-routes.ts';
import { buildApp } from '../src/server/build-app.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { buildDashboard } from './helpers/dashboard-build.ts';

before(() => buildDashboard());

function app(adminToken?: string) {
  return buildApp({
    store: new SqliteStore({ path: ':memory:' }),
    ...(adminToken === undefined ? {} : { adminToken }),
  });
}

test('serves the dashboard page and its assets with a strict CSP and no inline script', async () => {
  const server = app();
  try {
    const page = await server.fastify.inject({ url: '/__dashboard/', remoteAddress: '127.0.0.1' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['content-security-policy'], DASHBOARD_CSP);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(page.body, /<script type="module" src="app.js"><\/script>/);
    assert.doesNotMatch(page.body, /<script>|<script type="module">|\son[a-z]+="/);
    const script = await server.fastify.inject({ url: '/__dashboard/app.js', remoteAddress: '127.0.0.1' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    const redirect = await server.fastify.inject({ url: '/__dashboard', remoteAddress: '127.0.0.1' });
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers.location, '/__dashboard/');
    const missing = await server.fastify.inject({
      url: '/__dashboard/package.json',
      remoteAddress: '127.0.0.1',
    });
    assert.equal(missing.statusCode, 404);
  } finally {
    await server.fastify.close();
  }
});

test('is refused like the admin plane: not from another host, only the token page without the admin token', async () => {
  const open = app();
  const guarded = app('s3cret');
  try {
    const remote = await open.fastify.inject({ url: '/__dashboard/', remoteAddress: '10.0.0.7' });
    assert.equal(remote.statusCode, 404);
    assert.equal(remote.body, '{"error":{"message":"Not found","code":"not_found"}}');
    // Without a credential the token page (test/dashboard-access.test.ts), never the dashboard itself.
    const noToken = await guarded.fastify.inject({ url: '/__dashboard/', remoteAddress: '127.0.0.1' });
    assert.equal(noToken.headers['content-security-policy'], TOKEN_PAGE_CSP);
    assert.doesNotMatch(noToken.body, /app\.js/);
    const withToken = await guarded.fastify.inject({
      url: '/__dashboard/',
      remoteAddress: '10.0.0.7',
      headers: { authorization: 'Bearer s3cret' },
    });
    assert.equal(withToken.statusCode, 200);
  } finally {
    await open.fastify.close();
    await guarded.fastify.close();
  }
});
