// Scale-out benchmark: three `phonegraph serve --postgres … --redis …` processes on one private
// PostgreSQL cluster and one private redis-server (docs/scale-out.md).
//   1. dispatch: BENCH_SCALE_EVENTS tier changes are committed over the three instances while the
//      subscription is not verified yet, so they wait in the outbox; then the receiver answers the
//      verification, the shared clock is moved past the retry, and the three dispatchers drain the backlog
//      together (outbox claims) → events/s. Fails if an event is lost or out of order for its number.
//   2. visibility: BENCH_SCALE_SAMPLES times, a number is read on one instance (so it is cached there), its
//      status changed through another, and the first read polled in a loop until it shows the change →
//      p50/p99 of the delay from the change's answer to the first fresh read.
// Run by bench/performance.js (BENCH_SKIP_SCALE=1 skips it) with `node --import tsx` (it starts the
// private servers with the test helpers), or alone: `node --import tsx bench/scale-out.js` after a build.
// Results: a table on stdout and JSON in .bench/scale-out.json (or BENCH_SCALE_RESULTS).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrivatePostgres } from '../test/helpers/postgres-server.ts';
import { startPrivateRedis } from '../test/helpers/redis-server.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_FILE = process.env.BENCH_SCALE_RESULTS || path.join(REPO_ROOT, '.bench', 'scale-out.json');
const SECRET = 'bench-scale-secret';
const APP_ID = '1800000000000001';

function intFromEnv(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const config = {
  instances: 3,
  numbers: intFromEnv('BENCH_SCALE_NUMBERS', 100),
  events: intFromEnv('BENCH_SCALE_EVENTS', 3_000),
  samples: intFromEnv('BENCH_SCALE_SAMPLES', 200),
};

const numberId = (i) => `48${String(i).padStart(13, '0')}`;

function scenario(receiverUrl) {
  return {
    version: 1,
    apps: [
      {
        id: APP_ID,
        secret: SECRET,
        rate_limit: { per_hour: 100_000_000, active_per_hour: 100_000_000 },
        webhook: { url: receiverUrl, verify_token: 'bench', fields: ['phone_number_quality_update'] },
      },
    ],
    businesses: [
      {
        id: '2800000000000001',
        wabas: [
          {
            id: '3800000000000001',
            phone_numbers: Array.from({ length: config.numbers + 1 }, (_, i) => ({
              id: numberId(i),
              verified_name: `Scale ${i}`,
              status: 'CONNECTED',
              messaging_limit_tier: 'TIER_1K',
            })),
          },
        ],
      },
    ],
    tokens: [{ value: 'T-SCALE', app: APP_ID }],
  };
}

/** Checks signatures; records per number (by display digits) the order of UPGRADE/DOWNGRADE events. */
function startReceiver() {
  const state = { verify: false, received: 0, badSignatures: 0, perNumber: new Map(), lastAt: 0 };
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
      const list = state.perNumber.get(digits) ?? [];
      list.push({ id: request.headers['x-phonegraph-event-id'], event: /"event":"(\w+)"/.exec(raw)?.[1] });
      state.perNumber.set(digits, list);
      state.received++;
      state.lastAt = performance.now();
      response.end('ok');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, state, url: `http://127.0.0.1:${server.address().port}/hook` }),
    ),
  );
}

