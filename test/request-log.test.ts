// The request log (issue #9 item 4): one `info` line per Graph and admin request on the server's stderr,
// JSON when stderr is not a terminal, with tokens and secrets redacted. The compiled CLI, a real socket.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildApp } from '../src/server/build-app.ts';
import { redactUrl } from '../src/server/request-log.ts';
import { freshTestStore, serveStoreArgs } from './helpers/test-store.ts';
import { fixedClock, GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const TOKEN = 'EAAG-demo-acme-connect-token';
const NUMBER = '400000000000101';

const children: ChildProcessWithoutNullStreams[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Served {
  url: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

async function serve(args: string[]): Promise<Served> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', ...(await serveStoreArgs(':memory:')), '--port', '0', ...args],
    {
      stdio: 'pipe',
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /^phonegraph listening on (\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function requestLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === 'request');
}

test('logs a Graph request as one JSON info line without its token', { timeout: 60_000 }, async () => {
  const server = await serve([]);
  const answer = await fetch(`${server.url}/v21.0/${NUMBER}?fields=status&access_token=${TOKEN}`);
  const trace = answer.headers.get('x-fb-trace-id');
  await answer.arrayBuffer();
  await fetch(`${server.url}/v21.0/${NUMBER}?fields=nope`, { headers: { authorization: `Bearer ${TOKEN}` } });
  await fetch(`${server.url}/__admin/phone-numbers/${NUMBER}/otp?code=123456`);
  await server.stop();
  const stderr = server.stderr();
  assert.ok(!stderr.includes(TOKEN), 'the token appears in the log');
  const lines = requestLines(stderr);
  assert.equal(lines.length, 3, stderr);
  const [read, failed, admin] = lines;
  assert.deepEqual(
    { ...read, time: 0, pid: 0, hostname: '', duration_ms: 0 },
    {
      level: 30,
      time: 0,
      pid: 0,
      hostname: '',
      plane: 'graph',
      method: 'GET',
      url: `/v21.0/${NUMBER}?fields=status&access_token=[redacted]`,
      status: 200,
      duration_ms: 0,
      fbtrace_id: trace,
      msg: 'request',
    },
  );
  assert.equal(typeof read?.duration_ms, 'number');
  assert.equal(failed?.status, 400);
  assert.equal(failed?.code, 100);
  assert.equal(admin?.plane, 'admin');
  assert.equal(admin?.url, `/__admin/phone-numbers/${NUMBER}/otp?code=[redacted]`);
});

test('logs no request line at --log-level warn', { timeout: 60_000 }, async () => {
  const server = await serve(['--log-level', 'warn']);
  await (await fetch(`${server.url}/v21.0/${NUMBER}?access_token=${TOKEN}`)).arrayBuffer();
  await server.stop();
  assert.deepEqual(requestLines(server.stderr()), []);
});

test('redacts every secret parameter, whatever its spelling in the query', () => {
  assert.equal(
    redactUrl(
      '/v21.0/1/register?pin=123456&ACCESS_TOKEN=a&appsecret_proof=b&client_secret=c&verify_token=d&x=1',
    ),
    '/v21.0/1/register?pin=[redacted]&ACCESS_TOKEN=[redacted]&appsecret_proof=[redacted]&client_secret=[redacted]&verify_token=[redacted]&x=1',
  );
  assert.equal(redactUrl('/v21.0/1?access%5Ftoken=a'), '/v21.0/1?access%5Ftoken=[redacted]');
});

test(
  'logs an injected fault as one info line without a stack, and no error line',
  { timeout: 60_000 },
  async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of String(chunk).split('\n'))
          if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const store = await freshTestStore();
    await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
    const app = buildApp({ store, clock: fixedClock, logger: pino({ level: 'info' }, sink) });
    try {
      const rule = await app.fastify.inject({
        method: 'POST',
        url: '/__admin/faults',
        remoteAddress: '127.0.0.1',
        payload: { action: { graph_error: { code: 2 } }, times: 1 },
      });
      assert.equal(rule.statusCode, 200, rule.body);
      const answer = await app.fastify.inject({ url: `/v21.0/${ID.connected}?access_token=T-ALL` });
      assert.equal((JSON.parse(answer.body) as { error: { code: number } }).error.code, 2);
      const faults = lines.filter((line) => line.msg === 'injected fault');
      assert.equal(faults.length, 1);
      assert.equal(faults[0]?.level, 30);
      assert.equal(faults[0]?.code, 2);
      assert.equal(faults[0]?.err, undefined);
      assert.deepEqual(
        lines.filter((line) => Number(line.level) >= 50),
        [],
      );
    } finally {
      await app.fastify.close();
    }
  },
);
