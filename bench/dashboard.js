// Dashboard benchmark (issue 15: an open dashboard must not slow the Graph read path).
// `phonegraph serve` in a child process with a generated scenario; a real chromium (playwright-core,
// Debian /usr/bin/chromium) may have /__dashboard/ open with its event stream connected. Paired rounds,
// the order alternating, each under the same trickle of admin status changes (so the page streams):
//   without   the Graph read load (GET /v21.0/{id}?fields=…, random ids), no dashboard page open
//   with      the same load with the dashboard page open on the board and streaming
// ratio = median of per-round (with / without) req/s; target ≥ 0.95. Server CPU µs/request is reported
// for both, and the page's own requests per round prove that it streamed (a round where it made none
// fails the run). Results: a table on stdout and JSON in .bench/dashboard.json (or
// BENCH_DASHBOARD_RESULTS). `npm run bench` runs it after bench/webhooks.js; BENCH_SKIP_DASHBOARD=1 skips.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { generatorName, preparePaths, runReadLoad } from './load-generator.js';
import { cpuMicros, killAllChildrenNow, REPO_ROOT, startPhonegraph, stopAllChildren } from './processes.js';
import { expectedReadBody, generateScenario, indexOfId, readPath } from './scenario-generator.js';
import { createToggler, startTrickle, toggleableIds } from './write-load.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS_FILE = process.env.BENCH_DASHBOARD_RESULTS || path.join(REPO_ROOT, '.bench', 'dashboard.json');
/** What one dashboard wait may take on a loaded machine before the run is called failed. */
const PAGE_TIMEOUT_MS = 120_000;

function intFromEnv(name, fallback, min = 1) {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

const config = {
  numbers: intFromEnv('BENCH_DASHBOARD_NUMBERS', 1_000),
  rounds: intFromEnv('BENCH_DASHBOARD_ROUNDS', 5),
  seconds: intFromEnv('BENCH_DASHBOARD_SECONDS', 5),
  warmupSeconds: intFromEnv('BENCH_WARMUP', 3, 0),
  connections: intFromEnv('BENCH_CONNECTIONS', 50),
  trickleRate: intFromEnv('BENCH_TRICKLE_RATE', 10),
  paths: intFromEnv('BENCH_PATHS', 100_000),
  target: 0.95,
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));

const CLOCK_TICKS = 100;

/**
 * User + system CPU of every chromium process below this one (browser, renderers, GPU and utility
 * processes), in microseconds: where the machine's time goes while the page is open.
 */
function browserCpuMicros() {
  const processes = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    processes.set(Number(name), {
      comm,
      ppid: Number(fields[1]),
      micros: ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS,
    });
  }
  const below = (pid) => {
    for (let p = processes.get(pid)?.ppid; p !== undefined && p > 1; p = processes.get(p)?.ppid) {
      if (p === process.pid) return true;
    }
    return false;
  };
  let total = 0;
  for (const [pid, entry] of processes) if (/chrom/i.test(entry.comm) && below(pid)) total += entry.micros;
  return total;
}

/** The benchmarked request must answer exactly the generated body, or the figures mean nothing. */
async function checkReads(url, ids) {
  for (const id of [ids[0], ids[ids.length - 1], ids[Math.floor(ids.length / 2)]]) {
    const response = await fetch(`${url}${readPath(id)}`);
    const body = await response.text();
    const expected = JSON.stringify(expectedReadBody(indexOfId(id)));
    if (response.status !== 200 || body !== expected) {
      throw new Error(`GET ${readPath(id)}: expected 200 ${expected}, got ${response.status} ${body}`);
    }
  }
}

