// `phonegraph serve --postgres` and `phonegraph migrate` as real child processes on a private PostgreSQL
// cluster. Runs the compiled bin (`npm run build` first; `npm test` does).
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/postgres-server.ts';

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const DEMO_TOKEN = 'EAAG-demo-acme-connect-token';
const DEMO_NUMBER = '400000000000101';
const FIRST_LINE = /^phonegraph listening on (http:\/\/127\.0\.0\.1:\d+)$/m;
const TIMEOUT = { timeout: 120_000 };

let cluster: PrivatePostgres;
const children = new Set<ChildProcessWithoutNullStreams>();

before(async () => {
  cluster = await startPrivatePostgres();
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await cluster.stop();
});

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!key.startsWith('PHONEGRAPH_')) env[key] = value;
  return { ...env, ...extra };
}

interface Child {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: 'pipe' });
  children.add(child);
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output, exited };
}

async function run(args: readonly string[], env: Record<string, string> = {}) {
  const started = start(args, env);
  const code = await started.exited;
  return { code, ...started.output };
}

/** Waits for the first line (the child's own readiness signal), or fails when the child exits first. */
async function serve(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Child & { url: string }> {
  const started = start(['serve', '--port', '0', '--log-level', 'warn', ...args], env);
  let exitedCode: number | null | undefined;
  void started.exited.then((code) => (exitedCode = code));
  for (;;) {
    const match = FIRST_LINE.exec(started.output.stdout);
    if (match !== null) return { ...started, url: match[1]! };
    if (exitedCode !== undefined) {
      throw new Error(`serve exited with ${exitedCode}: ${started.output.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop(server: Child): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

test('migrate applies the schema once, also when two run together', TIMEOUT, async () => {
  const url = await cluster.createDatabase();
  const [first, second] = await Promise.all([
    run(['migrate', '--postgres', url]),
    run(['migrate', '--postgres', url]),
  ]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(second.code, 0, second.stderr);
  assert.match(first.stdout, /^schema version 6 at postgres:\/\/postgres@127\.0\.0\.1:\d+\/t\d+\n$/);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows;
    assert.deepEqual(
      rows,
      [1, 2, 3, 4, 5, 6].map((version) => ({ version })),
    );
  } finally {
    await client.end();
  }
  const again = await run(['migrate'], { PHONEGRAPH_POSTGRES: url });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^schema version 6 at /);
});

test('migrate without a URL, with a bad one or an unreachable server exits 2, 2 and 4', TIMEOUT, async () => {
  const missing = await run(['migrate']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--postgres <url> is required/);
  const bad = await run(['migrate', '--postgres', 'mysql://x@127.0.0.1/db']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--postgres must be a postgres:\/\/ URL/);
  const closed = await run(['migrate', '--postgres', 'postgres://u:secret@127.0.0.1:1/db']);
  assert.equal(closed.code, 4);
  assert.match(closed.stderr, /^error: cannot use PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: /);
  assert.doesNotMatch(closed.stderr, /secret/);
});

test('serve --postgres loads the demo, serves it, and keeps changes across a restart', TIMEOUT, async () => {
  const url = await cluster.createDatabase();
  const first = await serve(['--postgres', url]);
  const read = await fetch(`${first.url}/v21.0/${DEMO_NUMBER}?fields=id,status&access_token=${DEMO_TOKEN}`);
  assert.equal(read.status, 200);
  assert.deepEqual(await read.json(), { id: DEMO_NUMBER, status: 'CONNECTED' });
  const created = await fetch(
    `${first.url}/v21.0/${DEMO_NUMBER}/message_qrdls?prefilled_message=kept&access_token=${DEMO_TOKEN}`,
    { method: 'POST' },
  );
  assert.equal(created.status, 200);
  const qr = (await created.json()) as { code: string; prefilled_message: string };
  assert.equal(qr.prefilled_message, 'kept');
  assert.equal(await stop(first), 0);

  const second = await serve([], { PHONEGRAPH_POSTGRES: url });
  try {
    const again = await fetch(
      `${second.url}/v21.0/${DEMO_NUMBER}/message_qrdls/${qr.code}?fields=code,prefilled_message&access_token=${DEMO_TOKEN}`,
    );
    assert.equal(again.status, 200);
    const body = (await again.json()) as { data?: unknown[] };
    assert.deepEqual(body, { data: [{ code: qr.code, prefilled_message: 'kept' }] });
  } finally {
    assert.equal(await stop(second), 0);
  }
});

test(
  'serve --postgres with an unreachable server exits 4 and names the URL without its password',
  TIMEOUT,
  async () => {
    const result = await run(['serve', '--port', '0', '--postgres', 'postgres://u:secret@127.0.0.1:1/db']);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /cannot use PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/);
    assert.doesNotMatch(result.stderr, /secret/);
  },
);
