// `npm run bench`: every figure of the performance targets (docs/performance.md), measured in one run.
//
// Per size (phone numbers in a generated scenario; default 1k and 100k, `--full` adds 1M):
//   load      `serve --scenario F --reset` into an empty database: seconds to the listening line, peak RSS
//   restart   `serve --db` on that database: seconds to the listening line, idle RSS
//   reads     GET /v21.0/{id}?fields=status,quality_score,display_phone_number, {id} random over the
//             whole id range, paths prepared before the run; phonegraph against a bare node:http server
//             replaying phonegraph's exact captured response bytes; alternating paired rounds after a
//             warm-up, ratio = median of per-round ratios; server CPU µs/request from /proc/PID/stat
//   trickle   the same reads with and without 10 admin status changes per second (paired rounds)
//   writes    admin status change and Graph QR create throughput against a bare better-sqlite3 loop
//             doing the same transaction on a copy of the same database (paired rounds)
// and at the first size, phonegraph with BUC windows in Redis against the memory backend (paired rounds).
// Then bench/postgres.js, the PostgreSQL store beside SQLite (BENCH_SKIP_POSTGRES=1 skips it),
// bench/webhooks.js (BENCH_SKIP_WEBHOOKS=1), bench/dashboard.js (BENCH_SKIP_DASHBOARD=1) and
// bench/scale-out.js (BENCH_SKIP_SCALE=1). Knobs: see docs/performance.md.
// Results: tables on stdout, the same figures as JSON in .bench/performance.json.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { masked, parseRaw, rawGet, toCaptured } from './captured-responses.js';
import { benchPostgres, postgresTables } from './postgres.js';
import { generatorName, preparePaths, runReadLoad } from './load-generator.js';
import {
  cpuMicros,
  killAllChildrenNow,
  memoryMiB,
  REPO_ROOT,
  startChild,
  startPhonegraph,
  startRedis,
  stopAllChildren,
  stopChild,
} from './processes.js';
import { expectedReadBody, generateScenario, indexOfId, readPath } from './scenario-generator.js';
import { createQr, createToggler, runWrites, startTrickle, toggleableIds } from './write-load.js';

const RESULTS_FILE = path.join(REPO_ROOT, '.bench', 'performance.json');
const CAPTURED_SAMPLES = 256;

