// The PostgreSQL store beside SQLite, in the same `npm run bench` run (called by bench/performance.js;
// BENCH_SKIP_POSTGRES=1 skips it). On a private cluster (bench/private-postgres.js: initdb into a temp dir,
// a free loopback port, never the system cluster), one generated scenario of BENCH_POSTGRES_SIZE numbers
// (default: the run's first size) is loaded into `serve --db F` and into `serve --postgres URL`, then:
//   reads    the read path of performance.js on both stores against the bare node:http server replaying
//            phonegraph's captured bytes: rounds of three targets, the order rotating each round, ratio =
//            median of per-round ratios (SQLite/bare, PostgreSQL/bare, PostgreSQL/SQLite)
//   writes   admin status changes/s and Graph QR creates/s on both stores, paired rounds (order alternating)
// Server CPU is phonegraph's process only: on PostgreSQL the database's own CPU is in its backends.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runReadLoad, preparePaths } from './load-generator.js';
import { postgresAvailable, startPrivatePostgres } from './private-postgres.js';
import { cpuMicros, memoryMiB, REPO_ROOT, startChild, startPhonegraph, stopChild } from './processes.js';
import { generateScenario, readPath } from './scenario-generator.js';
import { createQr, createToggler, runWrites, toggleableIds } from './write-load.js';

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));

/** Rounds of every target, the order rotating by one each round; per target the median of its rounds. */
async function rotatingRounds(targets, load, { rounds, seconds, warmupSeconds }, log) {
  const measure = async (target, roundIndex, measuredSeconds) => {
    let cpuBefore = cpuMicros(target.pid);
    const result = await runReadLoad({
      ...load,
      url: target.url,
      offset: roundIndex * 7_919,
      seconds: measuredSeconds,
      onStart: () => {
        cpuBefore = cpuMicros(target.pid);
      },
    });
    const cpu = cpuMicros(target.pid) - cpuBefore;
    return {
      ...result,
      cpuMicrosPerRequest: result.requests > 0 ? cpu / result.requests : NaN,
      rssMiB: memoryMiB(target.pid).rss,
    };
  };
  if (warmupSeconds > 0) for (const target of targets) await measure(target, 99, warmupSeconds);
  const perRound = [];
  for (let r = 0; r < rounds; r += 1) {
    const results = [];
    for (let k = 0; k < targets.length; k += 1) {
      const index = (r + k) % targets.length;
      results[index] = await measure(targets[index], r, seconds);
    }
    perRound.push(results);
    log('.');
  }
  return targets.map((target, index) => {
    const all = perRound.map((results) => results[index]);
    return {
      target: target.label,
      requestsPerSecond: round(median(all.map((r) => r.requestsPerSecond)), 0),
      p50Ms: round(median(all.map((r) => r.p50Ms)), 2),
      p99Ms: round(median(all.map((r) => r.p99Ms)), 2),
      cpuMicrosPerRequest: round(median(all.map((r) => r.cpuMicrosPerRequest)), 1),
      rssMiB: round(Math.max(...all.map((r) => r.rssMiB)), 0),
      errors: all.reduce((sum, r) => sum + r.errors, 0),
      perRound: all.map((r) => r.requestsPerSecond),
    };
  });
}

