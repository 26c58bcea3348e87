import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { masked, parseRaw, rawGet, toCaptured, type CapturedResponse } from '../bench/captured-responses.js';
import { createQr, createToggler, toggleableIds } from '../bench/write-load.js';
import {
  BENCH_TOKEN,
  expectedReadBody,
  generateScenario,
  indexOfId,
  readPath,
} from '../bench/scenario-generator.js';
import { systemClock } from '../src/domain/clock.ts';
import { parseScenarioText } from '../src/domain/scenario/load-scenario-file.ts';
import { loadScenario } from '../src/domain/state-loader.ts';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

// The benchmark (bench/performance.js) measures requests against scenarios from this generator and
// compares them with a bare server replaying phonegraph's captured bytes; these tests pin what those
// requests return and that the baseline sends exactly those bytes, so a fast server answering the wrong
// thing, or a baseline answering something cheaper, cannot pass unnoticed. No timing assertions.

const NUMBERS = 60;
const generated = generateScenario({ numbers: NUMBERS, wabas: 4 });
const BENCH_DIR = path.resolve(import.meta.dirname, '..', 'bench');
let server: RunningServer;
let tmp: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'phonegraph-bench-test-'));
  // Through the JSON text, as the bench hands it to `serve --scenario`.
  const document = parseScenarioText(JSON.stringify(generated.document), 'bench.json');
  const store = new SqliteStore({ path: ':memory:' });
  await loadScenario(store, document, systemClock);
  server = await startServer({ store, host: '127.0.0.1', port: 0 });
});

after(async () => {
  await server.close(1_000);
  await rm(tmp, { recursive: true, force: true });
});

