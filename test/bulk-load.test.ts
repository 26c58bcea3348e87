import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ScenarioDocument, ScenarioPhoneNumber } from '../src/contract/scenario.ts';
import { ensureCertificateKeys } from '../src/domain/certificate-keys.ts';
import { parseScenarioText } from '../src/domain/scenario/load-scenario-file.ts';
import { NotStreamable } from '../src/domain/scenario/scenario-json-stream.ts';
import { streamLoadScenarioFile } from '../src/domain/scenario/stream-load-scenario.ts';
import { ScenarioError } from '../src/domain/scenario/validate-scenario.ts';
import { loadScenario } from '../src/domain/state-loader.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { childEnv, ROOT } from './helpers/serve-process.ts';

const NOW = new Date('2026-03-01T09:30:00Z');
const clock = { now: () => NOW };
const PROCESS_TIMEOUT = { timeout: 240_000 };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'phonegraph-bulk-'));
}

function jsonFile(document: unknown, dir = tempDir()): string {
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/**
 * A scenario that exercises every generated default: ids, display numbers, QR codes, namespaces, app ids,
 * certificates for approved names and approved new names, PINs, profiles, tokens; more numbers than one
 * batch, over several WABAs and businesses.
 */
function richScenario(numbers: number): ScenarioDocument {
  const number = (i: number): ScenarioPhoneNumber => ({
    verified_name: `Number ${i}`,
    ...(i % 3 === 0 ? { id: String(500_000_000_000_000 + i) } : {}),
    ...(i % 4 === 0 ? { display_phone_number: `+44 20 7946 ${String(i).padStart(4, '0')}` } : {}),
    ...(i % 5 === 0 ? { status: 'PENDING' as const, name_status: 'PENDING_REVIEW' as const } : {}),
    ...(i % 7 === 0 ? { requested_verified_name: `New ${i}`, new_name_status: 'APPROVED' as const } : {}),
    ...(i % 11 === 0 ? { qr_codes: [{ prefilled_message: `hi ${i}` }, { prefilled_message: 'again' }] } : {}),
    ...(i % 13 === 0 ? { business_profile: { about: `about ${i}`, websites: ['https://example.com'] } } : {}),
    ...(i % 17 === 0 ? { is_pin_enabled: false, quality_rating: 'GREEN' as const } : {}),
  });
  const perWaba = Math.ceil(numbers / 3);
  let next = 0;
  const waba = (name: string): { name: string; phone_numbers: ScenarioPhoneNumber[] } => {
    const list: ScenarioPhoneNumber[] = [];
    for (let i = 0; i < perWaba && next < numbers; i += 1) list.push(number(next++));
    return { name, phone_numbers: list };
  };
  return {
    version: 1,
    seed: 7,
    apps: [{ name: 'Generated App' }, { id: '1000000000000001', name: 'Given App' }],
    businesses: [
      { name: 'First', wabas: [waba('A'), waba('B')] },
      { id: '2000000000000002', wabas: [waba('C')] },
    ],
    tokens: [{ value: 'EAAG-bulk-token', app: '1000000000000001' }],
  } as ScenarioDocument;
}

/** A store with the certificate keys of `like`, so both loads sign alike. */
async function storeLike(like: SqliteStore): Promise<SqliteStore> {
  const keys = await ensureCertificateKeys(like);
  const store = new SqliteStore({ path: ':memory:' });
  await store.initMeta('certificate_private_key', keys.privateKeyPem);
  await store.initMeta('certificate_public_key', keys.publicKeyPem);
  return store;
}

async function wholeDocumentError(text: string, file: string): Promise<string> {
  try {
    parseScenarioText(text, file);
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  return 'valid';
}

async function streamedError(file: string): Promise<string> {
  const store = new SqliteStore({ path: ':memory:' });
  try {
    await streamLoadScenarioFile(store, file, clock);
    return 'valid';
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  } finally {
    await store.close();
  }
}

describe('streaming scenario load', () => {
  test('writes exactly the rows the whole-document load writes', async () => {
    const document = richScenario(4_500);
    const file = jsonFile(document);
    const streamed = new SqliteStore({ path: ':memory:' });
    const whole = await storeLike(streamed);
    try {
      const result = await streamLoadScenarioFile(streamed, file, clock);
      assert.equal(result.numbers, 4_500);
      await loadScenario(whole, parseScenarioText(JSON.stringify(document), file), clock);
      const state = await streamed.readState();
      assert.deepEqual(state, await whole.readState());
      assert.equal(state.phone_numbers.filter((n) => n.certificate !== null).length, 3_600);
      assert.equal(state.phone_numbers.filter((n) => n.new_certificate !== null).length, 643);
      assert.deepEqual(result.outline, { version: 1, apps: document.apps, tokens: document.tokens });
    } finally {
      await streamed.close();
      await whole.close();
    }
  });

  // Each case: a valid document broken in one place; the streamed load names the same place.
  // A document as plain JSON to break by hand: any is the honest type of an edited JSON value.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const broken: [string, (doc: any) => void][] = [
    ['a wrong enum on a number', (doc) => (doc.businesses[0].wabas[1].phone_numbers[3].status = 'ON')],
    ['an unknown key on a number', (doc) => (doc.businesses[1].wabas[0].phone_numbers[0].colour = 'red')],
    [
      'a number without verified_name',
      (doc) => delete doc.businesses[0].wabas[0].phone_numbers[5].verified_name,
    ],
    ['an id given as a number', (doc) => (doc.businesses[0].wabas[0].phone_numbers[2].id = 400000000000001)],
    [
      'an unknown key on a WABA',
      (doc) => (doc.businesses[0].wabas[1] = { owner: 'x', ...doc.businesses[0].wabas[1] }),
    ],
    [
      'a bad currency',
      (doc) => (doc.businesses[0].wabas[0] = { currency: 'dollars', ...doc.businesses[0].wabas[0] }),
    ],
    ['an unknown key on a business', (doc) => (doc.businesses[1] = { size: 3, ...doc.businesses[1] })],
    ['an unknown top-level key', (doc) => (doc.extra = true)],
    ['a wrong version', (doc) => (doc.version = 2)],
    ['a missing version', (doc) => delete doc.version],
    ['a bad app', (doc) => (doc.apps[0].secret = '')],
    ['a duplicate number id', (doc) => (doc.businesses[1].wabas[0].phone_numbers[1].id = '500000000000000')],
    [
      'a duplicate display number',
      (doc) => (doc.businesses[1].wabas[0].phone_numbers[3].display_phone_number = '+44 20 7946 0000'),
    ],
    [
      'a number id that is a WABA id',
      (doc) => (doc.businesses[0].wabas[0].phone_numbers[1].id = '2000000000000002'),
    ],
    [
      'a quality rating against the score',
      (doc) => {
        doc.businesses[0].wabas[0].phone_numbers[4].quality = { score: 'RED' };
        doc.businesses[0].wabas[0].phone_numbers[4].quality_rating = 'GREEN';
      },
    ],
    ['a token of an unknown app', (doc) => (doc.tokens[0].app = '1999')],
    ['a token on a WABA outside its app', (doc) => (doc.tokens[0].wabas = ['3999'])],
    ['an app on an unknown WABA', (doc) => (doc.apps[1].wabas = ['3999'])],
  ];
  for (const [title, breakIt] of broken) {
    test(`reports ${title} as the whole-document validation does`, async () => {
      const document = JSON.parse(JSON.stringify(richScenario(60))) as Record<string, unknown>;
      breakIt(document);
      const file = jsonFile(document);
      const expected = await wholeDocumentError(JSON.stringify(document), file);
      assert.notEqual(expected, 'valid');
      assert.equal(await streamedError(file), expected);
    });
  }

  test('reports invalid JSON with the file and the parser’s reason', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"version": 1, "businesses": [{"name": "x",]}');
    assert.match(await streamedError(file), new RegExp(`^${file}: \\$: expected valid JSON \\(.+\\)$`));
  });

  test('a load that fails part way leaves the state before it', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      await streamLoadScenarioFile(store, jsonFile(richScenario(30)), clock);
      const before = await store.readState();
      const document = richScenario(5_000);
      const last = document.businesses?.[1]?.wabas?.[0]?.phone_numbers?.at(-1) as { status: string };
      last.status = 'BROKEN';
      await assert.rejects(streamLoadScenarioFile(store, jsonFile(document), clock), ScenarioError);
      assert.deepEqual(await store.readState(), before);
    } finally {
      await store.close();
    }
  });

  test('leaves a file whose keys come after the lists they belong with to the whole-document path', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    try {
      const { seed, ...rest } = richScenario(10);
      await assert.rejects(streamLoadScenarioFile(store, jsonFile({ ...rest, seed }), clock), NotStreamable);
      assert.equal(await store.isEmpty(), true);
    } finally {
      await store.close();
    }
  });
});

