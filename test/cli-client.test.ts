import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../src/server/start.ts';
import { ID } from './helpers/graph-app.ts';
import { admin, startGraphServer } from './helpers/sdk-server.ts';

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnCli(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PHONEGRAPH_'))),
    ...extraEnv,
  };
  return spawn(process.execPath, [BIN, ...args], { env, stdio: 'pipe' });
}

/** The built CLI as a child process, without any PHONEGRAPH_* variable of the test's environment. */
function cli(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const child = spawnCli(args, extraEnv);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('phonegraph client commands against a test server', () => {
  let server: RunningServer;
  let run: (...args: string[]) => Promise<Run>;
  before(async () => {
    server = await startGraphServer();
    run = (...args) => cli([...args, '--base-url', server.url, '--token', 'T-ALL']);
  });
  after(() => server.close());

  test('status prints a readable summary, or the selected fields, or JSON', async () => {
    const summary = await run('status', ID.flagged);
    assert.equal(summary.code, 0, summary.stderr);
    assert.equal(
      summary.stdout,
      [
        `+1 555-020-0002  Caf\u00e9 / Bar \u{1F600}  (id ${ID.flagged})`,
        'status:   FLAGGED',
        'name:     Caf\u00e9 / Bar \u{1F600} (APPROVED)',
        'quality:  YELLOW (Low quality)',
        'limit:    TIER_1K',
        'health:   LIMITED; PHONE_NUMBER LIMITED',
        '',
      ].join('\n'),
    );
    const fields = await run('status', ID.connected, '--fields', 'status,verified_name');
    assert.equal(
      fields.stdout,
      `status:         CONNECTED\nverified_name:  Support Line\nid:             ${ID.connected}\n`,
    );
    const json = await run('status', ID.connected, '--fields', 'status', '--json');
    assert.deepEqual(JSON.parse(json.stdout), { status: 'CONNECTED', id: ID.connected });
  });

  test('numbers prints a table, filtered, or JSON', async () => {
    const all = await run('numbers', ID.waba);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID\s+NUMBER\s+NAME\s+STATUS\s+QUALITY\s+LIMIT$/);
    assert.equal(lines.length, 4);
    const filtered = await run('numbers', ID.waba, '--filter', 'status=CONNECTED', '--json');
    assert.deepEqual(
      (JSON.parse(filtered.stdout) as { id: string; status: string }[]).map((n) => [n.id, n.status]),
      [[ID.connected, 'CONNECTED']],
    );
  });

  test('qr create, list and delete', async () => {
    const created = await run('qr', 'create', ID.connected, '--message', 'Hi there', '--json');
    assert.equal(created.code, 0, created.stderr);
    const { code } = JSON.parse(created.stdout) as { code: string };
    const listed = await run('qr', 'list', ID.connected);
    assert.match(listed.stdout, new RegExp(`^${code}\\s+https://wa\\.me/message/${code}\\s+Hi there$`, 'm'));
    assert.equal((await run('qr', 'delete', ID.connected, code)).stdout, `deleted ${code}\n`);
    const again = await run('qr', 'delete', ID.connected, code);
    assert.equal(again.code, 3);
  });

  test('watch prints each change with a timestamp', async () => {
    const child = spawnCli(
      ['watch', ID.waba, '--interval', '50ms', '--count', '1', '--base-url', server.url],
      {
        PHONEGRAPH_TOKEN: 'T-ALL',
      },
    );
    let stdout = '';
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    // The first line, or the end of the process (then the assertion below shows what it printed).
    await Promise.race([
      closed,
      new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve();
        }),
      ),
    ]);
    assert.equal(stdout, `watching 3 numbers of WABA ${ID.waba} every 50ms\n`);
    await admin(server, 'POST', `phone-numbers/${ID.connected}/status`, { status: 'FLAGGED' });
    assert.equal(await closed, 0);
    const change = stdout.trimEnd().split('\n')[1] ?? '';
    assert.match(
      change,
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z  ${ID.connected}  \\+1 555-020-0001  status  CONNECTED -> FLAGGED$`,
      ),
    );
  });

  test('status notes on stderr that the SDK retried an injected fault, and --no-retry exits 3 with it', async () => {
    const adminCli = (...args: string[]) => cli(['admin', ...args, '--base-url', server.url]);
    const added = await adminCli(
      'faults',
      'add',
      '--code',
      '2',
      '--phone-number',
      ID.connected,
      '--times',
      '2',
    );
    assert.equal(added.code, 0, added.stderr);
    try {
      const retried = await run('status', ID.connected, '--fields', 'status');
      assert.equal(retried.code, 0, retried.stderr);
      // The watch test may have flagged this number: what matters is a normal answer after the retries.
      assert.match(retried.stdout, new RegExp(`^status: +[A-Z_]+\nid: +${ID.connected}\n$`));
      assert.equal(retried.stderr, '(retried 2 times: code 2)\n');

      const again = await adminCli(
        'faults',
        'add',
        '--code',
        '2',
        '--phone-number',
        ID.connected,
        '--times',
        '2',
      );
      assert.equal(again.code, 0, again.stderr);
      const once = await run('status', ID.connected, '--no-retry');
      assert.equal(once.code, 3);
      assert.equal(once.stdout, '');
      assert.match(once.stderr, /^error: .* \(code 2\)\n$/);
    } finally {
      assert.equal((await adminCli('faults', 'clear')).code, 0);
    }
    const clean = await run('status', ID.connected, '--fields', 'status');
    assert.equal(clean.stderr, '', 'no note when nothing was retried');
  });

  test('exit codes: 2 usage, 3 Graph error, 4 network', async () => {
    const noToken = await cli(['status', ID.connected, '--base-url', server.url]);
    assert.equal(noToken.code, 2);
    assert.equal(noToken.stderr, 'error: a token is needed: --token T or PHONEGRAPH_TOKEN\n');
    assert.equal((await run('status')).code, 2);
    const missing = await run('status', '999999999');
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /^error: Unsupported get request\. .* \(code 100\/33\)\n$/);
    const closed = await startGraphServer();
    const url = closed.url;
    await closed.close();
    const network = await cli(['status', ID.connected, '--base-url', url], { PHONEGRAPH_TOKEN: 'T-ALL' });
    assert.equal(network.code, 4);
    assert.match(network.stderr, /^error: Cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  });
});
