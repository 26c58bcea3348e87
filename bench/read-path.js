// Read-path benchmark: `GET /v21.0/{id}?fields=status,quality_score,display_phone_number` against
// phonegraph with 1 000 and 100 000 numbers, compared with a bare node:http server measured in the
// same run. Each server runs in its own child process, one at a time; autocannon runs in this process.
// Run with `npm run bench` (builds dist/ first). Knobs (environment):
//   BENCH_DURATION     measured seconds per target (default 10)
//   BENCH_WARMUP       warm-up seconds per target, not counted (default 3)
//   BENCH_CONNECTIONS  concurrent connections (default 50)
//   BENCH_SIZES        phone numbers per phonegraph target, comma-separated (default 1000,100000)
//   BENCH_WABAS        WABAs the numbers are spread over (default 4)
//   BENCH_PENDING_NAMES=1  load numbers with name_status PENDING_REVIEW (no certificates issued at load)
//   BENCH_START_TIMEOUT    seconds a server may take to load its scenario and listen (default 300)
// Results: a table on stdout and the same figures as JSON in .bench/read-path.json.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import {
  expectedReadBody,
  generateScenario,
  indexOfId,
  readPath,
  READ_FIELDS,
} from './scenario-generator.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_FILE = path.join(REPO_ROOT, '.bench', 'read-path.json');
const EXPECTED_KEYS = [...READ_FIELDS, 'id'];
const CORRECTNESS_SAMPLES = 25;
const STOP_GRACE_MS = 15_000;