describe('phonegraph serve with a large scenario', () => {
  test(
    'streams it, prints one summary line on stderr when not on a terminal, and serves its state',
    PROCESS_TIMEOUT,
    async () => {
      const dir = tempDir();
      const file = jsonFile(richScenario(300), dir);
      const child = spawn(
        process.execPath,
        [`${ROOT}bin/phonegraph.js`, 'serve', '--port', '0', '--db', join(dir, 'p.db'), '--scenario', file],
        { cwd: dir, env: childEnv({ PHONEGRAPH_STREAM_FROM_BYTES: '0' }), stdio: 'pipe' },
      );
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          const line = /^phonegraph listening on (\S+)\n/.exec(stdout);
          if (line?.[1] !== undefined) resolve(line[1]);
        });
        void exited.then(() => reject(new Error(`serve exited:\n${stdout}\n${stderr}`)));
      });
      try {
        const summary = stderr.split('\n')[0] ?? '';
        assert.match(
          summary,
          new RegExp(
            `^loaded 300 numbers from ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in \\d+\\.\\d s \\(\\d[\\d,]* numbers/s\\)$`,
          ),
        );
        assert.doesNotMatch(stderr, /\r/, 'no progress bar off a terminal');
        const id = String(500_000_000_000_000 + 3);
        const response = await fetch(`${url}/v21.0/${id}?fields=verified_name&access_token=EAAG-bulk-token`);
        assert.deepEqual(await response.json(), { verified_name: 'Number 3', id });
      } finally {
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      }
    },
  );
});