/** Starts bench/bare-server.js replaying `captured`; resolves with its URL once it listens. */
async function startBare(
  captured: readonly CapturedResponse[],
): Promise<{ url: string; child: ChildProcess }> {
  const file = path.join(tmp, `captured-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(captured));
  const child = spawn(
    process.execPath,
    [path.join(BENCH_DIR, 'bare-server.js'), '--port', '0', '--responses', file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`bare-server exited ${code}`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /^bare listening on (\S+)\n/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
  });
  return { url, child };
}

function stopBare(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function randomIds(count: number): string[] {
  const ids = generated.ids;
  const picked = [ids[0], ids[ids.length - 1]];
  for (let i = 0; i < count; i += 1) picked.push(ids[Math.floor(Math.random() * ids.length)]);
  return picked.filter((id): id is string => id !== undefined);
}

test('the generator spreads its numbers over the WABAs with unique ids', () => {
  assert.equal(generated.ids.length, NUMBERS);
  assert.equal(new Set(generated.ids).size, NUMBERS);
  const wabas = generated.document.businesses?.[0]?.wabas ?? [];
  assert.equal(wabas.length, 4);
  assert.deepEqual(
    wabas.map((waba) => waba.phone_numbers?.length),
    [15, 15, 15, 15],
  );
  assert.equal(generated.token, BENCH_TOKEN);
  generated.ids.forEach((id, index) => {
    assert.match(id, /^[0-9]{15}$/);
    assert.equal(indexOfId(id), index);
  });
});

test('the benchmarked request returns exactly the expected body for random numbers', async () => {
  for (const id of randomIds(8)) {
    const response = await fetch(`${server.url}${readPath(id)}`);
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['status', 'quality_score', 'display_phone_number', 'id']);
    assert.deepEqual(body, expectedReadBody(indexOfId(id)));
    assert.equal(text, JSON.stringify(expectedReadBody(indexOfId(id))));
  }
});

test('the generated states vary across numbers', () => {
  const bodies = generated.ids.map((id) => expectedReadBody(indexOfId(id)));
  assert.ok(new Set(bodies.map((body) => body.status)).size > 1);
  assert.ok(new Set(bodies.map((body) => body.quality_score.score)).size > 1);
});

test('pendingNames puts every number under name review', () => {
  const pending = generateScenario({ numbers: 5, pendingNames: true });
  const numbers = pending.document.businesses?.flatMap((business) =>
    (business.wabas ?? []).flatMap((waba) => waba.phone_numbers ?? []),
  );
  assert.equal(numbers?.length, 5);
  assert.ok(numbers?.every((number) => number.name_status === 'PENDING_REVIEW'));
});

test('the bare baseline answers byte for byte what phonegraph answered, its Date aside', async () => {
  const ids = randomIds(6);
  const raws = new Map<string, Buffer>();
  for (const id of ids) raws.set(id, await rawGet(server.url, readPath(id)));
  const bare = await startBare([...raws].map(([id, raw]) => toCaptured(id, raw)));
  try {
    for (const [id, raw] of raws) {
      const replayed = await rawGet(bare.url, readPath(id));
      assert.equal(masked(replayed, ['date']), masked(raw, ['date']), id);
      assert.equal(replayed.length, raw.length, id);
    }
    // A path for an id that was not captured gets one of the captured responses, whole.
    const other = await rawGet(bare.url, readPath('499999999999999'));
    const { status, body } = parseRaw(other);
    assert.equal(status, 200);
    assert.ok(
      [...raws.values()].some((raw) => parseRaw(raw).body.equals(body)),
      `unexpected body ${body.toString()}`,
    );
  } finally {
    await stopBare(bare.child);
  }
});

test('phonegraph answers the same bytes again for the same id, request ids and usage counters aside', async () => {
  const id = generated.ids[7] ?? '';
  const first = await rawGet(server.url, readPath(id));
  const second = await rawGet(server.url, readPath(id));
  assert.equal(masked(second), masked(first));
  const { headers, body } = parseRaw(first);
  assert.equal(body.toString(), JSON.stringify(expectedReadBody(indexOfId(id))));
  const names = headers.map(([name]) => name.toLowerCase());
  for (const name of [
    'content-type',
    'etag',
    'x-fb-trace-id',
    'x-business-use-case-usage',
    'content-length',
  ]) {
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  }
});

test('the status changes and QR creates the benchmark measures succeed and are visible', async () => {
  const [id] = toggleableIds(generated.ids);
  assert.ok(id !== undefined);
  const toggle = createToggler(server.url);
  await toggle(id);
  const flagged = (await (await fetch(`${server.url}${readPath(id)}`)).json()) as { status: string };
  assert.equal(flagged.status, 'FLAGGED');
  await toggle(id);
  const back = (await (await fetch(`${server.url}${readPath(id)}`)).json()) as { status: string };
  assert.equal(back.status, 'CONNECTED');
  await createQr(server.url, id);
  const list = (await (
    await fetch(`${server.url}/v21.0/${id}/message_qrdls?access_token=${BENCH_TOKEN}`)
  ).json()) as { data: { prefilled_message: string }[] };
  assert.deepEqual(
    list.data.map((qr) => qr.prefilled_message),
    ['Bench QR'],
  );
});

test('the bare SQLite baseline commits its transactions into a phonegraph database', async () => {
  const db = path.join(tmp, 'bare-writes.db');
  const store = new SqliteStore({ path: db });
  await loadScenario(store, parseScenarioText(JSON.stringify(generated.document), 'bench.json'), systemClock);
  await store.close();
  const idsFile = path.join(tmp, 'ids.json');
  await writeFile(idsFile, JSON.stringify(toggleableIds(generated.ids)));
  const run = (op: string): number => {
    const result = spawnSync(
      process.execPath,
      [
        path.join(BENCH_DIR, 'bare-sqlite-writes.js'),
        '--db',
        db,
        '--op',
        op,
        '--seconds',
        '0.2',
        '--ids',
        idsFile,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    const { transactions } = JSON.parse(result.stdout) as { transactions: number };
    assert.ok(transactions > 0);
    return transactions;
  };
  const changes = run('status');
  const codes = run('qr');
  const check = new Database(db, { readonly: true });
  try {
    const count = (sql: string): number => (check.prepare(sql).get() as { n: number }).n;
    assert.equal(count('SELECT COUNT(*) AS n FROM history'), changes);
    assert.equal(count('SELECT COUNT(*) AS n FROM outbox'), changes);
    assert.equal(count('SELECT COUNT(*) AS n FROM qr_codes'), codes);
  } finally {
    check.close();
  }
});
