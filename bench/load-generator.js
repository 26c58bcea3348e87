// Read load for one target: request paths prepared before the run (a file, one path a line) and sent
// round-robin over keep-alive connections, so the load generator does the same work for every target.
// wrk (C, epoll; `apt-get install wrk`) is used when installed: on a 2-core machine the generator gets one
// core and must not be the bottleneck, and wrk costs a fraction of autocannon's CPU per request. Without
// wrk, autocannon (a devDependency) hands out the same prepared paths; its own cost per request is then
// larger, which lowers every target's req/s and the ratios' spread, and the report says which ran.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import { commandExists, REPO_ROOT } from './processes.js';

export const generatorName =
  process.env.BENCH_GENERATOR !== 'autocannon' && commandExists('wrk', ['-v']) ? 'wrk' : 'autocannon';

/** Writes `count` paths, each for an id drawn uniformly at random from `ids`, and returns them. */
export async function preparePaths(file, ids, count, pathOf) {
  const paths = new Array(count);
  for (let i = 0; i < count; i += 1) paths[i] = pathOf(ids[Math.floor(Math.random() * ids.length)]);
  await writeFile(file, `${paths.join('\n')}\n`);
  return paths;
}

/**
 * Runs `seconds` of load against `url` and resolves with { requests, requestsPerSecond, p50Ms, p99Ms,
 * errors } (errors counts non-2xx/3xx answers, socket errors and timeouts). `onStart` is called once the
 * prepared requests are loaded, right before the load starts (wrk reads its paths file first).
 */
export function runReadLoad({ url, pathsFile, paths, offset, seconds, connections, onStart = () => {} }) {
  return generatorName === 'wrk'
    ? runWrk(url, pathsFile, offset, seconds, connections, onStart)
    : runAutocannon(url, paths, offset, seconds, connections, onStart);
}

function runWrk(url, pathsFile, offset, seconds, connections, onStart) {
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--timeout',
    '10s',
    '-s',
    path.join(REPO_ROOT, 'bench', 'paths.lua'),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, {
      env: { ...process.env, BENCH_PATHS: pathsFile, BENCH_OFFSET: String(offset) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    let started = false;
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (!started && out.includes('BENCH_READY')) {
        started = true;
        onStart();
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /^BENCH_RESULT (.*)$/m.exec(out);
      if (!started) onStart(); // never reached in practice; keeps the caller's bookkeeping whole
      if (code !== 0 || line === null) return reject(new Error(`wrk exited ${code}:\n${out}`));
      const r = JSON.parse(line[1]);
      resolve({
        requests: r.requests,
        requestsPerSecond: r.requests / (r.duration_us / 1e6),
        p50Ms: r.p50_us / 1000,
        p99Ms: r.p99_us / 1000,
        errors: r.connect + r.read + r.write + r.status + r.timeout,
      });
    });
  });
}

async function runAutocannon(url, paths, offset, seconds, connections, onStart) {
  let next = offset;
  onStart();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          request.path = paths[next++ % paths.length];
          return request;
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}
