// The access rule in a real browser (issue #15): with --admin-token the token page leads to the board;
// a page of another origin on the same host (same site, so the browser sends the cookie) can neither
// read nor change anything; axe-core finds no serious or critical violation on the token page.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureCertificateKeys } from '../src/domain/certificate-keys.ts';
import { systemClock } from '../src/domain/clock.ts';
import { DEMO_SCENARIO_PATH } from '../src/domain/scenario/demo-scenario.ts';
import { loadScenarioFile } from '../src/domain/scenario/load-scenario-file.ts';
import { loadScenario } from '../src/domain/state-loader.ts';
import { SESSION_COOKIE } from '../src/server/admin/admin-session.ts';
import { WRONG_TOKEN_MESSAGE } from '../src/server/dashboard/dashboard-routes.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { buildDashboard } from './helpers/dashboard-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT = 60_000;
const TOKEN = 'browser-admin-token-0123456789';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The page's globals, as the functions passed to the page see them (this program has no DOM lib). */
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
  body: { textContent: string | null };
};
declare const axe: {
  version: string;
  run(context: unknown, options: unknown): Promise<{ violations: { id: string; impact: string | null }[] }>;
};

let server: RunningServer;
let evil: Server;
let evilOrigin: string;
let browser: Browser;

interface Row {
  id: string;
  status: string;
}

