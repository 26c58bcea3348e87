import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startPrivateRedis, type PrivateRedis } from './helpers/redis-server.ts';
import { serveStoreArgs } from './helpers/test-store.ts';

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL('fixtures/scenarios/rate-limits.yaml', import.meta.url));
const READ = '/v21.0/420000000000001?fields=status&access_token=T-LIMITED';

interface Instance {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
}

function env(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PHONEGRAPH_')));
}

async function serve(redisUrl: string): Promise<Instance> {
  const store = await serveStoreArgs(':memory:');
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      ...store,
      '--scenario',
      SCENARIO,
      '--port',
      '0',
      '--redis',
      redisUrl,
      '--log-level',
      'warn',
    ],
    { env: env() },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^phonegraph listening on (http:\/\/\S+)\n/.exec(out);
      if (match?.[1] !== undefined) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

function stop(instance: Instance): Promise<number | null> {
  return new Promise((resolve) => {
    if (instance.child.exitCode !== null) return resolve(instance.child.exitCode);
    instance.child.once('exit', (code) => resolve(code));
    instance.child.kill('SIGTERM');
  });
}

let redis: PrivateRedis;
const instances: Instance[] = [];
before(async () => {
  redis = await startPrivateRedis();
  instances.push(await serve(redis.url), await serve(redis.url));
});
after(async () => {
  for (const instance of instances) await stop(instance);
  await redis.stop();
});

test('two server processes on one Redis admit exactly the limit of 400 concurrent calls together', async () => {
  const [a, b] = instances as [Instance, Instance];
  const calls = Array.from({ length: 400 }, (_, i) => fetch(`${(i % 2 === 0 ? a : b).url}${READ}`));
  const responses = await Promise.all(calls);
  const statuses = await Promise.all(
    responses.map(async (response) => {
      const body = await response.text();
      return response.status === 400
        ? (JSON.parse(body) as { error: { code: number } }).error.code
        : response.status;
    }),
  );
  assert.equal(statuses.filter((status) => status === 200).length, 200);
  assert.equal(statuses.filter((status) => status === 80008).length, 200);
  for (const instance of [a, b]) {
    const refused = await fetch(`${instance.url}${READ}`);
    assert.equal(refused.status, 400, 'each instance sees the shared, full window');
  }
});

test('serve exits 4 when --redis cannot be reached', async () => {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', ...(await serveStoreArgs(':memory:')), '--port', '0', '--redis', 'redis://127.0.0.1:1'],
    { env: env() },
  );
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 4);
  assert.match(err, /^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/m);
});
