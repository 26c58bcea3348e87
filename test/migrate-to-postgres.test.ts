// Moving a SQLite state into PostgreSQL as docs/scale-out.md says: `admin export` against the SQLite
// server, `admin reset --scenario` against the PostgreSQL one; the PostgreSQL server then exports the
// same bytes and serves the same answers. Real processes, a real file, a private cluster.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/postgres-server.ts';
import { childEnv, ROOT, runNode, ServeProcess } from './helpers/serve-process.ts';

const TIMEOUT = { timeout: 180_000 };
const BIN = join(ROOT, 'bin', 'phonegraph.js');
const NUMBER = '400000000000101';
const READ = `/v21.0/${NUMBER}?fields=status,messaging_limit_tier&access_token=`;

let postgres: PrivatePostgres;
let dir: string;
before(async () => {
  postgres = await startPrivatePostgres({ background: true });
  dir = mkdtempSync(join(tmpdir(), 'phonegraph-migrate-'));
});
after(async () => {
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function listening(process: ServeProcess): Promise<string> {
  const [first] = await process.lines(1);
  const url = /^phonegraph listening on (http:\/\/\S+)$/.exec(first ?? '')?.[1];
  assert.ok(url, `unexpected first line: ${first}`);
  return url;
}

async function admin(url: string, ...args: string[]): Promise<string> {
  const result = await runNode([BIN, 'admin', ...args, '--base-url', url], childEnv());
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

test('a SQLite state moves into PostgreSQL with admin export and admin reset', TIMEOUT, async () => {
  const sqlite = new ServeProcess(
    ['--db', join(dir, 'state.db'), '--port', '0', '--log-level', 'warn'],
    ROOT,
  );
  const target = new ServeProcess(
    ['--postgres', await postgres.createDatabase(), '--port', '0', '--log-level', 'warn'],
    ROOT,
  );
  try {
    const [from, to] = await Promise.all([listening(sqlite), listening(target)]);
    const token = /demo token \([^)]*\): (\S+)/.exec(sqlite.stdout)?.[1];
    assert.ok(token, sqlite.stdout);
    // A state that is not the demo's any more.
    const changed = await fetch(`${from}/__admin/phone-numbers/${NUMBER}/quality`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_limit_tier: 'TIER_100K' }),
    });
    assert.equal(changed.status, 200);
    const file = join(dir, 'state.json');
    await admin(from, 'export', file);
    await admin(to, 'reset', '--scenario', file);
    const exported = join(dir, 'again.json');
    await admin(to, 'export', exported);
    assert.equal(readFileSync(exported, 'utf8'), readFileSync(file, 'utf8'), 'the same state, byte for byte');
    const [before, moved] = await Promise.all([
      fetch(`${from}${READ}${token}`).then((response) => response.json()),
      fetch(`${to}${READ}${token}`).then((response) => response.json()),
    ]);
    assert.deepEqual(moved, before);
    assert.equal((moved as { messaging_limit_tier: string }).messaging_limit_tier, 'TIER_100K');
    // The PostgreSQL instance without --redis says its limits are its own.
    assert.match(target.stderr, /warning: --postgres without --redis: rate limits are counted per instance/);
    const health = (await (await fetch(`${to}/__admin/health`)).json()) as Record<string, unknown>;
    assert.equal(health.rate_limits, 'per_instance');
  } finally {
    await Promise.all([sqlite.stop(), target.stop()]);
  }
});