/** A page of another origin on the same host: it tries to use the admin API with the browser's cookie. */
function evilPage(target: string, id: string): string {
  const status = `${target}/__admin/phone-numbers/${id}/status`;
  return `<!doctype html><html lang="en"><head><title>other origin</title></head><body>
<form id="attack" method="post" action="${status}"><input name="status" value="BANNED" /></form>
<script>
window.attempts = (async () => {
  const results = {};
  const attempt = async (name, run) => {
    try { results[name] = await run(); } catch (error) { results[name] = 'blocked: ' + error.name; }
  };
  await attempt('read', async () => (await fetch('${target}/__admin/phone-numbers', { credentials: 'include' })).text());
  await attempt('export', async () => (await fetch('${target}/__admin/export', { credentials: 'include' })).text());
  await attempt('json write', async () => (await fetch('${status}', {
    method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'BANNED', force: true }) })).status);
  await attempt('simple write', async () => (await fetch('${status}', {
    method: 'POST', credentials: 'include', mode: 'no-cors', headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ status: 'BANNED', force: true }) })).type);
  await attempt('reset', async () => (await fetch('${target}/__admin/reset', {
    method: 'POST', credentials: 'include', mode: 'no-cors' })).type);
  return results;
})();
</script></body></html>`;
}

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `the browser suite needs Debian chromium at ${CHROMIUM}: install it with apt-get install -y chromium`,
  );
  buildDashboard();
  const store = new SqliteStore({ path: ':memory:' });
  await ensureCertificateKeys(store);
  await loadScenario(store, await loadScenarioFile(DEMO_SCENARIO_PATH), systemClock);
  server = await startServer({ store, host: '127.0.0.1', port: 0, adminToken: TOKEN });
  const target = (await numbers()).find((row) => row.status === 'CONNECTED');
  assert.ok(target !== undefined);
  const html = evilPage(server.url, target.id);
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const address = evil.address();
  assert.ok(address !== null && typeof address === 'object');
  evilOrigin = `http://127.0.0.1:${address.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (evil === undefined ? resolve(undefined) : evil.close(resolve)));
  await server?.close(1000);
});

async function numbers(): Promise<Row[]> {
  const response = await fetch(`${server.url}/__admin/phone-numbers`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { data: Row[] }).data;
}

async function newPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, errors };
}

/** Through the token page with the keyboard only; returns the context holding the session cookie. */
async function signIn(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const { page, errors } = await newPage(context);
  await page.goto(`${server.url}/__dashboard/`);
  await page.getByLabel('Admin token').waitFor();
  await page.keyboard.type(TOKEN); // the field has autofocus
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
  return { context, page, errors };
}

test('the token page leads to the board; a wrong token is said so', { timeout: TIMEOUT * 2 }, async () => {
  const context = await browser.newContext();
  try {
    const { page, errors } = await newPage(context);
    await page.goto(`${server.url}/__dashboard/`);
    const field = page.getByLabel('Admin token');
    await field.waitFor();
    assert.equal(await field.evaluate((element) => element === element.ownerDocument.activeElement), true);
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    assert.equal(await page.getByRole('alert').innerText(), WRONG_TOKEN_MESSAGE);
    assert.deepEqual(await context.cookies(), []);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Open the dashboard' }).press('Enter');
    await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
    const count = (await numbers()).length;
    await page.waitForFunction((n) => document.querySelectorAll('#board-rows tr').length === n, count);
    assert.equal(new URL(page.url()).pathname, '/__dashboard/');
    const [cookie, ...others] = await context.cookies();
    assert.deepEqual(others, []);
    assert.equal(cookie?.name, SESSION_COOKIE);
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(cookie?.secure, false);
    assert.equal(cookie?.path, '/');
    assert.equal(cookie?.value.includes(TOKEN), false);
    // The wrong-token answer is a 401 the console reports; nothing else went wrong (no CSP violation).
    assert.deepEqual(
      errors.filter((error) => !/status of 401/.test(error)),
      [],
    );
    // Log out: back to the token page, and the admin API refuses the browser again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('Admin token').waitFor();
    assert.deepEqual(await context.cookies(), []);
    const health = await page.goto(`${server.url}/__admin/health`);
    assert.equal(health?.status(), 404);
  } finally {
    await context.close();
  }
});

test('the cookie drives the admin API from the dashboard page', { timeout: TIMEOUT * 2 }, async () => {
  const { context, page, errors } = await signIn();
  try {
    const target = (await numbers()).find((row) => row.status === 'FLAGGED');
    assert.ok(target !== undefined);
    const status = await page.evaluate(async (id) => {
      const response = await fetch(`/__admin/phone-numbers/${id}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'RESTRICTED', reason: 'cookie from the dashboard' }),
      });
      return response.status;
    }, target.id);
    assert.equal(status, 200);
    const after = (await numbers()).find((row) => row.id === target.id);
    assert.equal(after?.status, 'RESTRICTED');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test(
  'a page of another origin can neither read nor change anything with the cookie',
  { timeout: TIMEOUT * 2 },
  async () => {
    const { context } = await signIn();
    try {
      const before = await numbers();
      // Cookies ignore ports: the browser does attach the session cookie to the other page's requests.
      assert.deepEqual(
        (await context.cookies(evilOrigin)).map((cookie) => cookie.name),
        [SESSION_COOKIE],
      );
      const { page } = await newPage(context);
      await page.goto(evilOrigin);
      const results = await page.evaluate(
        () => (globalThis as unknown as { attempts: Promise<unknown> }).attempts,
      );
      assert.deepEqual(results, {
        read: 'blocked: TypeError',
        export: 'blocked: TypeError',
        'json write': 'blocked: TypeError',
        'simple write': 'opaque',
        reset: 'opaque',
      });
      // A cross-origin form post: the browser navigates to the admin plane's refusal.
      await Promise.all([
        page.waitForURL((url) => url.origin === server.url),
        page.evaluate(() =>
          (globalThis as unknown as { document: { getElementById(id: string): { submit(): void } } }).document
            .getElementById('attack')
            .submit(),
        ),
      ]);
      assert.equal(
        await page.evaluate(() => document.body.textContent),
        '{"error":{"message":"Not found","code":"not_found"}}',
      );
      assert.deepEqual(await numbers(), before);
    } finally {
      await context.close();
    }
  },
);

test('the token page has no serious or critical axe violations', { timeout: TIMEOUT * 2 }, async () => {
  const context = await browser.newContext();
  try {
    const { page } = await newPage(context);
    for (const wrong of [false, true]) {
      await page.goto(`${server.url}/__dashboard/`);
      if (wrong) {
        await page.getByLabel('Admin token').fill('wrong');
        await page.keyboard.press('Enter');
        await page.getByRole('alert').waitFor();
      }
      // Evaluated through the debugging protocol, which the page's CSP does not govern.
      await page.evaluate(AXE_SOURCE);
      assert.equal(await page.evaluate(() => axe.version), '4.14.1');
      const { violations } = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
      const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        severe.map((v) => v.id),
        [],
      );
    }
  } finally {
    await context.close();
  }
});