function numberFromEnv(name, fallback, { integer = false, min = 0 } = {}) {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(
      `${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function readConfig() {
  const sizesText = process.env.BENCH_SIZES?.trim() || '1000,100000';
  const sizes = sizesText.split(',').map((part) => Number(part.trim()));
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(
      `BENCH_SIZES must be positive integers separated by commas, got ${JSON.stringify(sizesText)}`,
    );
  }
  return {
    durationSeconds: numberFromEnv('BENCH_DURATION', 10, { integer: true, min: 1 }),
    warmupSeconds: numberFromEnv('BENCH_WARMUP', 3, { integer: true, min: 0 }),
    connections: numberFromEnv('BENCH_CONNECTIONS', 50, { integer: true, min: 1 }),
    wabas: numberFromEnv('BENCH_WABAS', 4, { integer: true, min: 1 }),
    startTimeoutSeconds: numberFromEnv('BENCH_START_TIMEOUT', 300, { min: 0.1 }),
    pendingNames: process.env.BENCH_PENDING_NAMES === '1',
    sizes,
  };
}

// ---------------------------------------------------------------------------------------------------
// Child processes

/** Every child still running, so that any exit path can stop them. */
const children = new Set();

/**
 * Starts `node ...args` and resolves once its first stdout line announces `… listening on URL`.
 * Rejects (and kills the child) if it exits, prints something else first, or takes too long.
 */
function startChild(label, args, timeoutSeconds) {
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { label, child, exited: false, stderrTail: '' };
  children.add(entry);
  entry.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exited = true;
      children.delete(entry);
      resolve({ code, signal });
    });
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    entry.stderrTail = (entry.stderrTail + chunk).slice(-4_000);
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const fail = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const tail = entry.stderrTail.trim();
      stopChild(entry).finally(() =>
        reject(new Error(`${label}: ${message}${tail ? `\n--- stderr ---\n${tail}` : ''}`)),
      );
    };
    const timer = setTimeout(() => fail(`not listening after ${timeoutSeconds} s`), timeoutSeconds * 1_000);
    const onData = (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      child.stdout.off('data', onData);
      child.stdout.resume(); // keep draining whatever else it prints
      const firstLine = stdout.slice(0, newline).trim();
      const match = /^(?:phonegraph|bare) listening on (http:\/\/\S+)$/.exec(firstLine);
      if (match === null) return fail(`unexpected first stdout line ${JSON.stringify(firstLine)}`);
      settled = true;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({ entry, child, url: match[1], startupSeconds: (performance.now() - startedAt) / 1_000 });
    };
    const onEarlyExit = (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', onEarlyExit);
    child.once('error', (error) => fail(`could not start (${error.message})`));
  });
}

/** SIGTERM, then SIGKILL if it has not exited within the grace period. */
async function stopChild(entry) {
  if (entry.exited) return entry.exit;
  entry.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!entry.exited) entry.child.kill('SIGKILL');
  }, STOP_GRACE_MS);
  try {
    return await entry.exit;
  } finally {
    clearTimeout(timer);
  }
}

async function stopAllChildren() {
  await Promise.all([...children].map((entry) => stopChild(entry)));
}

/** Resident set size of a live process, in KiB (Linux `/proc/<pid>/status` VmRSS). */
async function residentKiB(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match === null ? null : Number(match[1]);
  } catch {
    return null; // not Linux, or the process is gone
  }
}

// ---------------------------------------------------------------------------------------------------
// Correctness gate: the measured path must answer what the tests expect, or the figures mean nothing.

function pickRandom(list) {
  return list[Math.floor(Math.random() * list.length)];
}

async function checkBare(url) {
  const response = await fetch(`${url}${readPath('400000000000001')}`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`bare: expected 200, got ${response.status}: ${text}`);
  if (!response.headers.get('content-type')?.startsWith('application/json')) {
    throw new Error(`bare: expected application/json, got ${response.headers.get('content-type')}`);
  }
  JSON.parse(text);
}

async function checkPhonegraph(label, url, ids) {
  const sample = [
    ids[0],
    ids[ids.length - 1],
    ...Array.from({ length: CORRECTNESS_SAMPLES }, () => pickRandom(ids)),
  ];
  for (const id of sample) {
    const response = await fetch(`${url}${readPath(id)}`);
    const text = await response.text();
    const where = `${label}: GET ${readPath(id)}`;
    if (response.status !== 200) throw new Error(`${where}: expected 200, got ${response.status}: ${text}`);
    if (!response.headers.get('content-type')?.startsWith('application/json')) {
      throw new Error(`${where}: expected application/json, got ${response.headers.get('content-type')}`);
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${where}: body is not JSON: ${text}`);
    }
    const keys = Object.keys(body);
    if (!isDeepStrictEqual(keys, EXPECTED_KEYS)) {
      throw new Error(
        `${where}: expected keys ${EXPECTED_KEYS.join(',')} in that order, got ${keys.join(',')}`,
      );
    }
    const expected = JSON.stringify(expectedReadBody(indexOfId(id)));
    if (text !== expected) throw new Error(`${where}: expected body ${expected}, got ${text}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Load

function runLoad(url, ids, seconds, connections) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    // A random number of the loaded DB on every request (setupRequest runs per request).
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          request.path = readPath(pickRandom(ids));
          return request;
        },
      },
    ],
  });
}

async function benchmarkTarget(target, config) {
  const server = await startChild(target.label, target.args, config.startTimeoutSeconds);
  try {
    process.stdout.write(
      `${target.label}: listening after ${server.startupSeconds.toFixed(1)} s; checking… `,
    );
    await target.check(server.url);
    const rssBeforeKiB = await residentKiB(server.child.pid);
    if (config.warmupSeconds > 0) {
      process.stdout.write(`warming up ${config.warmupSeconds} s… `);
      await runLoad(server.url, target.ids, config.warmupSeconds, config.connections);
    }
    process.stdout.write(`measuring ${config.durationSeconds} s… `);
    // Other processes on the machine skew every figure; the 1-minute load average before the run says so.
    const loadAverage1m = Number(os.loadavg()[0].toFixed(2));
    const result = await runLoad(server.url, target.ids, config.durationSeconds, config.connections);
    const rssAfterKiB = await residentKiB(server.child.pid);
    process.stdout.write('done\n');
    return {
      target: target.label,
      numbers: target.numbers,
      requestsPerSecond: result.requests.average,
      latencyMs: {
        average: result.latency.average,
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      requests: result.requests.total,
      responses2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      rssBeforeKiB,
      rssAfterKiB,
      startupSeconds: Number(server.startupSeconds.toFixed(2)),
      loadAverage1m,
    };
  } finally {
    await stopChild(server.entry);
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

function formatTable(rows) {
  const header = ['target', 'req/s', 'p50 ms', 'p99 ms', 'RSS MiB', '× bare', 'non-2xx', 'start s'];
  const lines = rows.map((row) => [
    row.target,
    row.requestsPerSecond.toFixed(0),
    String(row.latencyMs.p50),
    String(row.latencyMs.p99),
    row.rssAfterKiB === null ? 'n/a' : (row.rssAfterKiB / 1024).toFixed(0),
    row.ratioToBare.toFixed(2),
    String(row.non2xx + row.errors + row.timeouts),
    row.startupSeconds.toFixed(1),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...lines.map((line) => line[i].length)));
  const render = (cells) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? `-${'-'.repeat(width)}-` : `-${'-'.repeat(width)}:`)).join('|')}|`;
  return [render(header), rule, ...lines.map(render)].join('\n');
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / 1_048_576),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  };
}