/** Paired rounds of one write operation on the SQLite and the PostgreSQL server, the order alternating. */
async function pairedWrites(servers, operationFor, ids, config, log) {
  const run = async (server) => {
    const cpuBefore = cpuMicros(server.pid);
    const { operations, seconds } = await runWrites(ids, operationFor(server), {
      seconds: config.writeSeconds,
      concurrency: config.writeConcurrency,
    });
    return { perSecond: operations / seconds, cpuMicros: (cpuMicros(server.pid) - cpuBefore) / operations };
  };
  const rounds = [];
  for (let r = 0; r < config.writeRounds; r += 1) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    const results = [];
    for (const index of order) results[index] = await run(servers[index]);
    rounds.push({
      sqlite: round(results[0].perSecond, 0),
      postgres: round(results[1].perSecond, 0),
      sqliteCpuMicros: round(results[0].cpuMicros, 0),
      postgresCpuMicros: round(results[1].cpuMicros, 0),
    });
    log('.');
  }
  return {
    sqlitePerSecond: round(median(rounds.map((r) => r.sqlite)), 0),
    postgresPerSecond: round(median(rounds.map((r) => r.postgres)), 0),
    sqliteCpuMicrosPerWrite: round(median(rounds.map((r) => r.sqliteCpuMicros)), 0),
    postgresCpuMicrosPerWrite: round(median(rounds.map((r) => r.postgresCpuMicros)), 0),
    ratio: round(median(rounds.map((r) => r.postgres / r.sqlite)), 3),
    rounds,
  };
}

/**
 * Runs the PostgreSQL figures. `tools` comes from performance.js: `tmp` (its temp dir), `checkAndCapture`
 * (the response check of the read path), `log`. Resolves with the figures, or `{ skipped }` when no
 * PostgreSQL binaries are installed.
 */
export async function benchPostgres(config, { tmp, checkAndCapture, log }) {
  if (!postgresAvailable()) return { skipped: 'PostgreSQL binaries (initdb) not found' };
  const size = Number(process.env.BENCH_POSTGRES_SIZE || config.sizes[0]);
  if (!Number.isInteger(size) || size < 1) throw new Error('BENCH_POSTGRES_SIZE must be a positive integer');
  const { document, ids } = generateScenario({ numbers: size, wabas: config.wabas });
  const scenarioFile = path.join(tmp, `postgres-${size}.json`);
  await writeFile(scenarioFile, JSON.stringify(document));
  const cluster = await startPrivatePostgres();
  const started = [];
  try {
    const databaseUrl = await cluster.createDatabase();
    log(`[postgres ${size}] loading the scenario into SQLite and PostgreSQL… `);
    const load = ['--scenario', scenarioFile, '--reset'];
    const timeout = config.startTimeoutSeconds;
    const sqlite = await startPhonegraph(
      `phonegraph sqlite ${size}`,
      ['--db', path.join(tmp, `postgres-bench-${size}.db`), ...load],
      timeout,
    );
    started.push(sqlite);
    const postgres = await startPhonegraph(
      `phonegraph postgres ${size}`,
      ['--postgres', databaseUrl, ...load],
      timeout,
    );
    started.push(postgres);
    const result = {
      numbers: size,
      load: {
        sqliteSeconds: round(sqlite.startupSeconds, 1),
        postgresSeconds: round(postgres.startupSeconds, 1),
      },
    };
    log(
      `SQLite ${result.load.sqliteSeconds} s, PostgreSQL ${result.load.postgresSeconds} s; checking responses… `,
    );
    const samples = Math.min(64, size + 2);
    const captured = await checkAndCapture(`phonegraph sqlite ${size}`, sqlite.url, ids, samples);
    await checkAndCapture(`phonegraph postgres ${size}`, postgres.url, ids, samples);
    const capturedFile = path.join(tmp, `postgres-captured-${size}.json`);
    await writeFile(capturedFile, JSON.stringify(captured));
    const bare = await startChild(
      `bare postgres ${size}`,
      process.execPath,
      [path.join(REPO_ROOT, 'bench', 'bare-server.js'), '--port', '0', '--responses', capturedFile],
      { timeoutSeconds: 60, listening: /^bare listening on (http:\/\/\S+)$/ },
    );
    started.push(bare);
    log('ok\n');

    const pathsFile = path.join(tmp, `postgres-paths-${size}.txt`);
    const paths = await preparePaths(pathsFile, ids, Math.max(size, config.minPaths), readPath);
    log(
      `[postgres ${size}] reads: bare, SQLite, PostgreSQL, ${config.rounds} rotating rounds of ${config.roundSeconds} s `,
    );
    const rows = await rotatingRounds(
      [
        { label: `bare node:http, phonegraph's bytes (${size})`, pid: bare.pid, url: bare.url },
        { label: `phonegraph on SQLite (${size})`, pid: sqlite.pid, url: sqlite.url },
        { label: `phonegraph on PostgreSQL (${size})`, pid: postgres.pid, url: postgres.url },
      ],
      { pathsFile, paths, connections: config.connections },
      { rounds: config.rounds, seconds: config.roundSeconds, warmupSeconds: config.warmupSeconds },
      log,
    );
    const [bareRow, sqliteRow, postgresRow] = rows;
    const perRound = (row) => row.perRound.map((value, r) => value / bareRow.perRound[r]);
    const sqliteRatios = perRound(sqliteRow);
    const postgresRatios = perRound(postgresRow);
    result.reads = {
      rows,
      sqliteRatio: round(median(sqliteRatios), 3),
      postgresRatio: round(median(postgresRatios), 3),
      postgresVsSqlite: round(median(postgresRatios.map((value, r) => value / sqliteRatios[r])), 3),
    };
    await stopChild(bare.entry);
    log(
      ` SQLite ${result.reads.sqliteRatio}× bare, PostgreSQL ${result.reads.postgresRatio}× bare (${result.reads.postgresVsSqlite}× SQLite's)\n`,
    );

    log(`[postgres ${size}] writes: SQLite vs PostgreSQL `);
    const writeIds = toggleableIds(ids);
    const togglers = new Map([sqlite, postgres].map((server) => [server, createToggler(server.url)]));
    result.writes = {
      statusChange: await pairedWrites(
        [sqlite, postgres],
        (server) => togglers.get(server),
        writeIds,
        config,
        log,
      ),
      qrCreate: await pairedWrites(
        [sqlite, postgres],
        (server) => (id) => createQr(server.url, id),
        writeIds,
        config,
        log,
      ),
    };
    log(
      ` status ${result.writes.statusChange.postgresPerSecond}/s vs ${result.writes.statusChange.sqlitePerSecond}/s, ` +
        `QR ${result.writes.qrCreate.postgresPerSecond}/s vs ${result.writes.qrCreate.sqlitePerSecond}/s\n`,
    );
    return result;
  } finally {
    for (const server of started) await stopChild(server.entry);
    await cluster.stop();
  }
}

