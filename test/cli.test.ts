// The `phonegraph` CLI as a real child process (control-plane.md §1-§2, phone-number.md §7).
// Runs the compiled bin (`npm run build` first; `npm test` does). Every server listens on --port 0.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const FIXTURE_DIR = fileURLToPath(new URL('fixtures/cli/', import.meta.url));
const DEMO_SCENARIO = fileURLToPath(new URL('../scenarios/demo.yaml', import.meta.url));

const DEMO_TOKEN = 'EAAG-demo-acme-connect-token';
const DEMO_NUMBER = '400000000000101';
const FIRST_LINE = /^phonegraph listening on http:\/\/127\.0\.0\.1:(\d+)$/;
/** Generous: a test here spawns up to seven processes, and a loaded 2-core machine starts each slowly. */
const TEST_TIMEOUT = { timeout: 120_000 };
/** How long a child may take to print its first line or to exit before the test gives up on it. */
const CHILD_TIMEOUT_MS = 60_000;

const fixture = (name: string): string => FIXTURE_DIR + name;

// ---------------------------------------------------------------------------------------------------
// Child processes: every one is tracked and killed in `after`, whatever the test did.

const children = new Set<ChildProcessWithoutNullStreams>();
const tempDirs: string[] = [];

after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(tmpdir() + '/pg-cli-');
  tempDirs.push(dir);
  return dir;
}

