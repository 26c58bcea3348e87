// With --admin-token the dashboard asks for the token once and keeps a verifiable session cookie
// (issue #15); the admin plane admits that cookie as it admits the bearer token, under the CSRF rule.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SESSION_COOKIE } from '../src/server/admin/admin-session.ts';
import { buildApp, type PhonegraphApp } from '../src/server/build-app.ts';
import {
  DASHBOARD_CSP,
  LOGOUT_FORM,
  TOKEN_PAGE_CSP,
  WRONG_TOKEN_MESSAGE,
} from '../src/server/dashboard/dashboard-routes.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { buildDashboard } from './helpers/dashboard-build.ts';
import { GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';

const TOKEN = 's3cret-admin-token';
const HOST = '127.0.0.1:8484';
const OWN = `http://${HOST}`;
const NOT_FOUND = '{"error":{"message":"Not found","code":"not_found"}}';
/** `{18 random bytes}.{HMAC-SHA256}`, both base64url. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/;

let dir: string;
let dbPath: string;
let app: PhonegraphApp;

async function open(adminToken: string, publicUrl?: string): Promise<PhonegraphApp> {
  return buildApp({
    store: new SqliteStore({ path: dbPath }),
    adminToken,
    ...(publicUrl === undefined ? {} : { publicUrl }),
  });
}

before(async () => {
  buildDashboard();
  dir = await mkdtemp(path.join(tmpdir(), 'phonegraph-dashaccess-'));
  dbPath = path.join(dir, 'state.db');
  const store = new SqliteStore({ path: dbPath });
  await loadScenarioText(store, await readFile(GRAPH_SCENARIO, 'utf8'));
  await store.close();
  app = await open(TOKEN);
});

after(async () => {
  await app?.fastify.close();
  await rm(dir, { recursive: true, force: true });
});

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

async function login(
  target: PhonegraphApp,
  token: string,
  headers: Record<string, string> = { host: HOST, origin: OWN },
) {
  return target.fastify.inject({
    method: 'POST',
    url: '/__dashboard/login',
    remoteAddress: '10.0.0.7',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form({ token }),
  });
}

/** Logs in and returns the `name=value` pair a browser would send back. */
async function sessionCookie(target: PhonegraphApp = app): Promise<string> {
  const answer = await login(target, TOKEN);
  assert.equal(answer.statusCode, 303);
  const setCookie = String(answer.headers['set-cookie']);
  return setCookie.slice(0, setCookie.indexOf(';'));
}

async function statusOf(id: string): Promise<string> {
  const answer = await app.fastify.inject({
    url: `/__admin/phone-numbers/${id}`,
    headers: { authorization: `Bearer ${TOKEN}`, host: HOST },
  });
  return (answer.json() as { status: string }).status;
}

test('shows a labelled token form without script to a browser that has no credential', async () => {
  const page = await app.fastify.inject({
    url: '/__dashboard/',
    remoteAddress: '10.0.0.7',
    headers: { host: HOST },
  });
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['content-security-policy'], TOKEN_PAGE_CSP);
  assert.equal(page.headers['referrer-policy'], 'same-origin');
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.equal(page.headers['set-cookie'], undefined);
  assert.doesNotMatch(page.body, /<script|\son[a-z]+="/);
  assert.match(page.body, /<form method="post" action="login">/);
  assert.match(page.body, /<label for="token">Admin token<\/label>/);
  assert.match(page.body, /<input id="token" name="token" type="password"/);
  assert.doesNotMatch(page.body, /token-error/);
  const style = await app.fastify.inject({ url: '/__dashboard/token.css', headers: { host: HOST } });
  assert.equal(style.statusCode, 200);
  assert.equal(style.headers['content-type'], 'text/css; charset=utf-8');
  // Nothing else of the dashboard, and nothing of the admin plane, without a credential.
  for (const url of ['/__dashboard/app.js', '/__dashboard/style.css', '/__admin/phone-numbers']) {
    const refused = await app.fastify.inject({ url, headers: { host: HOST } });
    assert.equal(refused.statusCode, 404, url);
    assert.equal(refused.body, NOT_FOUND, url);
  }
});

test('sets an HttpOnly SameSite=Strict cookie that is not the token for the right token', async () => {
  const answer = await login(app, TOKEN);
  assert.equal(answer.statusCode, 303);
  assert.equal(answer.headers.location, '/__dashboard/');
  assert.equal(answer.headers['cache-control'], 'no-store');
  const setCookie = String(answer.headers['set-cookie']);
  const [pair, ...attributes] = setCookie.split('; ');
  assert.deepEqual(attributes, ['Path=/', 'HttpOnly', 'SameSite=Strict']);
  assert.equal(pair?.startsWith(`${SESSION_COOKIE}=`), true);
  const value = pair?.slice(SESSION_COOKIE.length + 1) ?? '';
  assert.match(value, COOKIE_VALUE);
  assert.equal(setCookie.includes(TOKEN), false);
  // Each login is a new session.
  assert.notEqual(await sessionCookie(), await sessionCookie());
});

test('adds Secure when the request reached the https --public-url host', async () => {
  const secure = await open(TOKEN, 'https://phonegraph.example');
  try {
    const viaProxy = await login(secure, TOKEN, {
      host: 'phonegraph.example',
      origin: 'https://phonegraph.example',
    });
    assert.equal(viaProxy.statusCode, 303);
    assert.deepEqual(String(viaProxy.headers['set-cookie']).split('; ').slice(1), [
      'Path=/',
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
    ]);
    // The same server reached directly over plain http: a Secure cookie would never come back.
    const direct = await login(secure, TOKEN);
    assert.deepEqual(String(direct.headers['set-cookie']).split('; ').slice(1), [
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
    ]);
  } finally {
    await secure.fastify.close();
  }
});

test('re-shows the page with 401 and no cookie for a wrong or missing token', async () => {
  for (const token of ['wrong', `${TOKEN}x`, '']) {
    const answer = await login(app, token);
    assert.equal(answer.statusCode, 401, token);
    assert.equal(answer.headers['set-cookie'], undefined);
    assert.equal(answer.headers['content-security-policy'], TOKEN_PAGE_CSP);
    assert.match(
      answer.body,
      new RegExp(`<p class="error" id="token-error" role="alert">${WRONG_TOKEN_MESSAGE}</p>`),
    );
    assert.match(answer.body, /<form method="post" action="login">/);
  }
});

test('admits the cookie on the dashboard and the admin API, with a logout button', async () => {
  const cookie = await sessionCookie();
  const page = await app.fastify.inject({
    url: '/__dashboard/',
    remoteAddress: '10.0.0.7',
    headers: { host: HOST, cookie, 'sec-fetch-site': 'same-origin' },
  });
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['content-security-policy'], DASHBOARD_CSP);
  assert.match(page.body, /<script type="module" src="app.js"><\/script>/);
  assert.equal(page.body.includes(LOGOUT_FORM), true);
  const script = await app.fastify.inject({ url: '/__dashboard/app.js', headers: { host: HOST, cookie } });
  assert.equal(script.statusCode, 200);
  const list = await app.fastify.inject({
    url: '/__admin/phone-numbers',
    remoteAddress: '10.0.0.7',
    headers: { host: HOST, cookie, 'sec-fetch-site': 'same-origin' },
  });
  assert.equal(list.statusCode, 200);
  const ids = (list.json() as { data: { id: string }[] }).data.map((row) => row.id);
  assert.ok(ids.includes(ID.connected));
  // The bearer token still works, and its page has no logout button (no cookie to clear).
  const bearer = await app.fastify.inject({
    url: '/__dashboard/',
    headers: { host: HOST, authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(bearer.statusCode, 200);
  assert.equal(bearer.body.includes(LOGOUT_FORM), false);
});

test('lets a cookie write through only with the own Origin: a cross-origin write changes nothing', async () => {
  const cookie = await sessionCookie();
  const write = (headers: Record<string, string>) =>
    app.fastify.inject({
      method: 'POST',
      url: `/__admin/phone-numbers/${ID.flagged}/status`,
      headers: { host: HOST, cookie, 'content-type': 'application/json', ...headers },
      payload: { status: 'RESTRICTED', reason: 'cookie test' },
    });
  // Another port of the same host is the same site, so the browser sends the cookie: refused.
  for (const headers of [
    { origin: 'http://127.0.0.1:9999', 'sec-fetch-site': 'same-site' },
    { origin: 'http://127.0.0.1:9999' },
    { origin: 'null' },
    {},
  ]) {
    const refused = await write(headers);
    assert.equal(refused.statusCode, 404, JSON.stringify(headers));
    assert.equal(refused.body, NOT_FOUND);
  }
  // A cross-origin read the browser marks as same-site is refused too.
  const read = await app.fastify.inject({
    url: '/__admin/export',
    headers: { host: HOST, cookie, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' },
  });
  assert.equal(read.statusCode, 404);
  assert.equal(await statusOf(ID.flagged), 'FLAGGED');
  const own = await write({ origin: OWN, 'sec-fetch-site': 'same-origin' });
  assert.equal(own.statusCode, 200);
  assert.equal(await statusOf(ID.flagged), 'RESTRICTED');
});

test('refuses an edited cookie, and a login or logout posted from another origin', async () => {
  const cookie = await sessionCookie();
  const edited = `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`;
  const admin = await app.fastify.inject({ url: '/__admin/health', headers: { host: HOST, cookie: edited } });
  assert.equal(admin.statusCode, 404);
  const page = await app.fastify.inject({ url: '/__dashboard/', headers: { host: HOST, cookie: edited } });
  assert.equal(page.headers['content-security-policy'], TOKEN_PAGE_CSP);
  const crossLogin = await login(app, TOKEN, { host: HOST, origin: 'http://127.0.0.1:9999' });
  assert.equal(crossLogin.statusCode, 404);
  assert.equal(crossLogin.headers['set-cookie'], undefined);
  const crossLogout = await app.fastify.inject({
    method: 'POST',
    url: '/__dashboard/logout',
    headers: { host: HOST, origin: 'http://127.0.0.1:9999', cookie },
  });
  assert.equal(crossLogout.statusCode, 404);
  assert.equal(crossLogout.headers['set-cookie'], undefined);
});

test('logs out by clearing the cookie', async () => {
  const cookie = await sessionCookie();
  const answer = await app.fastify.inject({
    method: 'POST',
    url: '/__dashboard/logout',
    headers: { host: HOST, origin: OWN, cookie },
  });
  assert.equal(answer.statusCode, 303);
  assert.equal(answer.headers.location, '/__dashboard/');
  assert.equal(
    answer.headers['set-cookie'],
    `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`,
  );
});

test('keeps a session across a restart on the same store, and drops it when the token changes', async () => {
  const cookie = await sessionCookie();
  const restarted = await open(TOKEN);
  const rotated = await open('another-token');
  try {
    const same = await restarted.fastify.inject({ url: '/__admin/health', headers: { host: HOST, cookie } });
    assert.equal(same.statusCode, 200);
    const other = await rotated.fastify.inject({ url: '/__admin/health', headers: { host: HOST, cookie } });
    assert.equal(other.statusCode, 404);
  } finally {
    await restarted.fastify.close();
    await rotated.fastify.close();
  }
});

test('has no token page and no login without --admin-token', async () => {
  const open = buildApp({ store: new SqliteStore({ path: ':memory:' }) });
  try {
    const remote = await open.fastify.inject({ url: '/__dashboard/', remoteAddress: '10.0.0.7' });
    assert.equal(remote.statusCode, 404);
    const loginAnswer = await open.fastify.inject({
      method: 'POST',
      url: '/__dashboard/login',
      remoteAddress: '127.0.0.1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ token: 'anything' }),
    });
    assert.equal(loginAnswer.statusCode, 404);
    assert.equal(loginAnswer.headers['set-cookie'], undefined);
  } finally {
    await open.fastify.close();
  }
});

test('answers a malformed login body and other writes as the admin plane does, never as Graph', async () => {
  const malformed = await app.fastify.inject({
    method: 'POST',
    url: '/__dashboard/login',
    headers: { host: HOST, origin: OWN, 'content-type': 'application/json' },
    payload: '{"token":',
  });
  assert.equal(malformed.statusCode, 400);
  assert.equal(
    malformed.body,
    '{"error":{"message":"Request body is not valid JSON","code":"validation_failed"}}',
  );
  const json = await app.fastify.inject({
    method: 'POST',
    url: '/__dashboard/login',
    headers: { host: HOST, origin: OWN, 'content-type': 'application/json' },
    payload: { token: TOKEN },
  });
  assert.equal(json.statusCode, 303);
  for (const [method, url] of [
    ['PUT', '/__dashboard/login'],
    ['POST', '/__dashboard/app.js'],
    ['DELETE', '/__dashboard/'],
  ] as const) {
    const refused = await app.fastify.inject({
      method,
      url,
      headers: { host: HOST, 'content-type': 'application/json' },
      payload: '{"not":"read"',
    });
    assert.equal(refused.statusCode, 404, `${method} ${url}`);
    assert.equal(refused.body, NOT_FOUND);
  }
});