/** The PostgreSQL figures as two tables (markdown), with `table` of performance.js. */
export function postgresTables(result, table, times) {
  if (result.skipped !== undefined) return `PostgreSQL: skipped (${result.skipped})`;
  const reads = table(
    ['read path (median of rounds)', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'RSS MiB', 'ratio vs bare'],
    result.reads.rows.map((row, index) => [
      row.target,
      row.requestsPerSecond,
      row.p50Ms.toFixed(2),
      row.p99Ms.toFixed(2),
      row.cpuMicrosPerRequest.toFixed(1),
      row.rssMiB,
      index === 0 ? 'base' : times(index === 1 ? result.reads.sqliteRatio : result.reads.postgresRatio),
    ]),
  );
  const writes = table(
    [
      'write (median of rounds)',
      'SQLite/s',
      'PostgreSQL/s',
      'PostgreSQL vs SQLite',
      'CPU µs/write SQLite / PG',
    ],
    [
      ['admin status change', result.writes.statusChange],
      ['Graph QR create', result.writes.qrCreate],
    ].map(([label, w]) => [
      label,
      w.sqlitePerSecond,
      w.postgresPerSecond,
      times(w.ratio),
      `${w.sqliteCpuMicrosPerWrite} / ${w.postgresCpuMicrosPerWrite}`,
    ]),
  );
  const met = result.reads.postgresVsSqlite >= 0.8 ? 'met' : 'NOT met';
  return (
    `${reads}\n\nPostgreSQL's ratio is ${times(result.reads.postgresVsSqlite)} SQLite's (target ≥ 0.8×: ${met}).\n\n` +
    writes
  );
}