/** The test runner's environment without any PHONEGRAPH_* variable, plus `extra`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PHONEGRAPH_')) env[key] = value;
  }
  return { ...env, ...extra };
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
}

class Cli {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(args: readonly string[], options: RunOptions = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? tempDir(),
      env: cleanEnv(options.env),
      stdio: 'pipe',
    });
    children.add(this.child);
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        children.delete(this.child);
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Resolves with the first stdout line that satisfies `accept`; rejects if the child exits first. */
  async line(accept: (line: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + CHILD_TIMEOUT_MS;
    for (;;) {
      const complete = this.stdout.split('\n').slice(0, -1);
      const found = complete.find(accept);
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`exited before printing ${what}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`no ${what} in time; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The first stdout line, whatever it is. */
  async firstLine(): Promise<string> {
    await this.line(() => true, 'a first stdout line');
    return this.stdout.split('\n')[0] ?? '';
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    this.child.kill(signal);
    return this.finish();
  }

  /** Waits for the exit; a child still running after the timeout is killed and the test fails. */
  async finish(): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`did not exit in time; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      }, CHILD_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs a command to completion. */
function run(args: readonly string[], options: RunOptions = {}): Promise<Exit> {
  return new Cli(args, options).finish();
}

/** A serve process whose first line has been read; `url` is its base URL. */
interface Server {
  readonly cli: Cli;
  readonly url: string;
  /** Whether the demo's tokens are in its database, so that it prints the demo hints. */
  readonly demo: boolean;
}

/** Starts `serve --port 0 …` and reads its first line (and, for the demo, its `try:` line). */
async function serve(
  args: readonly string[],
  options: RunOptions & { demo?: boolean } = {},
): Promise<Server> {
  const cli = new Cli(['serve', '--port', '0', ...args], options);
  const first = await cli.firstLine();
  const match = FIRST_LINE.exec(first);
  assert.ok(match, `first stdout line ${JSON.stringify(first)}; stderr:\n${cli.stderr}`);
  const demo = options.demo ?? true;
  if (demo) await cli.line((line) => line.startsWith('try: '), 'the try: curl line');
  return { cli, url: `http://127.0.0.1:${match[1]}`, demo };
}

/** Stops a server with a signal and checks that it exited 0. */
async function stopServer(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  const exit = await server.cli.stop(signal);
  assert.equal(exit.code, 0, `exit code after ${signal}; stderr:\n${exit.stderr}`);
  return exit;
}

/** Stops a server (if still running) when the block ends, even when an assertion failed. */
async function withServer<T>(server: Server, body: (server: Server) => Promise<T>): Promise<T> {
  try {
    return await body(server);
  } finally {
    if (server.cli.child.exitCode === null && server.cli.child.signalCode === null) {
      server.cli.child.kill('SIGKILL');
      await server.cli.exited;
    }
  }
}

async function get(url: string): Promise<{ status: number; text: string; json: unknown }> {
  const response = await fetch(url);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function errorCode(body: unknown): unknown {
  return (body as { error?: { code?: unknown } } | undefined)?.error?.code;
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Asserts that stderr is exactly one `error: …` line and returns it. */
function oneErrorLine(exit: Exit): string {
  const all = lines(exit.stderr);
  assert.equal(all.length, 1, `stderr should be one line, got:\n${exit.stderr}`);
  const [line = ''] = all;
  assert.match(line, /^error: /);
  return line;
}

// ---------------------------------------------------------------------------------------------------

describe('phonegraph serve', () => {
  test(
    'prints the listening line first, then the demo token and a curl that works',
    TEST_TIMEOUT,
    async () => {
      const dir = tempDir();
      const server = await serve(['--db', `${dir}/a.db`], { cwd: dir });
      await withServer(server, async ({ cli, url }) => {
        const tokenLine = `demo token (Acme Connect): ${DEMO_TOKEN}`;
        await cli.line((line) => line === tokenLine, 'the Acme Connect demo token line');
        const tryLine = await cli.line((line) => line.startsWith('try: '), 'the try: curl line');
        const curl = /^try: curl -gs "([^"]+)"$/.exec(tryLine);
        assert.ok(curl, `curl line ${JSON.stringify(tryLine)}`);
        const curlUrl = curl[1] ?? '';
        assert.ok(curlUrl.startsWith(`${url}/`), `${curlUrl} points at ${url}`);

        const response = await get(curlUrl);
        assert.equal(response.status, 200);
        assert.equal(
          response.text,
          `{"status":"CONNECTED","quality_score":{"score":"GREEN"},"id":"${DEMO_NUMBER}"}`,
        );

        const exit = await stopServer(server, 'SIGTERM');
        assert.equal(exit.code, 0);
        const out = lines(exit.stdout);
        assert.match(out[0] ?? '', FIRST_LINE);
        for (const line of out.slice(1)) {
          assert.match(
            line,
            /^(demo token \([^)]+\): \S+|try: curl -gs "[^"]+")$/,
            'only hint lines on stdout',
          );
        }
        assert.ok(out.includes(tokenLine));
        assert.equal(out.filter((line) => line.startsWith('try: ')).length, 1);
        assert.match(exit.stderr, /\S/, 'the logs went to stderr');
      });
    },
  );

  test('exits 0 on SIGINT', TEST_TIMEOUT, async () => {
    const dir = tempDir();
    const server = await serve(['--db', `${dir}/a.db`], { cwd: dir });
    await withServer(server, async ({ url }) => {
      const response = await get(`${url}/v21.0/${DEMO_NUMBER}?fields=status&access_token=${DEMO_TOKEN}`);
      assert.equal(response.status, 200);
      const exit = await stopServer(server, 'SIGINT');
      assert.equal(exit.code, 0);
      assert.equal(exit.signal, null);
    });
  });

  test(
    'exits 0 on a SIGTERM sent as soon as the listening line is printed',
    {
      ...TEST_TIMEOUT,
    },
    async () => {
      const dir = tempDir();
      const cli = new Cli(['serve', '--port', '0', '--db', `${dir}/a.db`], { cwd: dir });
      try {
        assert.match(await cli.firstLine(), FIRST_LINE);
        cli.child.kill('SIGTERM');
        const exit = await cli.finish();
        assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
      } finally {
        cli.child.kill('SIGKILL');
      }
    },
  );

  test(
    'serves the same state after a restart on the same database, without loading the demo',
    TEST_TIMEOUT,
    async () => {
      const dir = tempDir();
      const db = `${dir}/p.db`;
      const token = 'EAAG-cli-two-numbers-token';
      const fields =
        'id,display_phone_number,verified_name,status,name_status,quality_score,messaging_limit_tier,certificate';
      const read = async (url: string): Promise<string[]> => {
        const bodies: string[] = [];
        for (const id of ['420000000000001', '420000000000002']) {
          const response = await get(`${url}/v21.0/${id}?fields=${fields}&access_token=${token}`);
          assert.equal(response.status, 200, response.text);
          bodies.push(response.text);
        }
        return bodies;
      };

      const first = await serve(['--db', db, '--scenario', fixture('two-numbers.yaml')], {
        cwd: dir,
        demo: false,
      });
      const before = await withServer(first, async ({ url }) => {
        const bodies = await read(url);
        const statuses = bodies.map((body) => (JSON.parse(body) as { status: unknown }).status);
        assert.deepEqual(statuses, ['CONNECTED', 'FLAGGED']);
        const exit = await stopServer(first);
        const out = lines(exit.stdout);
        assert.ok(out.includes('numbers (2): 420000000000001, 420000000000002'), exit.stdout);
        assert.ok(
          out.includes(`token (CLI Test App): ${token}`),
          `the scenario's token value:\n${exit.stdout}`,
        );
        assert.doesNotMatch(exit.stdout, /demo token/);
        return bodies;
      });

      const second = await serve(['--db', db], { cwd: dir, demo: false });
      await withServer(second, async ({ url }) => {
        assert.deepEqual(await read(url), before, 'byte-identical bodies after the restart');
        const demo = await get(`${url}/v21.0/${DEMO_NUMBER}?access_token=${DEMO_TOKEN}`);
        assert.equal(errorCode(demo.json), 190, demo.text);
        const exit = await stopServer(second);
        assert.doesNotMatch(exit.stdout, /demo token/, 'no demo hints');
        assert.ok(!exit.stdout.includes(token), `no token value is known after the restart:\n${exit.stdout}`);
        assert.ok(lines(exit.stdout).includes('numbers (2): 420000000000001, 420000000000002'), exit.stdout);
      });
    },
  );

  test(
    'refuses a --scenario on a non-empty database without --reset, and replaces the state with it',
    TEST_TIMEOUT,
    async () => {
      const dir = tempDir();
      const db = `${dir}/r.db`;
      const oldToken = 'EAAG-cli-two-numbers-token';
      const newToken = 'EAAG-cli-other-token';
      const oldPath = `/v21.0/420000000000001?fields=status&access_token=${oldToken}`;
      const newPath = `/v21.0/430000000000001?fields=status,verified_name&access_token=${newToken}`;

      const first = await serve(['--db', db, '--scenario', fixture('two-numbers.yaml')], {
        cwd: dir,
        demo: false,
      });
      await withServer(first, async () => void (await stopServer(first)));

      const refused = await run(['serve', '--port', '0', '--db', db, '--scenario', fixture('other.yaml')], {
        cwd: dir,
      });
      assert.equal(refused.code, 2, refused.stderr);
      assert.equal(refused.stdout, '', 'no listening line when refused');
      assert.match(oneErrorLine(refused), /--reset/);

      const untouched = await serve(['--db', db], { cwd: dir, demo: false });
      await withServer(untouched, async ({ url }) => {
        const old = await get(url + oldPath);
        assert.equal(
          old.text,
          '{"status":"CONNECTED","id":"420000000000001"}',
          'the refusal changed nothing',
        );
        await stopServer(untouched);
      });

      const reset = await serve(['--db', db, '--scenario', fixture('other.yaml'), '--reset'], {
        cwd: dir,
        demo: false,
      });
      await withServer(reset, async ({ url }) => {
        const replaced = await get(url + newPath);
        assert.equal(replaced.status, 200, replaced.text);
        assert.equal(
          replaced.text,
          '{"status":"RESTRICTED","verified_name":"CLI Other Line","id":"430000000000001"}',
        );
        const old = await get(url + oldPath);
        assert.equal(errorCode(old.json), 190, `the old token is gone: ${old.text}`);
        await stopServer(reset);
      });
    },
  );

  test('reads PHONEGRAPH_PORT and PHONEGRAPH_DB', TEST_TIMEOUT, async () => {
    const dir = tempDir();
    const db = `${dir}/e.db`;
    // `serve` alone: no flags at all, the port and the database come from the environment.
    const cli = new Cli(['serve'], { cwd: dir, env: { PHONEGRAPH_PORT: '0', PHONEGRAPH_DB: db } });
    try {
      const match = FIRST_LINE.exec(await cli.firstLine());
      assert.ok(match, cli.stdout);
      await cli.line((line) => line.startsWith('try: '), 'the try: curl line');
      const url = `http://127.0.0.1:${match[1]}`;
      const response = await get(`${url}/v21.0/${DEMO_NUMBER}?fields=status&access_token=${DEMO_TOKEN}`);
      assert.equal(response.status, 200, response.text);
      assert.ok(existsSync(db), 'the database is at PHONEGRAPH_DB');
      assert.ok(!existsSync(`${dir}/phonegraph.db`), 'not at the default path');
      await stopServer({ cli, url, demo: true });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  test('prefers a flag to its env var', TEST_TIMEOUT, async () => {
    const dir = tempDir();
    const server = await serve(['--db', `${dir}/flag.db`], {
      cwd: dir,
      env: { PHONEGRAPH_PORT: 'notaport', PHONEGRAPH_DB: `${dir}/env.db` },
    });
    await withServer(server, async () => {
      assert.ok(existsSync(`${dir}/flag.db`), '--db beats PHONEGRAPH_DB');
      assert.ok(!existsSync(`${dir}/env.db`));
      await stopServer(server);
    });
  });

  test('rejects an invalid --port with exit code 2', TEST_TIMEOUT, async () => {
    const dir = tempDir();
    const exit = await run(['serve', '--port', 'notaport', '--db', `${dir}/x.db`], { cwd: dir });
    assert.equal(exit.code, 2);
    assert.equal(exit.stdout, '');
    assert.match(oneErrorLine(exit), /port/);
    assert.ok(!existsSync(`${dir}/x.db`), 'no database is created');
  });

  test('rejects an invalid PHONEGRAPH_PORT with exit code 2', TEST_TIMEOUT, async () => {
    const dir = tempDir();
    const exit = await run(['serve', '--db', `${dir}/x.db`], {
      cwd: dir,
      env: { PHONEGRAPH_PORT: 'notaport' },
    });
    assert.equal(exit.code, 2);
    assert.match(oneErrorLine(exit), /port/);
  });

  test('prints an IPv6 host in brackets', TEST_TIMEOUT, async (t) => {
    const ipv6 = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    if (!ipv6) {
      t.skip('IPv6 loopback ::1 is not available here');
      return;
    }
    const dir = tempDir();
    const cli = new Cli(['serve', '--host', '::1', '--port', '0', '--db', `${dir}/v6.db`], { cwd: dir });
    try {
      const match = /^phonegraph listening on http:\/\/\[::1\]:(\d+)$/.exec(await cli.firstLine());
      assert.ok(match, cli.stdout);
      const tryLine = await cli.line((line) => line.startsWith('try: '), 'the try: curl line');
      const url = `http://[::1]:${match[1]}`;
      assert.ok(tryLine.includes(`"${url}/v21.0/`), tryLine);
      const response = await get(`${url}/v21.0/${DEMO_NUMBER}?fields=status&access_token=${DEMO_TOKEN}`);
      assert.equal(response.status, 200, response.text);
      await stopServer({ cli, url, demo: true });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});

describe('phonegraph serve start banner on a custom scenario', () => {
  const numbers = `numbers (12): ${Array.from({ length: 10 }, (_, i) => `4400000000000${String(i + 1).padStart(2, '0')}`).join(', ')}, … and 2 more`;
  const sideToken = 'EAAG-banner-side-token';
  const sha = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 12);

  /** The stdout lines after the first, once the try: line is out. */
  async function banner(server: Server): Promise<string[]> {
    await server.cli.line((line) => line.startsWith('try: '), 'the try: curl line');
    return lines(server.cli.stdout).slice(1);
  }

  function curlUrl(tryLine: string | undefined, url: string): string {
    const curl = /^try: curl -gs "([^"]+)"/.exec(tryLine ?? '');
    assert.ok(curl, `curl line ${JSON.stringify(tryLine)}`);
    const target = curl[1] ?? '';
    assert.ok(target.startsWith(`${url}/v21.0/`), target);
    return target;
  }

  test(
    'names the apps, WABAs, first ten numbers and tokens, and a curl that answers 200; after a restart, hashed tokens',
    { timeout: 40_000 },
    async () => {
      const dir = tempDir();
      const db = `${dir}/b.db`;
      const first = await serve(['--db', db, '--scenario', fixture('banner.yaml')], {
        cwd: dir,
        demo: false,
      });
      await withServer(first, async ({ url }) => {
        const shown = await banner(first);
        const tryLine = shown.at(-1);
        assert.deepEqual(shown, [
          'apps: 1400000000000001 (Banner Proof App), 1400000000000002 (Banner App)',
          'wabas: 3400000000000001 (Banner Main), 3400000000000002 (Banner Side)',
          numbers,
          'token (Banner Proof App): EAAG-banner-proof-token',
          'token (Banner App): EAAG-banner-expired-token [expired]',
          `token (Banner App): ${sideToken}`,
          `token (Banner App): stored hashed (sha256 ${'ab'.repeat(6)}…), value not known here`,
          // The only token a plain curl can use: the proof app demands appsecret_proof, one token expired.
          `try: curl -gs "${url}/v21.0/449000000000001?fields=status,quality_score{score}&access_token=${sideToken}"`,
        ]);
        const response = await get(curlUrl(tryLine, url));
        assert.equal(response.status, 200, response.text);
        assert.equal((response.json as { id?: unknown }).id, '449000000000001');
        const exit = await stopServer(first);
        assert.doesNotMatch(exit.stdout, /demo token/);
      });

      const second = await serve(['--db', db], { cwd: dir, demo: false });
      await withServer(second, async ({ url }) => {
        const shown = await banner(second);
        assert.deepEqual(shown.slice(0, 3), [
          'apps: 1400000000000001 (Banner Proof App), 1400000000000002 (Banner App)',
          'wabas: 3400000000000001 (Banner Main), 3400000000000002 (Banner Side)',
          numbers,
        ]);
        const tokens = shown.filter((line) => line.startsWith('token '));
        assert.equal(tokens.length, 4, shown.join('\n'));
        for (const line of tokens)
          assert.match(line, /^token \([^)]+\): stored hashed \(sha256 [0-9a-f]{12}…\)/);
        assert.ok(!shown.join('\n').includes('EAAG-'), 'no token value is known without the scenario');
        // No value is known: the curl names the number and which token to put in place of <token>.
        const tryLine = shown.at(-1) ?? '';
        assert.ok(tryLine.endsWith(`  # <token>: the Banner App token sha256 ${sha(sideToken)}…`), tryLine);
        const target = curlUrl(tryLine, url);
        assert.ok(target.endsWith('&access_token=<token>'), target);
        const response = await get(target.replace('<token>', sideToken));
        assert.equal(response.status, 200, response.text);
        await stopServer(second);
      });
    },
  );
});

describe('invalid scenario files', () => {
  const cases = [
    {
      title: 'an unknown key',
      file: 'unknown-key.yaml',
      path: 'businesses[0].wabas[0].phone_numbers[0].colour',
      expected: /expected a known key/,
    },
    {
      title: 'a bad enum value',
      file: 'bad-enum.yaml',
      path: 'businesses[0].wabas[0].phone_numbers[0].status',
      expected: /expected one of [A-Z_, ]*\bCONNECTED\b/,
    },
  ];
  for (const { title, file, path, expected } of cases) {
    test(
      `serve --scenario with ${title} exits 2 naming the file, the path and what was expected`,
      TEST_TIMEOUT,
      async () => {
        const dir = tempDir();
        const exit = await run(['serve', '--port', '0', '--db', `${dir}/s.db`, '--scenario', fixture(file)], {
          cwd: dir,
        });
        assert.equal(exit.code, 2, exit.stderr);
        assert.equal(exit.stdout, '');
        const line = oneErrorLine(exit);
        assert.ok(line.includes(fixture(file)), line);
        assert.ok(line.includes(path), line);
        assert.match(line, expected);
      },
    );

    test(
      `scenario validate with ${title} exits 2 naming the file, the path and what was expected`,
      TEST_TIMEOUT,
      async () => {
        const exit = await run(['scenario', 'validate', fixture(file)]);
        assert.equal(exit.code, 2, exit.stderr);
        const line = oneErrorLine(exit);
        assert.ok(line.includes(fixture(file)), line);
        assert.ok(line.includes(path), line);
        assert.match(line, expected);
      },
    );
  }

  test('a YAML syntax error exits 2 naming the file', TEST_TIMEOUT, async () => {
    const dir = tempDir();
    const file = fixture('syntax-error.yaml');
    const served = await run(['serve', '--port', '0', '--db', `${dir}/s.db`, '--scenario', file], {
      cwd: dir,
    });
    assert.equal(served.code, 2, served.stderr);
    assert.ok(oneErrorLine(served).includes(file), served.stderr);
    const validated = await run(['scenario', 'validate', file]);
    assert.equal(validated.code, 2, validated.stderr);
    assert.match(oneErrorLine(validated), /YAML/);
    assert.ok(validated.stderr.includes(file), validated.stderr);
  });

  test('a missing scenario file exits 2 naming the file', TEST_TIMEOUT, async () => {
    const dir = tempDir();
    const exit = await run(['scenario', 'validate', `${dir}/absent.yaml`]);
    assert.equal(exit.code, 2, exit.stderr);
    assert.ok(oneErrorLine(exit).includes(`${dir}/absent.yaml`), exit.stderr);
  });
});

describe('phonegraph scenario', () => {
  test('schema prints a JSON Schema', TEST_TIMEOUT, async () => {
    const exit = await run(['scenario', 'schema']);
    assert.equal(exit.code, 0, exit.stderr);
    const schema = JSON.parse(exit.stdout) as Record<string, unknown>;
    assert.equal(typeof schema.$schema, 'string');
    assert.match(String(schema.$schema), /json-schema\.org/);
  });

  test('validate accepts the built-in demo scenario', TEST_TIMEOUT, async () => {
    const exit = await run(['scenario', 'validate', DEMO_SCENARIO]);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stderr, '');
  });

  test('validate accepts scenarios/demo.yaml relative to the package root', TEST_TIMEOUT, async () => {
    const exit = await run(['scenario', 'validate', 'scenarios/demo.yaml'], { cwd: ROOT });
    assert.equal(exit.code, 0, exit.stderr);
  });

  test('an unknown command exits 2 with one error line pointing at help', TEST_TIMEOUT, async () => {
    const exit = await run(['frobnicate']);
    assert.equal(exit.code, 2);
    assert.equal(exit.stdout, '');
    assert.equal(exit.stderr, 'error: unknown command frobnicate (phonegraph help lists them)\n');
    const help = await run(['help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /phonegraph serve/);
  });

  test('an unknown scenario subcommand exits 2 with the usage', TEST_TIMEOUT, async () => {
    const exit = await run(['scenario', 'frobnicate']);
    assert.equal(exit.code, 2);
    assert.match(oneErrorLine(exit), /usage: phonegraph scenario/);
  });
});

describe('phonegraph cert verify', () => {
  /** Flips one base64 character in the middle of the certificate. */
  function tamper(certificate: string): string {
    const at = Math.floor(certificate.length / 2);
    const flipped = certificate[at] === 'A' ? 'B' : 'A';
    return certificate.slice(0, at) + flipped + certificate.slice(at + 1);
  }

  test(
    'verifies a certificate against a server and a database, and rejects a tampered one',
    TEST_TIMEOUT,
    async () => {
      const dir = tempDir();
      const db = `${dir}/c.db`;
      const server = await serve(['--db', db], { cwd: dir });
      let certificate = '';
      await withServer(server, async ({ url }) => {
        const response = await get(
          `${url}/v21.0/${DEMO_NUMBER}?fields=certificate&access_token=${DEMO_TOKEN}`,
        );
        assert.equal(response.status, 200, response.text);
        certificate = (response.json as { certificate: string }).certificate;
        assert.match(certificate, /^[A-Za-z0-9+/]+=*$/);

        const viaServer = await run(['cert', 'verify', certificate, '--base-url', url], { cwd: dir });
        assert.equal(viaServer.code, 0, viaServer.stderr);
        assert.match(viaServer.stdout, /15550100001/);
        assert.match(viaServer.stdout, /Acme Support/);

        const whileRunning = await run(['cert', 'verify', certificate, '--db', db], { cwd: dir });
        assert.equal(whileRunning.code, 0, whileRunning.stderr);
        assert.match(whileRunning.stdout, /15550100001/);

        const tampered = await run(['cert', 'verify', tamper(certificate), '--base-url', url], { cwd: dir });
        assert.equal(tampered.code, 1, tampered.stderr);
        assert.match(oneErrorLine(tampered), /^error: invalid certificate: \S/);

        await stopServer(server);
      });

      const afterStop = await run(['cert', 'verify', certificate, '--db', db], { cwd: dir });
      assert.equal(afterStop.code, 0, afterStop.stderr);
      assert.match(afterStop.stdout, /15550100001/);
      assert.match(afterStop.stdout, /Acme Support/);

      const tampered = await run(['cert', 'verify', tamper(certificate), '--db', db], { cwd: dir });
      assert.equal(tampered.code, 1, tampered.stderr);
      assert.match(oneErrorLine(tampered), /^error: invalid certificate: \S/);
    },
  );

  test('rejects a certificate signed by another database', TEST_TIMEOUT, async () => {
    const dirA = tempDir();
    const dirB = tempDir();
    const a = await serve(['--db', `${dirA}/a.db`], { cwd: dirA });
    const certificate = await withServer(a, async ({ url }) => {
      const response = await get(`${url}/v21.0/${DEMO_NUMBER}?fields=certificate&access_token=${DEMO_TOKEN}`);
      await stopServer(a);
      return (response.json as { certificate: string }).certificate;
    });
    const b = await serve(['--db', `${dirB}/b.db`], { cwd: dirB });
    await withServer(b, async () => void (await stopServer(b)));
    const exit = await run(['cert', 'verify', certificate, '--db', `${dirB}/b.db`], { cwd: dirB });
    assert.equal(exit.code, 1, exit.stderr);
    assert.match(oneErrorLine(exit), /^error: invalid certificate: /);
  });

  test('exits 4 when the server cannot be reached', TEST_TIMEOUT, async () => {
    const exit = await run(['cert', 'verify', 'UEdDMQ==', '--base-url', 'http://127.0.0.1:1']);
    assert.equal(exit.code, 4, exit.stderr);
    assert.match(oneErrorLine(exit), /127\.0\.0\.1:1/);
  });

  test('exits 2 without a certificate', TEST_TIMEOUT, async () => {
    const exit = await run(['cert', 'verify']);
    assert.equal(exit.code, 2);
    assert.match(oneErrorLine(exit), /usage: phonegraph cert verify/);
  });
});

describe('phonegraph admin otp', () => {
  test(
    'prints the last code request_code issued, and fails with 5 for a number without one',
    TEST_TIMEOUT,
    async () => {
      const dir = tempDir();
      const server = await serve(['--db', `${dir}/o.db`], { cwd: dir });
      await withServer(server, async ({ url }) => {
        const none = await run(['admin', 'otp', DEMO_NUMBER, '--base-url', url], { cwd: dir });
        assert.equal(none.code, 5);
        assert.equal(none.stdout, '');
        assert.equal(none.stderr, `error: No code has been requested for ${DEMO_NUMBER} (not_found)\n`);
        const requested = await fetch(`${url}/v21.0/${DEMO_NUMBER}/request_code`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `code_method=VOICE&language=en_US&access_token=${DEMO_TOKEN}`,
        });
        assert.equal(await requested.text(), '{"success":true}');
        const exit = await run(['admin', 'otp', DEMO_NUMBER, '--base-url', url], { cwd: dir });
        assert.equal(exit.code, 0, exit.stderr);
        const shown = JSON.parse(exit.stdout) as Record<string, unknown>;
        assert.match(String(shown.code), /^\d{6}$/);
        assert.deepEqual(Object.keys(shown), ['phone_number_id', 'code', 'code_method', 'issued_at']);
        assert.deepEqual(
          { ...shown, code: '', issued_at: '' },
          { phone_number_id: DEMO_NUMBER, code: '', code_method: 'VOICE', issued_at: '' },
        );
        const verified = await fetch(`${url}/v21.0/${DEMO_NUMBER}/verify_code`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: shown.code, access_token: DEMO_TOKEN }),
        });
        assert.equal(await verified.text(), '{"success":true}');
      });
    },
  );
});
