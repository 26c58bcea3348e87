// Child processes of the benchmark and what Linux says about them: start a server and wait for its
// listening line, stop it, read its CPU time and memory from /proc, start a private redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STOP_GRACE_MS = 15_000;
/** Clock ticks per second of utime/stime in /proc/PID/stat (USER_HZ; 100 on every Linux we run on). */
const CLOCK_TICKS = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();

/** Every child still running, so that any exit path can stop them. */
const children = new Set();

/**
 * Starts `command ...args` and resolves once a stdout line matches `listening` (its first group is the
 * URL). Rejects (and kills the child) if it exits first or takes longer than `timeoutSeconds`.
 */
export function startChild(label, command, args, { timeoutSeconds = 600, listening, env } = {}) {
  const startedAt = performance.now();
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
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
      for (const line of stdout.split('\n').slice(0, -1)) {
        const match = listening.exec(line.trim());
        if (match === null) continue;
        settled = true;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume(); // keep draining whatever else it prints
        child.off('exit', onEarlyExit);
        resolve({
          entry,
          pid: child.pid,
          url: match[1],
          startupSeconds: (performance.now() - startedAt) / 1_000,
        });
        return;
      }
    };
    const onEarlyExit = (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.once('exit', onEarlyExit);
    child.once('error', (error) => fail(`could not start (${error.message})`));
  });
}

/** `phonegraph serve --port 0 --log-level warn …` (the built CLI), resolved at its listening line. */
export function startPhonegraph(label, serveArgs, timeoutSeconds) {
  return startChild(
    label,
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin', 'phonegraph.js'),
      'serve',
      '--port',
      '0',
      '--log-level',
      'warn',
      ...serveArgs,
    ],
    { timeoutSeconds, listening: /^phonegraph listening on (http:\/\/\S+)$/ },
  );
}

/** SIGTERM, then SIGKILL if it has not exited within the grace period. */
export async function stopChild(entry) {
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

export async function stopAllChildren() {
  await Promise.all([...children].map((entry) => stopChild(entry)));
}

/** Last resort if something exits the process while children run. */
export function killAllChildrenNow() {
  for (const entry of children) entry.child.kill('SIGKILL');
}

/** User + system CPU time the process has used so far, in microseconds (`/proc/PID/stat`). */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14, 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
}

/** `VmRSS` (now) and `VmHWM` (peak so far) of a live process in MiB, from `/proc/PID/status`. */
export function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Whether `command` can be started at all (it is on PATH), whatever it exits with. */
export function commandExists(command, args = ['--version']) {
  return spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
}

/** A private redis-server (no persistence) on a free loopback port; undefined when not installed. */
export async function startRedis() {
  if (!commandExists('redis-server')) return undefined;
  const port = await freePort();
  const server = await startChild(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { timeoutSeconds: 30, listening: /(Ready to accept connections)/ },
  );
  return { entry: server.entry, pid: server.pid, url: `redis://127.0.0.1:${port}` };
}