function numberFromEnv(name, fallback, { integer = true, min = 1 } = {}) {
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

function readConfig(argv) {
  const full = argv.includes('--full');
  const unknown = argv.filter((arg) => arg !== '--full');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (only --full)`);
  const sizesText = process.env.BENCH_SIZES?.trim() || (full ? '1000,100000,1000000' : '1000,100000');
  const sizes = sizesText
    .split(',')
    .map((part) => Number(part.trim().replace(/k$/i, '000').replace(/m$/i, '000000')));
  if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(
      `BENCH_SIZES must be positive integers separated by commas, got ${JSON.stringify(sizesText)}`,
    );
  }
  return {
    sizes,
    rounds: numberFromEnv('BENCH_ROUNDS', 5),
    roundSeconds: numberFromEnv('BENCH_ROUND_SECONDS', 5),
    warmupSeconds: numberFromEnv('BENCH_WARMUP', 3, { min: 0 }),
    connections: numberFromEnv('BENCH_CONNECTIONS', 50),
    wabas: numberFromEnv('BENCH_WABAS', 4),
    startTimeoutSeconds: numberFromEnv('BENCH_START_TIMEOUT', 900),
    pendingNames: process.env.BENCH_PENDING_NAMES === '1',
    trickleRate: numberFromEnv('BENCH_TRICKLE_RATE', 10),
    trickleRounds: numberFromEnv('BENCH_TRICKLE_ROUNDS', 3),
    writeRounds: numberFromEnv('BENCH_WRITE_ROUNDS', 3),
    writeSeconds: numberFromEnv('BENCH_WRITE_SECONDS', 3),
    writeConcurrency: numberFromEnv('BENCH_WRITE_CONCURRENCY', 16),
    minPaths: numberFromEnv('BENCH_PATHS', 100_000),
    generator: generatorName,
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));
const sizeLabel = (size) =>
  size >= 1_000_000 && size % 1_000_000 === 0
    ? `${size / 1_000_000}M`
    : size >= 1_000 && size % 1_000 === 0
      ? `${size / 1_000}k`
      : String(size);
const log = (text) => process.stdout.write(text);
/** Ratios are printed to 3 decimals, so a figure just under a target never reads as meeting it. */
const times = (ratio) => `${ratio.toFixed(3)}×`;

// ---------------------------------------------------------------------------------------------------
// Correctness: the measured responses must be the right ones, or the figures mean nothing.

/** Requests the first, the last and random ids; each must be 200 with exactly the generated body. */
async function checkAndCapture(label, url, ids, samples) {
  const unique = new Set([ids[0], ids[ids.length - 1]]);
  while (unique.size < Math.min(samples, ids.length)) unique.add(ids[Math.floor(Math.random() * ids.length)]);
  const captured = [];
  const picked = [...unique];
  for (const id of picked) {
    const raw = await rawGet(url, readPath(id));
    const { status, headers, body } = parseRaw(raw);
    const where = `${label}: GET ${readPath(id)}`;
    if (status !== 200) throw new Error(`${where}: expected 200, got ${status}: ${body}`);
    const type = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
    if (!type.startsWith('application/json')) throw new Error(`${where}: content-type ${type}`);
    const expected = JSON.stringify(expectedReadBody(indexOfId(id)));
    if (body.toString('utf8') !== expected) throw new Error(`${where}: expected ${expected}, got ${body}`);
    captured.push(toCaptured(id, raw));
  }
  return captured;
}

/** The bare server must answer byte for byte what phonegraph answered (its own Date aside). */
async function checkBare(bareUrl, pgUrl, captured) {
  for (const { id } of captured.slice(0, 16)) {
    const bare = masked(await rawGet(bareUrl, readPath(id)), ['date']);
    const expected = captured.find((c) => c.id === id);
    const reference = masked(
      Buffer.from(
        `HTTP/1.1 ${expected.status} OK\r\n${expected.headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n` +
          `Date: *\r\nConnection: keep-alive\r\nKeep-Alive: timeout=72\r\n\r\n${expected.body}`,
        'latin1',
      ),
      ['date'],
    );
    if (bare !== reference)
      throw new Error(
        `bare server: response for ${id} differs from phonegraph's:\n${bare}\n---\n${reference}`,
      );
  }
  // And phonegraph still answers the same bytes, its per-request ids and counters aside.
  const { id } = captured[0];
  const again = masked(await rawGet(pgUrl, readPath(id)));
  const bare = masked(await rawGet(bareUrl, readPath(id)));
  if (again !== bare)
    throw new Error(`phonegraph's response for ${id} changed since capture:\n${again}\n---\n${bare}`);
}

// ---------------------------------------------------------------------------------------------------
// Paired rounds

/**
 * A warm-up of each target, then `rounds` rounds running both targets one after the other, the order
 * alternating (A B, B A, …) so drift of the machine's load hits both alike. Each round of a target:
 * req/s, p50/p99, server CPU µs/request, RSS. Resolves with the rows and the median per-round ratios B/A.
 */
