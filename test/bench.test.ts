import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

// The benchmark (bench/read-path.js) measures one request against scenarios from this generator; these
// tests pin what that request returns, so a fast server answering the wrong thing cannot pass unnoticed.

const NUMBERS = 60;
const generated = generateScenario({ numbers: NUMBERS, wabas: 4 });
let server: RunningServer;

before(async () => {
  // Through the JSON text, as the bench hands it to `serve --scenario`.
  const document = parseScenarioText(JSON.stringify(generated.document), 'bench.json');
  const store = new SqliteStore({ path: ':memory:' });
  await loadScenario(store, document, systemClock);
  server = await startServer({ store, host: '127.0.0.1', port: 0 });
});

after(async () => {
  await server.close(1_000);
});

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
