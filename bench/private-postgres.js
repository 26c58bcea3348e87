// A private PostgreSQL cluster for the test suites and the benchmark: initdb into a temp dir, a free
// loopback port, the unix socket in the temp dir, fsync off; never the system cluster. As root it runs as
// the `postgres` user (the server refuses to run as root). Plain JS so that `npm run bench` (no tsx) can
// use it; test/helpers/postgres-server.ts re-exports it with its types (private-postgres.d.ts).
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb (Debian's layout), else PATH. */
function binDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined;
}

/** Whether a private cluster can be started here (the binaries are installed). */
export function postgresAvailable() {
  if (binDir() !== undefined) return true;
  try {
    execFileSync('initdb', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The uid/gid to run the server as: the `postgres` user when we are root, else ourselves. */
function runAs() {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function waitForReady(url, child, log) {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`);
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new Error(`postgres did not accept connections: ${log()}`);
}

/**
 * Starts the cluster. `background: true` lets the process exit while the cluster runs (no pipes, unref'd
 * child); the cluster is then killed and its directory removed when the process exits.
 */
export async function startPrivatePostgres(options = {}) {
  const dir = binDir();
  const bin = (name) => (dir === undefined ? name : join(dir, name));
  const user = runAs();
  const root = mkdtempSync(join(tmpdir(), 'phonegraph-pg-'));
  if (user !== undefined) chownSync(root, user.uid, user.gid);
  const data = join(root, 'data');
  execFileSync(bin('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale'], {
    stdio: 'pipe',
    ...user,
  });
  const port = await freePort();
  let output = '';
  const child = spawn(
    bin('postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      root,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { stdio: options.background === true ? 'ignore' : ['ignore', 'pipe', 'pipe'], ...user },
  );
  if (options.background === true) {
    child.unref();
    process.once('exit', () => {
      // The backends notice the postmaster's death and exit on their own.
      child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    });
  }
  child.stdout?.on('data', (chunk) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk) => (output += chunk.toString()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = () =>
    new Promise((resolve) => {
      const done = () => {
        rmSync(root, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      // SIGINT = fast shutdown: disconnects clients and exits cleanly.
      child.kill('SIGINT');
    });
  try {
    await waitForReady(url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  let databases = 0;
  return {
    url,
    pid: child.pid,
    async createDatabase() {
      const name = `t${++databases}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