async function pairedRounds(targets, load, { rounds, seconds, warmupSeconds }) {
  const measure = async (target, roundIndex, measuredSeconds) => {
    // CPU is read, and the side load (the write trickle) started, only once the load generator is ready.
    let cpuBefore = cpuMicros(target.pid);
    let stopSide;
    const result = await runReadLoad({
      ...load,
      url: target.url,
      offset: roundIndex * 7_919,
      seconds: measuredSeconds,
      onStart: () => {
        cpuBefore = cpuMicros(target.pid);
        stopSide = target.during?.();
      },
    });
    const cpu = cpuMicros(target.pid) - cpuBefore;
    const side = stopSide === undefined ? undefined : await stopSide();
    return {
      ...result,
      cpuMicrosPerRequest: result.requests > 0 ? cpu / result.requests : NaN,
      rssMiB: memoryMiB(target.pid).rss,
      ...(side === undefined ? {} : { side }),
    };
  };
  if (warmupSeconds > 0) for (const target of targets) await measure(target, 99, warmupSeconds);
  const perRound = [];
  for (let r = 0; r < rounds; r += 1) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    const results = [];
    for (const index of order) results[index] = await measure(targets[index], r, seconds);
    perRound.push(results);
    log('.');
  }
  const rows = targets.map((target, index) => {
    const all = perRound.map((results) => results[index]);
    return {
      target: target.label,
      requestsPerSecond: round(median(all.map((r) => r.requestsPerSecond)), 0),
      p50Ms: round(median(all.map((r) => r.p50Ms)), 2),
      p99Ms: round(median(all.map((r) => r.p99Ms)), 2),
      cpuMicrosPerRequest: round(median(all.map((r) => r.cpuMicrosPerRequest)), 1),
      rssMiB: round(Math.max(...all.map((r) => r.rssMiB)), 0),
      errors: all.reduce((sum, r) => sum + r.errors, 0),
      rounds: all.map((r) => ({
        requestsPerSecond: round(r.requestsPerSecond, 0),
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        cpuMicrosPerRequest: round(r.cpuMicrosPerRequest, 1),
        rssMiB: round(r.rssMiB, 0),
        ...(r.side === undefined ? {} : { side: r.side }),
      })),
    };
  });
  const ratios = perRound.map(([a, b]) => b.requestsPerSecond / a.requestsPerSecond);
  const cpuRatios = perRound.map(([a, b]) => b.cpuMicrosPerRequest / a.cpuMicrosPerRequest);
  return {
    rows,
    ratio: round(median(ratios), 3),
    ratios: ratios.map((r) => round(r, 3)),
    cpuRatio: round(median(cpuRatios), 2),
  };
}

/** Paired rounds of a write operation on phonegraph against the bare SQLite loop. */
async function pairedWrites(op, { pg, ids, bareDb, idsFile, perChange, config }) {
  const bare = () =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          path.join(REPO_ROOT, 'bench', 'bare-sqlite-writes.js'),
          '--db',
          bareDb,
          '--op',
          op,
          '--seconds',
          String(config.writeSeconds),
          '--ids',
          idsFile,
          '--history',
          String(perChange.history),
          '--outbox',
          String(perChange.outbox),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
      child.once('exit', (code) => {
        if (code !== 0) return reject(new Error(`bare-sqlite-writes ${op} exited ${code}`));
        const { transactions, seconds } = JSON.parse(out);
        resolve(transactions / seconds);
      });
    });
  const toggle = createToggler(pg.url);
  const phonegraph = async () => {
    const cpuBefore = cpuMicros(pg.pid);
    const operation = op === 'qr' ? (id) => createQr(pg.url, id) : toggle;
    const { operations, seconds } = await runWrites(ids, operation, {
      seconds: config.writeSeconds,
      concurrency: config.writeConcurrency,
    });
    return { perSecond: operations / seconds, cpuMicros: (cpuMicros(pg.pid) - cpuBefore) / operations };
  };
  const rounds = [];
  for (let r = 0; r < config.writeRounds; r += 1) {
    let bareRate;
    let pgResult;
    if (r % 2 === 0) {
      bareRate = await bare();
      pgResult = await phonegraph();
    } else {
      pgResult = await phonegraph();
      bareRate = await bare();
    }
    rounds.push({
      bare: round(bareRate, 0),
      phonegraph: round(pgResult.perSecond, 0),
      cpuMicros: round(pgResult.cpuMicros, 0),
    });
    log('.');
  }
  return {
    barePerSecond: round(median(rounds.map((r) => r.bare)), 0),
    phonegraphPerSecond: round(median(rounds.map((r) => r.phonegraph)), 0),
    serverCpuMicrosPerWrite: round(median(rounds.map((r) => r.cpuMicros)), 0),
    ratio: round(median(rounds.map((r) => r.phonegraph / r.bare)), 3),
    rounds,
  };
}

/** History and outbox rows one admin status change adds, counted in the database around one change. */
async function rowsPerChange(db, toggle, id) {
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  const counts = () => ({
    history: reader.prepare('SELECT COUNT(*) AS n FROM history').get().n,
    outbox: reader.prepare('SELECT COUNT(*) AS n FROM outbox').get().n,
  });
  try {
    const before = counts();
    await toggle(id);
    const after = counts();
    return { history: after.history - before.history, outbox: after.outbox - before.outbox };
  } finally {
    reader.close();
  }
}

