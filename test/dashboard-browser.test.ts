import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { STATUS_TRANSITIONS } from '../src/contract/lifecycle.ts';
import { ensureCertificateKeys } from '../src/domain/certificate-keys.ts';
import { systemClock } from '../src/domain/clock.ts';
import { DEMO_SCENARIO_PATH } from '../src/domain/scenario/demo-scenario.ts';
import { loadScenarioFile } from '../src/domain/scenario/load-scenario-file.ts';
import { loadScenario } from '../src/domain/state-loader.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { buildDashboard } from './helpers/dashboard-build.ts';
import { WebhookReceiver } from './helpers/webhook-receiver.ts';

/** Debian's chromium; `.ci/run` installs it (apt package `chromium`). Absent means fail, never skip. */
export const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT = 60_000;

/** The page's globals, as the functions passed to waitForFunction see them (this program has no DOM lib). */
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};
declare const window: { axe: { run(context: unknown, options: unknown): Promise<AxeResults> } };

interface AxeResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** axe-core's browser build, evaluated in the page (the CSP forbids injecting it as an inline script). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const APP = '1000000000000001';
const APP_SECRET = 'demo-acme-connect-secret';
const TOKEN = 'EAAG-demo-acme-connect-token';

let server: RunningServer;
/** How the pages answer confirmation dialogs, and how many they saw. */
const dialogs = { accept: true, seen: 0 };
let browser: Browser;

interface Row {
  id: string;
  display_phone_number: string;
  status: string;
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
  server = await startServer({ store, host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close(1000);
});

async function adminNumbers(): Promise<Row[]> {
  const response = await fetch(`${server.url}/__admin/phone-numbers`);
  return ((await response.json()) as { data: Row[] }).data;
}

async function openBoard(hash = ''): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('dialog', (dialog) => {
    dialogs.seen++;
    void (dialogs.accept ? dialog.accept() : dialog.dismiss());
  });
  await page.goto(`${server.url}/__dashboard/${hash}`);
  // Connected to the event stream before anything else happens.
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
  assert.deepEqual(errors, []);
  return page;
}

function statusCell(page: Page, id: string): Promise<string> {
  return page.locator(`tr[data-id="${id}"] td[data-field="status"]`).innerText();
}

test('the board shows every number of the demo', { timeout: TIMEOUT * 2 }, async () => {
  const numbers = await adminNumbers();
  assert.ok(numbers.length > 0);
  const page = await openBoard();
  try {
    await page.waitForFunction(
      (count) => document.querySelectorAll('#board-rows tr').length === count,
      numbers.length,
    );
    for (const number of numbers) {
      const row = page.locator(`tr[data-id="${number.id}"]`);
      assert.match(await row.innerText(), new RegExp(number.display_phone_number.replace(/[+]/g, '\\+')));
      assert.equal(await statusCell(page, number.id), number.status);
    }
    assert.equal(
      await page.locator('#board-summary').innerText(),
      `${numbers.length} of ${numbers.length} numbers`,
    );
  } finally {
    await page.close();
  }
});

