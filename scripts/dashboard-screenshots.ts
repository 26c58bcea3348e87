// `npm run screenshots`: the dashboard's images in docs/images/ (README, docs/dashboard.md).
// Starts the demo on a private in-memory store with a webhook receiver subscribed and some Graph and
// admin traffic, then drives Debian chromium (1280x800) to the board, a number page, the request
// journal and the webhook log. A view the build does not have yet is captured as it renders (empty).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { ensureCertificateKeys } from '../src/domain/certificate-keys.ts';
import { systemClock } from '../src/domain/clock.ts';
import { DEMO_SCENARIO_PATH } from '../src/domain/scenario/demo-scenario.ts';
import { loadScenarioFile } from '../src/domain/scenario/load-scenario-file.ts';
import { loadScenario } from '../src/domain/state-loader.ts';
import { startServer } from '../src/server/start.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const IMAGES = new URL('../docs/images/', import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const DEMO_APP = '1000000000000001';
const DEMO_TOKEN = 'EAAG-demo-acme-connect-token';
const VIEWPORT = { width: 1280, height: 800 };
/** How long any one condition may take before the script gives up (a loaded machine is slow). */
const PATIENCE_MS = 60_000;

/** The page's globals, as the functions passed to the page see them (this program has no DOM lib). */
declare const document: {
  getElementById(id: string): { textContent: string | null; childElementCount: number } | null;
};

interface Row {
  id: string;
  status: string;
}

/** Polls `check` until it returns a value (not undefined); fails with `what` after PATIENCE_MS. */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Answers the subscription handshake with the challenge and every delivery with 200. */
async function startReceiver(): Promise<{ server: Server; url: string; received: () => number }> {
  let received = 0;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://receiver');
    if (request.method === 'GET') {
      response
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(url.searchParams.get('hub.challenge') ?? '');
      return;
    }
    request.resume();
    request.on('end', () => {
      received += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('receiver did not listen');
  return { server, url: `http://127.0.0.1:${address.port}/hook`, received: () => received };
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-dashboard.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  mkdirSync(IMAGES, { recursive: true });
  const receiver = await startReceiver();
  const store = new SqliteStore({ path: ':memory:' });
  await ensureCertificateKeys(store);
  await loadScenario(store, await loadScenarioFile(DEMO_SCENARIO_PATH), systemClock);
  const server = await startServer({ store, host: '127.0.0.1', port: 0 });
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${server.url}/__admin${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    // A subscribed receiver: events wait in the outbox until the dispatcher has verified it.
    await admin('PUT', `/apps/${DEMO_APP}/webhook`, { url: receiver.url, verify_token: 'screenshots' });
    const numbers = ((await admin('GET', '/phone-numbers')) as { data: Row[] }).data;
    const first = numbers[0];
    if (first === undefined) throw new Error('the demo has no numbers');
    // Graph traffic for the journal: reads, a paged list, and an error (an unknown token).
    for (const number of numbers.slice(0, 6)) {
      await fetch(
        `${server.url}/v21.0/${number.id}?fields=status,quality_rating,verified_name&access_token=${DEMO_TOKEN}`,
      );
    }
    await fetch(`${server.url}/v21.0/${first.id}?access_token=EAAG-not-a-token`);
    // Admin changes for the history and the delivery log.
    const connected = numbers.filter((number) => number.status === 'CONNECTED');
    const [flagMe, restrictMe] = connected;
    if (flagMe !== undefined)
      await admin('POST', `/phone-numbers/${flagMe.id}/status`, {
        status: 'FLAGGED',
        reason: 'screenshot demo',
      });
    if (restrictMe !== undefined)
      await admin('POST', `/phone-numbers/${restrictMe.id}/status`, {
        status: 'RESTRICTED',
        reason: 'screenshot demo',
      });
    await admin('POST', `/phone-numbers/${first.id}/quality`, { score: 'YELLOW' });
    await until('the outbox to drain', async () => {
      const health = (await admin('GET', '/health')) as { outbox: { pending: number } };
      return health.outbox.pending === 0 && receiver.received() > 0 ? true : undefined;
    });

    const page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(PATIENCE_MS);
    const pending = new Set<unknown>();
    page.on('request', (request) => {
      if (!request.url().endsWith('/__admin/events')) pending.add(request);
    });
    page.on('requestfinished', (request) => pending.delete(request));
    page.on('requestfailed', (request) => pending.delete(request));
    const shoot = async (hash: string, file: string): Promise<void> => {
      await page.goto(`${server.url}/__dashboard/${hash}`);
      await settle(page, pending);
      await page.screenshot({ path: fileURLToPath(new URL(file, IMAGES)) });
      process.stdout.write(`wrote docs/images/${file}\n`);
    };
    await shoot('#/', 'dashboard-board.png');
    await shoot(`#/numbers/${first.id}`, 'dashboard-number.png');
    await shoot('#/requests', 'dashboard-requests.png');
    await shoot('#/webhooks', 'dashboard-webhooks.png');
  } finally {
    await browser.close();
    await server.close(1000);
    await new Promise((resolve) => receiver.server.close(resolve));
  }
}

/** Connected to the event stream, something rendered, no request in flight, two frames painted. */
async function settle(page: Page, pending: Set<unknown>): Promise<void> {
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
  await page.waitForFunction(() => (document.getElementById('main')?.childElementCount ?? 0) > 0);
  await until('the page to finish loading', async () => (pending.size === 0 ? true : undefined));
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}

declare function requestAnimationFrame(callback: () => void): number;

await main();
