// Webhook dispatch benchmark: `phonegraph serve` in a child process delivers lifecycle events to a
// receiver in this process (node:http on loopback, checking every signature), events spread over
// BENCH_WEBHOOK_NUMBERS numbers, one delivery in flight per (app, number), every attempt logged.
//   1. drain: BENCH_WEBHOOK_EVENTS changes are committed while the subscription is not yet verified,
//      so they wait in the outbox; then the receiver starts answering the verification and the clock is
//      moved past the retry, and the dispatcher drains the backlog → deliveries/s.
//   2. latency: changes at BENCH_WEBHOOK_RATE per second for BENCH_WEBHOOK_SECONDS → p50/p99 from the
//      admin request to the delivery reaching the receiver.
// The run fails if any event is lost, badly signed, or out of order for its number.
// Results: a table on stdout and JSON in .bench/webhooks.json (or BENCH_WEBHOOK_RESULTS). Run with
// `npm run bench`.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_FILE = process.env.BENCH_WEBHOOK_RESULTS || path.join(REPO_ROOT, '.bench', 'webhooks.json');
const SECRET = 'bench-webhook-secret';
const APP_ID = '1900000000000001';
const WABA_ID = '3900000000000001';

function intFromEnv(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const config = {
  numbers: intFromEnv('BENCH_WEBHOOK_NUMBERS', 250),
  events: intFromEnv('BENCH_WEBHOOK_EVENTS', 20_000),
  rate: intFromEnv('BENCH_WEBHOOK_RATE', 1_000),
  seconds: intFromEnv('BENCH_WEBHOOK_SECONDS', 5),
  concurrency: intFromEnv('BENCH_WEBHOOK_CONCURRENCY', 64),
};

const numberId = (i) => `49${String(i).padStart(13, '0')}`;
const digitsOf = (i) => `1555${String(i).padStart(7, '0')}`;

function scenario(receiverUrl) {
  return {
    version: 1,
    apps: [{ id: APP_ID, secret: SECRET, webhook: { url: receiverUrl, verify_token: 'bench' } }],
    businesses: [
      {
        id: '2900000000000001',
        wabas: [
          {
            id: WABA_ID,
            phone_numbers: Array.from({ length: config.numbers }, (_, i) => ({
              id: numberId(i),
              display_phone_number: `+1 555-${String(i).padStart(7, '0').slice(0, 3)}-${String(i).padStart(7, '0').slice(3)}`,
              verified_name: `Bench ${i}`,
              name_status: 'PENDING_REVIEW',
            })),
          },
        ],
      },
    ],
  };
}

/** The receiver: checks signatures, records per number the order of events and their arrival time. */
function startReceiver() {
  const state = { verify: false, received: 0, badSignatures: 0, perNumber: new Map(), arrivals: [] };
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://receiver');
    if (request.method === 'GET') {
      response.end(state.verify ? url.searchParams.get('hub.challenge') : 'no');
      return;
    }
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const expected = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
      if (request.headers['x-hub-signature-256'] !== expected) state.badSignatures++;
      const raw = body.toString('latin1');
      const digits = /"display_phone_number":"(\d+)"/.exec(raw)?.[1];
      const event = /"event":"(\w+)"/.exec(raw)?.[1];
      const list = state.perNumber.get(digits) ?? [];
      list.push({ event, at: performance.now() });
      state.perNumber.set(digits, list);
      state.received++;
      response.end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, state, url: `http://127.0.0.1:${server.address().port}/hook` }),
    ),
  );
}

function startServer(dir, scenarioFile) {
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin/phonegraph.js'),
      'serve',
      '--port',
      '0',
      '--db',
      path.join(dir, 'bench.db'),
      '--scenario',
      scenarioFile,
      '--log-level',
      'error',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const match = /^phonegraph listening on (\S+)/.exec(stdout);
      if (match) {
        child.removeAllListeners('exit');
        resolve({ child, url: match[1] });
      }
    });
  });
}

/**
 * Keep-alive connections for the admin calls of one phase. Each phase gets a fresh pool, and the health
 * polls between phases use their own connections, so few connections sit idle long enough for the
 * server to close them; a request that meets such a close anyway is sent again (see `admin`).
 */
let pool = new Agent({ keepAlive: true });
function freshPool() {
  pool.destroy();
  pool = new Agent({ keepAlive: true });
}

function admin(base, method, pathname, body, agent = pool) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}/__admin${pathname}`,
      {
        method,
        agent,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200)
            reject(new Error(`${method} ${pathname}: ${response.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on('error', (error) => {
      // The server closed this idle keep-alive connection just as it was reused, before reading the
      // request (Node's documented race): send it again on a fresh one.
      if (req.reusedSocket && error.code === 'ECONNRESET') {
        admin(base, method, pathname, body, agent).then(resolve, reject);
      } else {
        reject(error);
      }
    });
    req.end(payload);
  });
}

