// Help, version and usage errors of the `phonegraph` CLI (issue #9 item 3; docs/cli.md "Help and version").
// Runs the compiled bin as a child process (`npm run build` first; `npm test` does); the walk over every
// command's help runs `main` in-process with captured output, which is the same code the bin runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { main } from '../src/cli/main.ts';

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const TIMEOUT = { timeout: 60_000 };

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built CLI as a child process, without any PHONEGRAPH_* variable of the test's environment. */
function cli(args: readonly string[]): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('PHONEGRAPH_')),
  );
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** `main` in this process, with its output captured. */
async function inProcess(args: readonly string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: {},
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    fetch: globalThis.fetch,
  });
  return { code, stdout, stderr };
}

describe('phonegraph help and version', () => {
  test(
    'serve --help prints its flags, the env var of each and an example on stdout, exit 0',
    TIMEOUT,
    async () => {
      for (const flag of ['--help', '-h']) {
        const run = await cli(['serve', flag]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, '');
        assert.match(run.stdout, /^Usage: phonegraph serve \[options\]\n/);
        for (const [option, env] of [
          ['--host <address>', 'PHONEGRAPH_HOST'],
          ['--port <port>', 'PHONEGRAPH_PORT'],
          ['--db <path>', 'PHONEGRAPH_DB'],
          ['--scenario <file>', 'PHONEGRAPH_SCENARIO'],
          ['--reset', 'PHONEGRAPH_RESET'],
          ['--admin-token <token>', 'PHONEGRAPH_ADMIN_TOKEN'],
          ['--redis <url>', 'PHONEGRAPH_REDIS'],
          ['--public-url <url>', 'PHONEGRAPH_PUBLIC_URL'],
          ['--log-level <level>', 'PHONEGRAPH_LOG_LEVEL'],
          ['--webhook-retry-window <duration>', 'PHONEGRAPH_WEBHOOK_RETRY_WINDOW'],
          ['--journal-size <n>', 'PHONEGRAPH_JOURNAL_SIZE'],
        ] as const) {
          assert.ok(run.stdout.includes(option), `${option} in:\n${run.stdout}`);
          assert.ok(run.stdout.replace(/\s+/g, ' ').includes(env), `${env} in:\n${run.stdout}`);
        }
        assert.match(run.stdout, /\nExamples:\n {2}\$ phonegraph serve\n/);
      }
    },
  );

  test(
    'admin faults add --help prints the fault flags, the admin env vars and an example',
    TIMEOUT,
    async () => {
      const run = await cli(['admin', 'faults', 'add', '--help']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Usage: phonegraph admin faults add \[options\]\n/);
      for (const option of [
        '--code <n>',
        '--delay-ms <n>',
        '--drop-connection',
        '--times <n>',
        '--base-url <url>',
      ])
        assert.ok(run.stdout.includes(option), `${option} in:\n${run.stdout}`);
      const flat = run.stdout.replace(/\s+/g, ' ');
      assert.ok(flat.includes('env: PHONEGRAPH_ADMIN_TOKEN'), run.stdout);
      assert.ok(flat.includes('env: PHONEGRAPH_BASE_URL'), run.stdout);
      assert.match(run.stdout, /\$ phonegraph admin faults add --code 2 /);
    },
  );

  test('--version and -V print the package version', TIMEOUT, async () => {
    for (const flag of ['--version', '-V']) {
      const run = await cli([flag]);
      assert.deepEqual(run, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });

  test('help lists every command on stdout, exit 0', TIMEOUT, async () => {
    const run = await cli(['help']);
    assert.equal(run.code, 0, run.stderr);
    for (const command of ['serve', 'status', 'numbers', 'watch', 'qr', 'cert', 'scenario', 'admin'])
      assert.match(run.stdout, new RegExp(`^ {2}${command}\\b`, 'm'));
    const serve = await cli(['help', 'serve']);
    assert.equal(serve.code, 0);
    assert.match(serve.stdout, /^Usage: phonegraph serve /);
  });

  const COMMANDS = [
    'serve',
    'status',
    'numbers',
    'watch',
    'qr',
    'qr create',
    'qr list',
    'qr delete',
    'cert',
    'cert verify',
    'scenario',
    'scenario schema',
    'scenario validate',
    'admin',
    'admin set-status',
    'admin name-review',
    'admin quality',
    'admin otp',
    'admin reset',
    'admin export',
    'admin clock',
    'admin clock advance',
    'admin clock set',
    'admin clock real',
    'admin faults',
    'admin faults add',
    'admin faults list',
    'admin faults delete',
    'admin faults clear',
    'admin rate-limits',
    'admin rate-limits set',
    'admin rate-limits exhaust',
  ];
  test('every command and subcommand answers --help and -h with its usage; leaves add an example', async () => {
    for (const path of COMMANDS) {
      for (const flag of ['--help', '-h']) {
        const run = await inProcess([...path.split(' '), flag]);
        assert.equal(run.code, 0, `${path} ${flag}: ${run.stderr}`);
        assert.equal(run.stderr, '', path);
        assert.ok(run.stdout.startsWith(`Usage: phonegraph ${path} `), `${path}:\n${run.stdout}`);
      }
      const help = (await inProcess([...path.split(' '), '--help'])).stdout;
      const groups = ['qr', 'cert', 'scenario', 'admin', 'admin faults'];
      if (!groups.includes(path)) assert.match(help, /\nExamples?:\n {2}\$ (\S+=\S+ )*phonegraph /, path);
    }
  });

  test('client commands document --no-retry and the env vars of --token and --base-url', async () => {
    for (const path of ['status', 'numbers', 'watch', 'qr create', 'qr list', 'qr delete']) {
      const flat = (await inProcess([...path.split(' '), '--help'])).stdout.replace(/\s+/g, ' ');
      assert.ok(flat.includes('--no-retry'), path);
      assert.ok(flat.includes('env: PHONEGRAPH_TOKEN'), path);
      assert.ok(flat.includes('env: PHONEGRAPH_BASE_URL'), path);
    }
  });
});

describe('phonegraph usage errors', () => {
  test('serve --prot 1 suggests --port and exits 2 without starting', TIMEOUT, async () => {
    const run = await cli(['serve', '--prot', '1']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, "error: unknown option '--prot'\n(Did you mean --port?)\n");
  });

  test('an unknown command near a known one gets a suggestion and exits 2', TIMEOUT, async () => {
    const run = await cli(['sevre']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      'error: unknown command sevre (phonegraph help lists them)\n(Did you mean serve?)\n',
    );
    const sub = await inProcess(['admin', 'fautls']);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /^error: unknown command 'fautls' \(usage: phonegraph admin /);
    assert.match(sub.stderr, /\(Did you mean faults\?\)/);
  });

  test('missing and extra arguments, unknown flags and a bare group exit 2 naming the usage', async () => {
    const missing = await inProcess(['status']);
    assert.deepEqual(missing, {
      code: 2,
      stdout: '',
      stderr: "error: missing required argument 'phone-id' (usage: phonegraph status [options] <phone-id>)\n",
    });
    const extra = await inProcess(['admin', 'otp', '1', '2']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /^error: too many arguments for 'otp'.* \(usage: phonegraph admin otp /);
    const foreign = await inProcess(['admin', 'otp', '1', '--code', '2']);
    assert.equal(foreign.code, 2, 'a flag of another admin command');
    assert.equal(foreign.stderr, "error: unknown option '--code'\n");
    const group = await inProcess(['admin']);
    assert.equal(group.code, 2);
    assert.equal(group.stdout, '');
    assert.match(group.stderr, /^Usage: phonegraph admin /);
    const none = await inProcess([]);
    assert.deepEqual(none, {
      code: 2,
      stdout: '',
      stderr: 'error: no command given (phonegraph help lists them)\n',
    });
  });

  test('an unreachable admin server still exits 4', async () => {
    const run = await inProcess(['admin', 'faults', 'list', '--base-url', 'http://127.0.0.1:1']);
    assert.equal(run.code, 4);
    assert.match(run.stderr, /^error: cannot reach http:\/\/127\.0\.0\.1:1/);
  });
});