// ---------------------------------------------------------------------------------------------------

/** Scenario files and databases of this run; removed at the end, whatever happens. */
let tmp;

/** `phonegraph serve` on this run's database for `size` numbers, quiet, on a free port. */
function serveArgs(size, extra) {
  const db = path.join(tmp, `bench-${size}.db`);
  return [
    path.join(REPO_ROOT, 'bin', 'phonegraph.js'),
    'serve',
    '--db',
    db,
    '--port',
    '0',
    '--log-level',
    'warn',
    ...extra,
  ];
}

/** A private redis-server (no persistence) for the Redis-backed target; skipped when not installed. */
let redisChild;

async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('redis-server not found: the Redis-backed target is skipped');
    return undefined;
  }
  const port = await new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
    probe.on('error', reject);
  });
  redisChild = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  return `redis://127.0.0.1:${port}`;
}

async function cleanUp() {
  await stopAllChildren();
  redisChild?.kill('SIGTERM');
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
}

async function main() {
  const config = readConfig();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'phonegraph-bench-'));
  try {
    const redisUrl = await startRedis();
    const targets = [
      {
        label: 'bare node:http',
        numbers: null,
        args: [path.join(REPO_ROOT, 'bench', 'bare-server.js'), '--port', '0'],
        // Same request shapes as phonegraph's, so the client does the same work.
        ids: generateScenario({ numbers: 1_000 }).ids,
        check: checkBare,
      },
    ];
    for (const size of config.sizes) {
      const { document, ids } = generateScenario({
        numbers: size,
        wabas: config.wabas,
        pendingNames: config.pendingNames,
      });
      const scenarioFile = path.join(tmp, `bench-${size}.json`);
      await writeFile(scenarioFile, JSON.stringify(document));
      const label = `phonegraph ${size.toLocaleString('en-US')} numbers`;
      targets.push({
        label,
        numbers: size,
        args: serveArgs(size, ['--scenario', scenarioFile, '--reset']),
        ids,
        check: (url) => checkPhonegraph(label, url, ids),
      });
      // The same database with the rate-limit windows in Redis instead of process memory.
      if (size === config.sizes[0] && redisUrl !== undefined) {
        const redisLabel = `${label}, BUC in Redis`;
        targets.push({
          ...targets[targets.length - 1],
          label: redisLabel,
          // The database the memory-backed target loaded, served again without reloading it.
          args: serveArgs(size, ['--redis', redisUrl]),
          check: (url) => checkPhonegraph(redisLabel, url, ids),
        });
      }
    }

    console.log(
      `read-path benchmark: ${config.connections} connections, ${config.warmupSeconds} s warm-up + ` +
        `${config.durationSeconds} s measured per target, ${os.cpus().length} CPUs, node ${process.version}`,
    );
    const rows = [];
    for (const target of targets) rows.push(await benchmarkTarget(target, config));
    const bare = rows[0].requestsPerSecond;
    for (const row of rows) row.ratioToBare = bare > 0 ? row.requestsPerSecond / bare : 0;

    console.log(`\n${formatTable(rows)}\n`);
    console.log('spec target: phonegraph >= 0.6 × bare req/s');

    const report = {
      benchmark: 'read-path',
      date: new Date().toISOString(),
      request: `GET ${readPath('{id}')} with {id} a random number of the loaded DB`,
      config,
      machine: machine(),
      results: rows,
    };
    await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);

    const failed = rows.filter((row) => row.non2xx + row.errors + row.timeouts > 0);
    if (failed.length > 0) {
      console.error(
        `error: non-2xx responses, errors or timeouts during the measurement: ${failed.map((row) => row.target).join(', ')}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await cleanUp();
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    cleanUp().finally(() => process.exit(130));
  });
}
// Last resort if something exits the process while children run.
process.once('exit', () => {
  for (const entry of children) entry.child.kill('SIGKILL');
});

main().catch(async (error) => {
  console.error(`\nerror: ${error instanceof Error ? error.message : String(error)}`);
  await cleanUp();
  process.exitCode = 1;
});