function serve(args) {
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin/phonegraph.js'), 'serve', '--port', '0', '--log-level', 'error', ...args],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
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

async function call(instance, method, pathAndQuery, body) {
  const response = await fetch(`${instance.url}${pathAndQuery}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${text}`);
  return JSON.parse(text);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function until(check, what, limitMs = 600_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function dispatch(instances, receiver) {
  const perNumber = Math.ceil(config.events / config.numbers);
  const total = perNumber * config.numbers;
  const tiers = ['TIER_10K', 'TIER_1K'];
  // Each number's changes through one instance; the numbers spread over the three.
  await Promise.all(
    Array.from({ length: config.numbers }, async (_, i) => {
      const instance = instances[i % instances.length];
      for (let step = 0; step < perNumber; step++) {
        await call(instance, 'POST', `/__admin/phone-numbers/${numberId(i)}/quality`, {
          messaging_limit_tier: tiers[step % 2],
        });
      }
    }),
  );
  const pending = (await call(instances[0], 'GET', '/__admin/health')).outbox.pending;
  if (pending !== total) throw new Error(`expected ${total} pending events, found ${pending}`);
  receiver.state.verify = true;
  const started = performance.now();
  // Past the verification retry on every instance (the clock offset is shared through the store).
  await call(instances[0], 'POST', '/__admin/clock', { advance: '2h' });
  await until(() => receiver.state.received >= total, 'every event at the receiver');
  const seconds = (receiver.state.lastAt - started) / 1000;
  const lost = total - new Set([...receiver.state.perNumber.values()].flat().map((entry) => entry.id)).size;
  let outOfOrder = 0;
  for (const list of receiver.state.perNumber.values()) {
    list.forEach((entry, index) => {
      if (entry.event !== (index % 2 === 0 ? 'UPGRADE' : 'DOWNGRADE')) outOfOrder++;
    });
  }
  await call(instances[0], 'POST', '/__admin/clock', { real: true });
  return {
    events: total,
    seconds: Math.round(seconds * 1000) / 1000,
    eventsPerSecond: Math.round(total / seconds),
    lost,
    duplicates: receiver.state.received - (total - lost),
    outOfOrder,
    badSignatures: receiver.state.badSignatures,
  };
}

async function visibility(instances) {
  const id = numberId(config.numbers);
  const read = (instance) =>
    call(instance, 'GET', `/v21.0/${id}?fields=status&access_token=T-SCALE`).then((body) => body.status);
  const delays = [];
  let polls = 0;
  const statuses = ['FLAGGED', 'CONNECTED'];
  for (let sample = 0; sample < config.samples; sample++) {
    const writer = instances[sample % instances.length];
    const reader = instances[(sample + 1) % instances.length];
    const to = statuses[sample % 2];
    await read(reader); // cached on the reader
    await call(writer, 'POST', `/__admin/phone-numbers/${id}/status`, { status: to });
    const changedAt = performance.now();
    while ((await read(reader)) !== to) polls++;
    delays.push(performance.now() - changedAt);
  }
  delays.sort((a, b) => a - b);
  const ms = (value) => Math.round(value * 100) / 100;
  return {
    samples: delays.length,
    p50Ms: ms(percentile(delays, 50)),
    p99Ms: ms(percentile(delays, 99)),
    maxMs: ms(delays.at(-1)),
    stalePolls: polls,
  };
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'phonegraph-scale-bench-'));
  const children = [];
  const [postgres, redis, receiver] = await Promise.all([
    startPrivatePostgres({ background: true }),
    startPrivateRedis(),
    startReceiver(),
  ]);
  try {
    const database = await postgres.createDatabase();
    const scenarioFile = path.join(dir, 'scale.json');
    await writeFile(scenarioFile, JSON.stringify(scenario(receiver.url)));
    const shared = ['--postgres', database, '--redis', redis.url];
    const first = await serve([...shared, '--scenario', scenarioFile]);
    children.push(first.child);
    const others = await Promise.all(Array.from({ length: config.instances - 1 }, () => serve(shared)));
    children.push(...others.map((instance) => instance.child));
    const instances = [first, ...others];
    console.log(
      `scale-out benchmark: ${config.instances} instances on one PostgreSQL and one Redis; ${config.events} events over ${config.numbers} numbers; ${config.samples} visibility samples; ${os.cpus().length} CPUs`,
    );
    const dispatched = await dispatch(instances, receiver);
    const visible = await visibility(instances);
    console.log(
      `webhook dispatch, ${config.instances} instances: ${dispatched.events} events in ${dispatched.seconds} s = ${dispatched.eventsPerSecond} events/s ` +
        `(lost ${dispatched.lost}, duplicates ${dispatched.duplicates}, out of order ${dispatched.outOfOrder}, bad signatures ${dispatched.badSignatures})`,
    );
    console.log(
      `cross-instance visibility (change on one, polled on another): p50 ${visible.p50Ms} ms, p99 ${visible.p99Ms} ms, max ${visible.maxMs} ms over ${visible.samples} samples (${visible.stalePolls} stale reads while waiting)`,
    );
    const report = { benchmark: 'scale-out', date: new Date().toISOString(), config, dispatched, visible };
    await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    if (dispatched.lost > 0 || dispatched.outOfOrder > 0 || dispatched.badSignatures > 0) {
      console.error('error: events lost, out of order or badly signed');
      process.exitCode = 1;
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
    receiver.server.close();
    await redis.stop();
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
