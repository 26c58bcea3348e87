import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureCertificateKeys } from '../src/domain/certificate-keys.ts';
import { systemClock } from '../src/domain/clock.ts';
import { DEMO_SCENARIO_PATH } from '../src/domain/scenario/demo-scenario.ts';
import { loadScenarioFile } from '../src/domain/scenario/load-scenario-file.ts';
import { loadScenario } from '../src/domain/state-loader.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { buildDashboard } from './helpers/dashboard-build.ts';

/** Debian's chromium; `.ci/run` installs it (apt package `chromium`). Absent means fail, never skip. */
export const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT = 60_000;

/** The page's globals, as the functions passed to waitForFunction see them (this program has no DOM lib). */
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
};

let server: RunningServer;
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

async function openBoard(): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${server.url}/__dashboard/`);
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

test(
  'the number page changes status through the admin API and shows it in the history',
  { timeout: TIMEOUT * 2 },
  async () => {
    const numbers = await adminNumbers();
    const flagged = numbers.find((number) => number.status === 'FLAGGED');
    assert.ok(flagged !== undefined);
    const page = await openBoard();
    try {
      await page.locator(`tr[data-id="${flagged.id}"] a`).click();
      await page.getByRole('heading', { name: 'Controls' }).waitFor();
      const offered = await page.locator('select[name="status"] option').allInnerTexts();
      assert.deepEqual(offered, ['CONNECTED', 'RESTRICTED', 'BANNED', 'DISCONNECTED', 'DELETED', 'UNKNOWN']);
      await page.locator('select[name="status"]').selectOption('RESTRICTED');
      await page.getByLabel('Reason').fill('from the dashboard');
      await page.getByRole('button', { name: 'Change status' }).click();
      await page.locator('#history tbody tr', { hasText: 'from the dashboard' }).waitFor();
      const history = await (await fetch(`${server.url}/__admin/phone-numbers/${flagged.id}/history`)).json();
      const [newest] = (history as { data: { to: string; actor: string; reason: string }[] }).data;
      assert.deepEqual(
        [newest?.to, newest?.actor, newest?.reason],
        ['RESTRICTED', 'admin', 'from the dashboard'],
      );
    } finally {
      await page.close();
    }
  },
);