// ---------------------------------------------------------------------------------------------------

let tmp;
let redis;

async function copyDatabase(from, to) {
  await copyFile(from, to);
  for (const suffix of ['-wal', '-shm']) {
    const exists = await stat(from + suffix).then(
      () => true,
      () => false,
    );
    if (exists) await copyFile(from + suffix, to + suffix);
  }
}

async function benchSize(size, config, { withRedis }) {
  const name = sizeLabel(size);
  const result = { numbers: size };
  const { document, ids } = generateScenario({
    numbers: size,
    wabas: config.wabas,
    pendingNames: config.pendingNames,
  });
  const scenarioFile = path.join(tmp, `bench-${size}.json`);
  await writeFile(scenarioFile, JSON.stringify(document));
  const db = path.join(tmp, `bench-${size}.db`);

  // Load into an empty database.
  log(`[${name}] loading the scenario… `);
  const loader = await startPhonegraph(
    `load ${name}`,
    ['--db', db, '--scenario', scenarioFile, '--reset'],
    config.startTimeoutSeconds,
  );
  const loadMemory = memoryMiB(loader.pid);
  await stopChild(loader.entry);
  result.load = {
    seconds: round(loader.startupSeconds, 1),
    peakRssMiB: round(loadMemory.peak, 0),
    rssAtListeningMiB: round(loadMemory.rss, 0),
  };
  log(`${result.load.seconds} s, peak ${result.load.peakRssMiB} MiB\n`);
  const bareDb = path.join(tmp, `bench-${size}-bare-writes.db`);
  await copyDatabase(db, bareDb);
  const redisDb = path.join(tmp, `bench-${size}-redis.db`);
  if (withRedis) await copyDatabase(db, redisDb);

  // Restart on the loaded database: this server is the one measured below.
  const pg = await startPhonegraph(`phonegraph ${name}`, ['--db', db], config.startTimeoutSeconds);
  const idle = memoryMiB(pg.pid);
  result.restart = { seconds: round(pg.startupSeconds, 2), idleRssMiB: round(idle.rss, 0) };
  log(
    `[${name}] restart ${result.restart.seconds} s, idle RSS ${result.restart.idleRssMiB} MiB; checking responses… `,
  );
  const captured = await checkAndCapture(
    `phonegraph ${name}`,
    pg.url,
    ids,
    Math.min(CAPTURED_SAMPLES, size + 2),
  );
  const capturedFile = path.join(tmp, `captured-${size}.json`);
  await writeFile(capturedFile, JSON.stringify(captured));
  const bare = await startChild(
    `bare ${name}`,
    process.execPath,
    [path.join(REPO_ROOT, 'bench', 'bare-server.js'), '--port', '0', '--responses', capturedFile],
    { timeoutSeconds: 60, listening: /^bare listening on (http:\/\/\S+)$/ },
  );
  await checkBare(bare.url, pg.url, captured);
  result.responseBytes = {
    body: round(median(captured.map((c) => Buffer.byteLength(c.body, 'latin1'))), 0),
    headers: round(
      median(captured.map((c) => c.headers.reduce((sum, [n, v]) => sum + n.length + v.length + 4, 0))),
      0,
    ),
  };
  log('ok\n');

  const pathsFile = path.join(tmp, `paths-${size}.txt`);
  const paths = await preparePaths(pathsFile, ids, Math.max(size, config.minPaths), readPath);
  const load = { pathsFile, paths, connections: config.connections };
  const rounds = { rounds: config.rounds, seconds: config.roundSeconds, warmupSeconds: config.warmupSeconds };

  log(`[${name}] reads: bare vs phonegraph, ${config.rounds} paired rounds of ${config.roundSeconds} s `);
  result.reads = await pairedRounds(
    [
      { label: `bare node:http, phonegraph's bytes (${name})`, pid: bare.pid, url: bare.url },
      { label: `phonegraph ${name} numbers`, pid: pg.pid, url: pg.url },
    ],
    load,
    rounds,
  );
  log(` ${result.reads.ratio}× bare\n`);
  await stopChild(bare.entry);

  log(`[${name}] reads with and without ${config.trickleRate} status changes/s `);
  const toggle = createToggler(pg.url);
  const toggleIds = toggleableIds(ids);
  // One number for counting the rows a change writes, then disjoint halves for the trickle and the writes.
  const [probeId, ...rest] = toggleIds;
  const trickleIds = rest.filter((_, i) => i % 2 === 1);
  const writeIds = rest.filter((_, i) => i % 2 === 0);
  result.trickle = await pairedRounds(
    [
      { label: `phonegraph ${name}, no writes`, pid: pg.pid, url: pg.url },
      {
        label: `phonegraph ${name}, ${config.trickleRate} writes/s`,
        pid: pg.pid,
        url: pg.url,
        during: () => startTrickle(trickleIds, toggle, config.trickleRate),
      },
    ],
    load,
    { ...rounds, rounds: config.trickleRounds },
  );
  log(` ${result.trickle.ratio}×\n`);

  if (withRedis) {
    log(`[${name}] reads: BUC in memory vs in Redis `);
    const pgRedis = await startPhonegraph(
      `phonegraph ${name} redis`,
      ['--db', redisDb, '--redis', redis.url],
      config.startTimeoutSeconds,
    );
    await checkAndCapture(`phonegraph ${name}, BUC in Redis`, pgRedis.url, ids, 8);
    result.redis = await pairedRounds(
      [
        { label: `phonegraph ${name}, BUC in memory`, pid: pg.pid, url: pg.url },
        { label: `phonegraph ${name}, BUC in Redis`, pid: pgRedis.pid, url: pgRedis.url },
      ],
      load,
      rounds,
    );
    await stopChild(pgRedis.entry);
    log(` ${result.redis.ratio}×\n`);
  }

  log(`[${name}] writes vs bare better-sqlite3 `);
  const idsFile = path.join(tmp, `write-ids-${size}.json`);
  await writeFile(idsFile, JSON.stringify(writeIds));
  const perChange = await rowsPerChange(db, createToggler(pg.url), probeId);
  const writeContext = { pg, ids: writeIds, bareDb, idsFile, perChange, config };
  result.writes = {
    rowsPerStatusChange: perChange,
    statusChange: await pairedWrites('status', writeContext),
    qrCreate: await pairedWrites('qr', writeContext),
  };
  log(` status ${result.writes.statusChange.ratio}×, QR ${result.writes.qrCreate.ratio}×\n`);
  await stopChild(pg.entry);
  await rm(path.join(tmp, `bench-${size}-bare-writes.db`), { force: true });
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Report

function table(header, lines) {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...lines.map((line) => String(line[i]).length)),
  );
  const render = (cells) =>
    `| ${cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i === 0 ? `-${'-'.repeat(width)}-` : `-${'-'.repeat(width)}:`)).join('|')}|`;
  return [render(header), rule, ...lines.map(render)].join('\n');
}