/**
 * Toggles number i between CONNECTED and FLAGGED and records the event it emits in `expected`. Changes
 * of one number are chained, so they commit in the order they were asked for.
 */
const current = new Map();
const chains = new Map();
function toggle(base, i, expected, sentAt) {
  const digits = digitsOf(i);
  const list = expected.get(digits) ?? [];
  expected.set(digits, list);
  const to = current.get(i) === 'FLAGGED' ? 'CONNECTED' : 'FLAGGED';
  current.set(i, to);
  list.push(to === 'FLAGGED' ? 'FLAGGED' : 'UNFLAGGED');
  if (sentAt) sentAt.set(`${digits}:${list.length - 1}`, performance.now());
  const run = (chains.get(i) ?? Promise.resolve()).then(() =>
    admin(base, 'POST', `/phone-numbers/${numberId(i)}/status`, { status: to }),
  );
  chains.set(i, run);
  return run;
}

async function commitMany(base, count, expected) {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const k = next++;
      if (k >= count) return;
      await toggle(base, k % config.numbers, expected, null);
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
}

async function waitFor(check, limitMs) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Polls the admin health until the outbox has nothing pending; returns that health answer. */
async function waitForOutbox(base, limitMs) {
  const started = Date.now();
  for (;;) {
    const health = await admin(base, 'GET', '/health', undefined, false);
    if (health.outbox.pending === 0) return health;
    if (Date.now() - started > limitMs) throw new Error(`outbox still has ${health.outbox.pending} pending`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function checkOrder(state, expected) {
  for (const [digits, events] of expected) {
    const got = (state.perNumber.get(digits) ?? []).map((entry) => entry.event);
    if (JSON.stringify(got) !== JSON.stringify(events)) throw new Error(`order broken for ${digits}`);
  }
  if (state.badSignatures > 0) throw new Error(`${state.badSignatures} bad signatures`);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pg-bench-hooks-'));
  const receiver = await startReceiver();
  const scenarioFile = path.join(dir, 'scenario.json');
  await writeFile(scenarioFile, JSON.stringify(scenario(receiver.url)));
  const server = await startServer(dir, scenarioFile);
  try {
    // 1. Drain a backlog.
    const expected = new Map();
    await commitMany(server.url, config.events, expected);
    receiver.state.verify = true;
    const drainStart = performance.now();
    await admin(server.url, 'POST', '/clock', { advance: '1h' });
    await waitFor(() => receiver.state.received >= config.events, 600_000);
    const drainSeconds = (performance.now() - drainStart) / 1000;
    checkOrder(receiver.state, expected);
    const deliveriesPerSecond = config.events / drainSeconds;

    // 2. Latency under a steady change rate.
    freshPool();
    const before = new Map([...receiver.state.perNumber].map(([d, list]) => [d, list.length]));
    const sentAt = new Map();
    const total = config.rate * config.seconds;
    const started = performance.now();
    const pending = [];
    for (let k = 0; k < total; k++) {
      const due = started + (k * 1000) / config.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(toggle(server.url, k % config.numbers, expected, sentAt));
    }
    await Promise.all(pending);
    const expectedTotal = config.events + total;
    await waitFor(() => receiver.state.received >= expectedTotal, 120_000);
    checkOrder(receiver.state, expected);
    const latencies = [];
    for (const [digits, list] of receiver.state.perNumber) {
      const from = before.get(digits) ?? 0;
      list.slice(from).forEach((entry, offset) => {
        const sent = sentAt.get(`${digits}:${from + offset}`);
        if (sent !== undefined) latencies.push(entry.at - sent);
      });
    }
    latencies.sort((a, b) => a - b);
    // The receiver counts an event before its 200 reaches the server, which then marks the delivery
    // done: wait for the outbox to be empty rather than reading it right away.
    const health = await waitForOutbox(server.url, 120_000);
    const results = {
      numbers: config.numbers,
      drain_events: config.events,
      drain_seconds: Number(drainSeconds.toFixed(2)),
      deliveries_per_second: Math.round(deliveriesPerSecond),
      latency_rate_per_second: config.rate,
      latency_events: latencies.length,
      latency_p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      latency_p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      outbox_pending_after: health.outbox.pending,
    };
    console.log('webhook dispatch (one delivery in flight per number, every attempt logged)');
    console.log(`  numbers                ${results.numbers}`);
    console.log(`  backlog drained        ${results.drain_events} events in ${results.drain_seconds} s`);
    console.log(`  deliveries/s           ${results.deliveries_per_second}`);
    console.log(`  change→delivery p50    ${results.latency_p50_ms} ms (at ${config.rate} changes/s)`);
    console.log(`  change→delivery p99    ${results.latency_p99_ms} ms`);
    await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  } finally {
    pool.destroy();
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    receiver.server.closeAllConnections();
    receiver.server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