test(
  'a status change made through the admin API appears on the board without reload',
  { timeout: TIMEOUT * 2 },
  async () => {
    const numbers = await adminNumbers();
    const connected = numbers.find((number) => number.status === 'CONNECTED');
    assert.ok(connected !== undefined);
    const page = await openBoard();
    try {
      await page.locator(`tr[data-id="${connected.id}"]`).waitFor();
      const loads: string[] = [];
      page.on('framenavigated', (frame) => loads.push(frame.url()));
      const changed = await fetch(`${server.url}/__admin/phone-numbers/${connected.id}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'FLAGGED', reason: 'browser test' }),
      });
      assert.equal(changed.status, 200);
      await page.waitForFunction(
        (id) =>
          document.querySelector(`tr[data-id="${id}"] td[data-field="status"]`)?.textContent === 'FLAGGED',
        connected.id,
      );
      assert.deepEqual(loads, []);
    } finally {
      await page.close();
    }
  },
);

/** Polls `check` until it holds (a condition, never a fixed time); gives up after TIMEOUT. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function adminJson<T>(path: string, init?: { method: string; body?: unknown }): Promise<T> {
  const response = await fetch(`${server.url}/__admin${path}`, {
    method: init?.method ?? 'GET',
    ...(init?.body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) }),
  });
  return (await response.json()) as T;
}

test(
  'a status change made in the number page updates the board, the history and the delivery log',
  { timeout: TIMEOUT * 3 },
  async () => {
    const receiver = await new WebhookReceiver(APP_SECRET).listen();
    const numbers = await adminNumbers();
    const flagged = numbers.find((number) => number.status === 'FLAGGED');
    assert.ok(flagged !== undefined);
    await adminJson(`/apps/${APP}/webhook`, {
      method: 'PUT',
      body: { url: receiver.url, verify_token: 'vt' },
    });
    await until(async () => {
      const apps = await adminJson<{ data: { id: string; webhook: { state: string } | null }[] }>('/apps');
      return apps.data.find((app) => app.id === APP)?.webhook?.state === 'active';
    }, 'the subscription is verified');
    const page = await openBoard();
    try {
      await page.locator(`tr[data-id="${flagged.id}"] a`).click();
      await page.getByRole('heading', { name: 'Controls' }).waitFor();
      const offered = await page.locator('select[name="status"] option').allInnerTexts();
      assert.deepEqual(offered, ['CONNECTED', 'RESTRICTED', 'BANNED', 'DISCONNECTED', 'DELETED', 'UNKNOWN']);
      await page.locator('select[name="status"]').selectOption('RESTRICTED');
      await page.getByLabel('Reason', { exact: true }).fill('from the dashboard');
      await page.getByRole('button', { name: 'Change status' }).click();
      await page.locator('#history tbody tr', { hasText: 'from the dashboard' }).waitFor();
      const history = await adminJson<{ data: { to: string; actor: string; reason: string }[] }>(
        `/phone-numbers/${flagged.id}/history`,
      );
      const [newest] = history.data;
      assert.deepEqual(
        [newest?.to, newest?.actor, newest?.reason],
        ['RESTRICTED', 'admin', 'from the dashboard'],
      );
      // The choices follow the lifecycle table from the new status.
      assert.deepEqual(await page.locator('select[name="status"] option').allInnerTexts(), [
        ...STATUS_TRANSITIONS.RESTRICTED,
      ]);
      // A status outside the table only with Force, behind a confirmation: dismissed, nothing changes.
      await page.getByLabel('Force (outside the lifecycle table)').check();
      await page.locator('select[name="status"]').selectOption('PENDING');
      dialogs.accept = false;
      await page.getByRole('button', { name: 'Change status' }).click();
      await until(async () => dialogs.seen > 0, 'the confirmation dialog');
      assert.equal((await adminNumbers()).find((n) => n.id === flagged.id)?.status, 'RESTRICTED');
      dialogs.accept = true;
      // The admin API's error in its words: a review of a new name that was never requested.
      await page.locator('select[name="which"]').selectOption('new');
      await page.getByRole('button', { name: 'Decide' }).click();
      await page.locator('form.control p.error', { hasText: /new/i }).waitFor();

      // The board, reached through the nav bar, shows the new status.
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Numbers' }).click();
      await page.waitForFunction(
        (id) =>
          document.querySelector(`tr[data-id="${id}"] td[data-field="status"]`)?.textContent === 'RESTRICTED',
        flagged.id,
      );

      // The webhook log shows the delivery to the receiver, with the signature it received.
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.locator('#subscriptions tr[data-app="' + APP + '"]', { hasText: 'active' }).waitFor();
      await page.getByLabel('Phone number id').fill(flagged.id);
      await page.getByLabel('Phone number id').press('Enter');
      const delivered = page.locator('li[data-delivery]', { hasText: 'delivered' }).first();
      await delivered.waitFor();
      await delivered.locator('summary').click();
      const eventId = await delivered.locator('dd').nth(0).innerText();
      const signature = await delivered.locator('dd').nth(1).innerText();
      const received = receiver.events.find((event) => event.eventId === eventId);
      assert.ok(received !== undefined, 'the receiver got the event the log shows');
      assert.equal(received.signatureValid, true);
      assert.equal(signature, received.headers['x-hub-signature-256']);
      assert.match(await delivered.locator('table.attempts').innerText(), /200/);
      // Redeliver sends it again.
      const before = receiver.events.filter((event) => event.eventId === eventId).length;
      await delivered.getByRole('button', { name: 'Redeliver' }).click();
      await until(
        async () => receiver.events.filter((event) => event.eventId === eventId).length > before,
        'the redelivery reaches the receiver',
      );
    } finally {
      await page.close();
      await adminJson(`/apps/${APP}/webhook`, { method: 'DELETE' });
      await receiver.close();
    }
  },
);

test(
  'a Graph request from another client appears in the journal live, its token redacted',
  { timeout: TIMEOUT * 2 },
  async () => {
    const page = await openBoard('#/requests');
    try {
      await page.locator('#journal').waitFor();
      const graph = await fetch(`${server.url}/v21.0/400000000000101?fields=id,status&access_token=${TOKEN}`);
      const body = await graph.text();
      assert.equal(graph.status, 200);
      const row = page
        .locator('#journal tbody tr', { hasText: '/v21.0/400000000000101?fields=id,status' })
        .first();
      await row.waitFor();
      const text = await row.innerText();
      assert.match(text, /access_token=\[redacted\]/);
      assert.ok(!(await page.content()).includes(TOKEN), 'the token appears nowhere in the page');
      await row.getByRole('link').click();
      await page.locator('#response-body').waitFor();
      assert.equal(await page.locator('#response-body').textContent(), body);
      const trace = page.locator('#response-headers tr', { hasText: 'x-fb-trace-id' });
      assert.match(await trace.innerText(), new RegExp(graph.headers.get('x-fb-trace-id') ?? 'missing'));
    } finally {
      await page.close();
    }
  },
);

test('the rate-limit view shows a window, and exhausts and resets it', { timeout: TIMEOUT * 2 }, async () => {
  const graph = await fetch(`${server.url}/v21.0/400000000000101?access_token=${TOKEN}`);
  assert.equal(graph.status, 200);
  const page = await openBoard('#/rate-limits');
  try {
    const card = page.locator(`li[data-key="${APP}:3000000000000001"]`);
    await card.waitFor();
    assert.match(await card.locator('.gauge').innerText(), /\d+ of \d+ calls \(\d+%\)/);
    assert.match((await card.locator('svg').getAttribute('aria-label')) ?? '', /^Calls per 5 minutes/);
    await card.getByRole('button', { name: 'Exhaust' }).click();
    await page.waitForFunction(
      (key) => /\(100%\)/.test(document.querySelector(`li[data-key="${key}"] .gauge`)?.textContent ?? ''),
      `${APP}:3000000000000001`,
    );
    await card.getByRole('button', { name: 'Reset' }).click();
    await card.waitFor({ state: 'detached' });
  } finally {
    await page.close();
  }
});

test('the clock and fault-rule controls drive the admin API', { timeout: TIMEOUT * 2 }, async () => {
  const page = await openBoard('#/settings');
  try {
    await page.locator('#clock-now').waitFor();
    const before = await adminJson<{ offset_ms: number }>('/clock');
    await page.getByLabel('By (e.g. 2h, 30m, 1d)').fill('2h');
    await page.getByRole('button', { name: 'Advance' }).click();
    await page.locator('#clock-now', { hasText: `offset ${before.offset_ms + 7_200_000} ms` }).waitFor();
    await page.getByLabel('By (e.g. 2h, 30m, 1d)').fill('soon');
    await page.getByRole('button', { name: 'Advance' }).click();
    const error = await adminJson<{ error: { message: string } }>('/clock', {
      method: 'POST',
      body: { advance: 'soon' },
    });
    await page.locator('p.error', { hasText: error.error.message }).waitFor();
    await page.getByRole('button', { name: 'Back to real time' }).click();
    await page.locator('#clock-now', { hasText: 'offset 0 ms' }).waitFor();

    await page.getByLabel('Path regex').fill('^/v21\\.0/400000000000102$');
    await page.getByLabel('Graph error code').fill('2');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const row = page.locator('#fault-rules tbody tr').first();
    await row.waitFor();
    const faulted = await fetch(`${server.url}/v21.0/400000000000102?access_token=${TOKEN}`);
    assert.equal(((await faulted.json()) as { error: { code: number } }).error.code, 2);
    await row.getByRole('button', { name: /Remove fault rule/ }).click();
    await page.getByText('No fault rules: Graph answers normally.').waitFor();
    assert.deepEqual(await adminJson('/faults'), { data: [] });
  } finally {
    await page.close();
  }
});

test('every view has no serious or critical axe violations', { timeout: TIMEOUT * 4 }, async () => {
  const views = [
    ['#/', '#board-rows tr'],
    ['#/numbers/400000000000101', '#history'],
    ['#/requests', '#journal'],
    ['#/webhooks', '#subscriptions'],
    ['#/rate-limits', '#rate-limit-rows > *'],
    ['#/settings', '#clock-now'],
  ] as const;
  const page = await openBoard();
  try {
    await page.evaluate(AXE_SOURCE);
    const entry = (await adminJson<{ data: { id: number }[] }>('/requests?limit=1')).data[0];
    const all =
      entry === undefined ? views : [...views, [`#/requests/${entry.id}`, '#response-body'] as const];
    for (const [hash, ready] of all) {
      await page.evaluate((target) => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = target;
      }, hash);
      await page.locator(ready).first().waitFor();
      const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const serious = results.violations.filter(
        (violation) => violation.impact === 'serious' || violation.impact === 'critical',
      );
      assert.deepEqual(
        serious.map(
          (violation) =>
            `${violation.id}: ${violation.help} at ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`,
        ),
        [],
        `axe on ${hash}`,
      );
    }
  } finally {
    await page.close();
  }
});