function detailTable(results) {
  const lines = [];
  for (const size of results) {
    for (const [group, pair] of [
      ['reads', size.reads],
      ['trickle', size.trickle],
      ['redis', size.redis],
    ]) {
      if (pair === undefined) continue;
      pair.rows.forEach((row, index) =>
        lines.push([
          row.target,
          row.requestsPerSecond,
          row.p50Ms.toFixed(2),
          row.p99Ms.toFixed(2),
          row.cpuMicrosPerRequest.toFixed(1),
          row.rssMiB,
          index === 0 ? 'base' : times(pair.ratio),
          row.errors,
        ]),
      );
    }
  }
  return table(
    ['target (median of rounds)', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS MiB', 'ratio', 'errors'],
    lines,
  );
}

function writeTable(results) {
  const lines = [];
  for (const size of results) {
    for (const [label, w] of [
      ['admin status change', size.writes.statusChange],
      ['Graph QR create', size.writes.qrCreate],
    ]) {
      lines.push([
        `${label}, ${sizeLabel(size.numbers)}`,
        w.phonegraphPerSecond,
        w.barePerSecond,
        times(w.ratio),
        w.serverCpuMicrosPerWrite,
      ]);
    }
  }
  return table(
    ['write (median of rounds)', 'phonegraph/s', 'bare SQLite tx/s', 'ratio', 'server CPU µs/write'],
    lines,
  );
}

/** The issue's targets table, "now" filled from this run. */
function targetsTable(results, config) {
  const first = results[0];
  const largest = results[results.length - 1];
  const at = (size) => (size.numbers === 1_000_000 ? '' : ` (at ${sizeLabel(size.numbers)}; 1M not run)`);
  const perSize = (pick) => results.map((size) => `${sizeLabel(size.numbers)} ${pick(size)}`).join(', ');
  const rows = [];
  const add = (figure, now, target, met) =>
    rows.push([figure, now, target, met === undefined ? '–' : met ? 'yes' : 'no']);
  add(
    `read path vs bare with identical bytes, ${sizeLabel(first.numbers)} numbers`,
    times(first.reads.ratio),
    '≥ 0.6×',
    first.numbers === 1000 ? first.reads.ratio >= 0.6 : undefined,
  );
  const scale = largest.reads.ratio / first.reads.ratio;
  add(
    `read path at ${sizeLabel(largest.numbers)} numbers vs at ${sizeLabel(first.numbers)}, random ids`,
    results.length > 1 ? `${times(scale)}${at(largest)}` : 'needs two sizes',
    '≥ 0.9×',
    results.length > 1 ? scale >= 0.9 : undefined,
  );
  const cpu = results.map((size) => size.reads.cpuRatio);
  add(
    'server CPU per request vs bare',
    perSize((size) => times(size.reads.cpuRatio)),
    '≤ 2×',
    Math.max(...cpu) <= 2,
  );
  const underLoad = Math.max(
    ...largest.reads.rows[1].rounds.map((r) => r.rssMiB),
    largest.trickle.rows[0].rssMiB,
    largest.trickle.rows[1].rssMiB,
  );
  add(
    `RSS at ${sizeLabel(largest.numbers)} numbers, idle and under load`,
    `idle ${largest.restart.idleRssMiB} MiB, under load ≤ ${underLoad} MiB${at(largest)}`,
    '≤ 250 MB',
    largest.numbers === 1_000_000 ? Math.max(underLoad, largest.restart.idleRssMiB) <= 250 : undefined,
  );
  add(
    `restart on an existing ${sizeLabel(largest.numbers)} database (to the listening line)`,
    `${perSize((size) => `${size.restart.seconds} s`)}`,
    '≤ 1 s (1M)',
    largest.numbers === 1_000_000 ? largest.restart.seconds <= 1 : undefined,
  );
  add(
    `load a ${sizeLabel(largest.numbers)}-number scenario into an empty database`,
    perSize((size) => `${size.load.seconds} s, ${size.load.peakRssMiB} MiB peak`),
    '≤ 60 s, ≤ 500 MB peak (1M)',
    largest.numbers === 1_000_000 ? largest.load.seconds <= 60 && largest.load.peakRssMiB <= 500 : undefined,
  );
  const writeRatios = results.flatMap((size) => [size.writes.statusChange.ratio, size.writes.qrCreate.ratio]);
  add(
    'admin status change and Graph QR create vs bare better-sqlite3 transactions',
    perSize(
      (size) => `status ${times(size.writes.statusChange.ratio)} / QR ${times(size.writes.qrCreate.ratio)}`,
    ),
    '≥ 0.3×',
    Math.min(...writeRatios) >= 0.3,
  );
  add(
    `random reads during ${config.trickleRate} writes/s vs without`,
    perSize((size) => times(size.trickle.ratio)),
    '≥ 0.95×',
    Math.min(...results.map((size) => size.trickle.ratio)) >= 0.95,
  );
  const withRedis = results.find((size) => size.redis !== undefined);
  add(
    'Redis BUC backend vs memory backend',
    withRedis === undefined
      ? 'not run (no redis-server)'
      : `${times(withRedis.redis.ratio)} (${sizeLabel(withRedis.numbers)})`,
    '≥ 0.8×',
    withRedis === undefined ? undefined : withRedis.redis.ratio >= 0.8,
  );
  return table(['figure', 'now (this run)', 'target', 'met'], rows);
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

/** Runs another bench module (webhooks.js, dashboard.js) in its own process; resolves with its exit code. */
function runBenchModule(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bench', file)], {
      stdio: 'inherit',
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** bench/scale-out.js: three instances on one PostgreSQL and one Redis (it uses the TS test helpers). */
function runScaleOutBench() {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'bench', 'scale-out.js')],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      },
    );
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function cleanUp() {
  await stopAllChildren();
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
}