/** Opens the board and waits until its event stream is connected and it has rendered. */
async function openDashboard(browser, url) {
  const page = await browser.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT_MS);
  const counter = { requests: 0 };
  page.on('request', () => (counter.requests += 1));
  await page.goto(`${url}/__dashboard/`);
  await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
  await page.waitForFunction(() => (document.getElementById('main')?.childElementCount ?? 0) > 0);
  counter.requests = 0;
  return { page, counter };
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the dashboard benchmark needs Debian chromium at ${CHROMIUM}: apt-get install -y chromium`,
    );
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pg-bench-dashboard-'));
  let browser;
  try {
    const { document, ids } = generateScenario({ numbers: config.numbers });
    const scenarioFile = path.join(tmp, 'scenario.json');
    await writeFile(scenarioFile, JSON.stringify(document));
    const pg = await startPhonegraph(
      'phonegraph (dashboard bench)',
      ['--db', path.join(tmp, 'bench.db'), '--scenario', scenarioFile, '--reset'],
      900,
    );
    await checkReads(pg.url, ids);
    const pathsFile = path.join(tmp, 'paths.txt');
    const paths = await preparePaths(pathsFile, ids, Math.max(config.numbers, config.paths), readPath);
    const trickleIds = toggleableIds(ids);
    if (trickleIds.length === 0) throw new Error('the generated scenario has no CONNECTED number to toggle');
    const toggle = createToggler(pg.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });

    const measure = async (withDashboard, roundIndex, seconds) => {
      const dashboard = withDashboard ? await openDashboard(browser, pg.url) : undefined;
      let cpuBefore = cpuMicros(pg.pid);
      let browserBefore = browserCpuMicros();
      let stopTrickle;
      try {
        const result = await runReadLoad({
          url: pg.url,
          pathsFile,
          paths,
          offset: roundIndex * 7_919,
          seconds,
          connections: config.connections,
          onStart: () => {
            cpuBefore = cpuMicros(pg.pid);
            browserBefore = browserCpuMicros();
            stopTrickle = startTrickle(trickleIds, toggle, config.trickleRate);
          },
        });
        const cpu = cpuMicros(pg.pid) - cpuBefore;
        const browserCpu = browserCpuMicros() - browserBefore;
        const trickle = await stopTrickle();
        return {
          requestsPerSecond: result.requestsPerSecond,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          errors: result.errors,
          cpuMicrosPerRequest: result.requests > 0 ? cpu / result.requests : NaN,
          changes: trickle.writes,
          browserCpuPercent: (browserCpu / (seconds * 1_000_000)) * 100,
          ...(dashboard === undefined ? {} : { pageRequests: dashboard.counter.requests }),
        };
      } finally {
        await dashboard?.page.close();
      }
    };

    process.stdout.write(
      `dashboard bench: ${config.numbers} numbers, ${generatorName} (${config.connections} connections), ` +
        `${config.trickleRate} status changes/s, ${config.rounds} paired rounds of ${config.seconds} s `,
    );
    if (config.warmupSeconds > 0) {
      await measure(false, 99, config.warmupSeconds);
      await measure(true, 98, config.warmupSeconds);
    }
    const perRound = [];
    for (let r = 0; r < config.rounds; r += 1) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      const results = {};
      for (const withDashboard of order)
        results[withDashboard ? 'with' : 'without'] = await measure(withDashboard, r, config.seconds);
      perRound.push(results);
      process.stdout.write('.');
    }
    process.stdout.write('\n');

    const summary = (key) => {
      const all = perRound.map((results) => results[key]);
      return {
        requestsPerSecond: round(median(all.map((r) => r.requestsPerSecond)), 0),
        p50Ms: round(median(all.map((r) => r.p50Ms)), 2),
        p99Ms: round(median(all.map((r) => r.p99Ms)), 2),
        cpuMicrosPerRequest: round(median(all.map((r) => r.cpuMicrosPerRequest)), 1),
        errors: all.reduce((sum, r) => sum + r.errors, 0),
        changesPerRound: all.map((r) => r.changes),
        browserCpuPercent: round(median(all.map((r) => r.browserCpuPercent)), 1),
        ...(key === 'with' ? { pageRequestsPerRound: all.map((r) => r.pageRequests) } : {}),
      };
    };
    const ratios = perRound.map((r) => r.with.requestsPerSecond / r.without.requestsPerSecond);
    const cpuRatios = perRound.map((r) => r.with.cpuMicrosPerRequest / r.without.cpuMicrosPerRequest);
    const report = {
      benchmark: 'dashboard',
      date: new Date().toISOString(),
      request: `GET ${readPath('{id}')} with {id} random over ${config.numbers} numbers`,
      config: { ...config, generator: generatorName },
      loadAverage: os.loadavg().map((value) => round(value, 2)),
      without: summary('without'),
      with: summary('with'),
      ratio: round(median(ratios), 3),
      ratios: ratios.map((value) => round(value, 3)),
      cpuRatio: round(median(cpuRatios), 2),
    };
    report.targetMet = report.ratio >= config.target;
    const row = (label, s) =>
      `  ${label.padEnd(30)}${String(s.requestsPerSecond).padStart(8)} req/s  p50 ${s.p50Ms} ms  p99 ${s.p99Ms} ms  ` +
      `${s.cpuMicrosPerRequest} µs CPU/req  chromium ${s.browserCpuPercent}% of a core`;
    console.log(`Graph reads under ${config.trickleRate} status changes/s, dashboard open vs not:`);
    console.log(row('without a dashboard', report.without));
    console.log(row('with the dashboard streaming', report.with));
    console.log(`  page requests per round       ${report.with.pageRequestsPerRound.join(', ')}`);
    console.log(
      `  ratio (median of rounds)      ${report.ratio.toFixed(3)}× [${report.ratios.join(', ')}]; ` +
        `CPU/req ${report.cpuRatio}×; target ≥ ${config.target}: ${report.targetMet ? 'met' : 'NOT met'}`,
    );
    await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
    if (report.without.errors + report.with.errors > 0) {
      throw new Error('non-2xx answers, socket errors or timeouts during the read load');
    }
    if (report.with.pageRequestsPerRound.some((count) => count === 0)) {
      throw new Error('the dashboard page made no request in a round: it did not stream the changes');
    }
  } finally {
    await browser?.close();
    await stopAllChildren();
    await rm(tmp, { recursive: true, force: true });
  }
}

process.once('exit', killAllChildrenNow);
main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
