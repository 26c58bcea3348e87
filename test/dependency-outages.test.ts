// What the server says when what it depends on breaks (issue #10): Redis killed under a running server,
// a database that became unwritable. Real redis-server, real SQLite files.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, describe, test } from 'node:test';
import { RedisWindow } from '../src/limits/redis-window.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';
import { startPrivateRedis } from './helpers/redis-server.ts';

const N = ID.connected;
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(url);
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

/** Polls until `check` passes: recovery is asynchronous (a client reconnecting), never timed. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never: ${what}`);
}

async function serverOn(store: SqliteStore, extra: { bucWindow?: RedisWindow } = {}): Promise<RunningServer> {
  await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
  const server = await startServer({ store, host: '127.0.0.1', port: 0, ...extra });
  cleanups.push(() => server.close());
  return server;
}

describe('a Redis that goes away', { timeout: 120_000 }, () => {
  test('health says 503 naming redis; Graph answers code 2; both recover when Redis is back', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const server = await serverOn(new SqliteStore({ path: ':memory:' }), {
      bucWindow: new RedisWindow(redis.url),
    });
    const read = `${server.url}/v21.0/${N}?fields=status&access_token=T-ALL`;

    const healthy = await getJson(`${server.url}/__admin/health`);
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.status, 'ok');
    assert.equal(healthy.body.redis, 'ok');
    assert.equal(healthy.body.database, 'ok');
    assert.equal((await getJson(read)).status, 200);

    await redis.stop();
    const down = await getJson(`${server.url}/__admin/health`);
    assert.equal(down.status, 503);
    assert.deepEqual(
      {
        status: down.body.status,
        failing: down.body.failing,
        redis: down.body.redis,
        database: down.body.database,
      },
      { status: 'unavailable', failing: ['redis'], redis: 'unavailable', database: 'ok' },
    );
    const failed = await getJson(read);
    assert.equal(failed.status, 500);
    const error = failed.body.error as Record<string, unknown>;
    assert.deepEqual(
      { message: error.message, type: error.type, is_transient: error.is_transient, code: error.code },
      {
        message: 'An unexpected error has occurred. Please retry your request later.',
        type: 'OAuthException',
        is_transient: true,
        code: 2,
      },
    );

    const back = await startPrivateRedis(redis.port);
    cleanups.push(() => back.stop());
    await eventually(async () => (await getJson(read)).status === 200, 'Graph reads recover');
    await eventually(
      async () => (await getJson(`${server.url}/__admin/health`)).status === 200,
      'health recovers',
    );
  });

  test('says "not_configured" for Redis when it is not configured', async () => {
    const server = await serverOn(new SqliteStore({ path: ':memory:' }));
    const health = await getJson(`${server.url}/__admin/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body.redis, 'not_configured');
  });
});

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));

/** The compiled CLI as a child process (`npm run build` first; `npm test` does). */
function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Makes a path unwritable even for root: the immutable attribute (ext4, xfs, btrfs). */
function immutable(path: string, on: boolean): void {
  execFileSync('chattr', [on ? '+i' : '-i', path], { stdio: 'ignore' });
}

function canUseChattr(): boolean {
  const dir = mkdtempSync(`${tmpdir()}/pg-chattr-`);
  try {
    immutable(dir, true);
    immutable(dir, false);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const chattrSkip = canUseChattr() ? false : 'chattr +i is not available here (not root, or not ext4/xfs)';

describe('a database that cannot be written', { timeout: 120_000, skip: chattrSkip }, () => {
  test('refuses to open a read-only file or directory at start, naming the path', () => {
    const dir = mkdtempSync(`${tmpdir()}/pg-ro-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = `${dir}/state.db`;
    new SqliteStore({ path: file }).close();
    immutable(file, true);
    try {
      assert.throws(() => new SqliteStore({ path: file }), {
        name: 'StoreOpenError',
        message: `database ${file} is read-only (attempt to write a readonly database); make the file and its directory ${dir} writable`,
      });
    } finally {
      immutable(file, false);
    }
    immutable(dir, true);
    try {
      assert.throws(() => new SqliteStore({ path: `${dir}/new.db` }), {
        name: 'StoreOpenError',
        message: `cannot open database ${dir}/new.db (unable to open database file); check that the directory ${dir} exists and is writable`,
      });
    } finally {
      immutable(dir, false);
    }
  });

  test('phonegraph serve on a read-only database exits 1 with one line naming the path', async () => {
    const dir = mkdtempSync(`${tmpdir()}/pg-ro-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = `${dir}/state.db`;
    new SqliteStore({ path: file }).close();
    immutable(file, true);
    try {
      const exit = await runCli(['serve', '--db', file, '--port', '0']);
      assert.equal(exit.code, 1);
      assert.equal(
        exit.stderr,
        `error: database ${file} is read-only (attempt to write a readonly database); make the file and its directory ${dir} writable\n`,
      );
    } finally {
      immutable(file, false);
    }
  });

  test('a database file made unwritable while running: health 503, admin 503 unavailable, Graph code 2', async () => {
    const dir = mkdtempSync(`${tmpdir()}/pg-ro-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = `${dir}/state.db`;
    const server = await serverOn(new SqliteStore({ path: file }));
    // The main file and its WAL; the shared-memory index stays (it is mapped, not written through a descriptor).
    immutable(file, true);
    immutable(`${file}-wal`, true);
    try {
      const health = await getJson(`${server.url}/__admin/health`);
      assert.equal(health.status, 503);
      assert.equal(health.body.database, 'unavailable');
      assert.deepEqual(health.body.failing, ['database']);

      const admin = await fetch(`${server.url}/__admin/phone-numbers/${N}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"status":"FLAGGED"}',
      });
      assert.equal(admin.status, 503);
      const adminError = ((await admin.json()) as { error: { code: string; message: string } }).error;
      assert.equal(adminError.code, 'unavailable');
      assert.match(adminError.message, /^The database is unavailable: /);

      const graph = await fetch(`${server.url}/v21.0/${N}/register?access_token=T-ALL`, {
        method: 'POST',
        body: new URLSearchParams({ messaging_product: 'whatsapp', pin: '123456' }),
      });
      const graphError = ((await graph.json()) as { error: { code: number; is_transient?: boolean } }).error;
      assert.equal(graphError.code, 2);
      assert.equal(graphError.is_transient, true);
    } finally {
      immutable(`${file}-wal`, false);
      immutable(file, false);
    }
  });
});