async function main() {
  const config = readConfig(process.argv.slice(2));
  tmp = await mkdtemp(path.join(os.tmpdir(), 'phonegraph-bench-'));
  const loadAverageBefore = os.loadavg().map((value) => round(value, 2));
  console.log(
    `phonegraph benchmark: sizes ${config.sizes.map(sizeLabel).join(', ')}; load generator ${config.generator} ` +
      `(${config.connections} connections); ${config.warmupSeconds} s warm-up, ${config.rounds} paired rounds of ` +
      `${config.roundSeconds} s; ${os.cpus().length} CPUs, node ${process.version}; load average ${loadAverageBefore.join(' ')}`,
  );
  try {
    redis = await startRedis();
    if (redis === undefined) console.log('redis-server not found: the Redis row is skipped');
    const results = [];
    for (const [index, size] of config.sizes.entries()) {
      results.push(await benchSize(size, config, { withRedis: index === 0 && redis !== undefined }));
    }
    const postgres =
      process.env.BENCH_SKIP_POSTGRES === '1'
        ? undefined
        : await benchPostgres(config, { tmp, checkAndCapture, log });
    const loadAverageAfter = os.loadavg().map((value) => round(value, 2));
    console.log(
      `\nRead path (GET ${readPath('{id}')}, random ids, ${config.generator}):\n${detailTable(results)}`,
    );
    console.log(
      `\nWrites (${config.writeConcurrency} concurrent clients; bare = better-sqlite3 loop, same transaction, copy of the same database):\n${writeTable(results)}`,
    );
    console.log(
      `\nTargets (ratios are medians of per-round ratios measured in this run):\n${targetsTable(results, config)}`,
    );
    if (postgres !== undefined)
      console.log(`\nPostgreSQL beside SQLite:\n${postgresTables(postgres, table, times)}`);
    console.log(`\nload average before ${loadAverageBefore.join(' ')}, after ${loadAverageAfter.join(' ')}`);

    const report = {
      benchmark: 'performance',
      date: new Date().toISOString(),
      request: `GET ${readPath('{id}')} with {id} random over the whole id range`,
      config,
      machine: machine(),
      loadAverage: { before: loadAverageBefore, after: loadAverageAfter },
      results,
      ...(postgres === undefined ? {} : { postgres }),
    };
    await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`results written to ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}`);

    const failed = results.flatMap((size) =>
      [size.reads, size.trickle, size.redis].flatMap(
        (pair) => pair?.rows.filter((row) => row.errors > 0) ?? [],
      ),
    );
    failed.push(...(postgres?.reads?.rows.filter((row) => row.errors > 0) ?? []));
    if (failed.length > 0) {
      console.error(
        `error: non-2xx answers, socket errors or timeouts: ${failed.map((row) => row.target).join(', ')}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await cleanUp();
  }
  if (process.env.BENCH_SKIP_WEBHOOKS !== '1' && process.exitCode === undefined) {
    console.log('');
    process.exitCode = await runBenchModule('webhooks.js');
  }
  if (process.env.BENCH_SKIP_DASHBOARD !== '1' && (process.exitCode ?? 0) === 0) {
    console.log('');
    process.exitCode = await runBenchModule('dashboard.js');
  }
  if (process.env.BENCH_SKIP_SCALE !== '1' && !process.exitCode) {
    console.log('');
    process.exitCode = await runScaleOutBench();
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    cleanUp().finally(() => process.exit(130));
  });
}
process.once('exit', killAllChildrenNow);

main().catch(async (error) => {
  console.error(`\nerror: ${error instanceof Error ? error.message : String(error)}`);
  await cleanUp();
  process.exitCode = 1;
});
