import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startServer, type RunningServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { GRAPH_SCENARIO, ID, loadScenarioText } from './helpers/graph-app.ts';

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));

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

describe('phonegraph admin faults and rate-limits', () => {
  let server: RunningServer;
  let admin: (...args: string[]) => Promise<Run>;
  const read = () => fetch(`${server.url}/v21.0/${ID.connected}?fields=status&access_token=T-ALL`);
  before(async () => {
    const store = await freshTestStore();
    await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
    server = await startServer({ store, host: '127.0.0.1', port: 0 });
    admin = (...args) => cli(['admin', ...args, '--base-url', server.url]);
  });
  after(() => server.close());

  test('adds, lists and deletes fault rules', async () => {
    const added = await admin('faults', 'add', '--code', '2', '--phone-number', ID.connected, '--times', '1');
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(JSON.parse(added.stdout), {
      id: '1',
      match: { phone_number: ID.connected },
      action: { graph_error: { code: 2 } },
      times: 1,
      probability: null,
      remaining: 1,
      matched: 0,
    });
    assert.equal((await read()).status, 500);
    assert.equal((await read()).status, 200);
    const listed = await admin('faults', 'list');
    assert.match(listed.stdout, /"remaining":0,"matched":1/);
    assert.equal((await admin('faults', 'delete', '1')).stdout, '{"success":true}\n');
    const again = await admin('faults', 'delete', '1');
    assert.equal(again.code, 5);
    assert.equal(again.stderr, 'error: No fault rule 1 (not_found)\n');
  });

  test('refuses an ambiguous or missing fault action as a usage error', async () => {
    for (const args of [
      ['faults', 'add'],
      ['faults', 'add', '--code', '2', '--drop-connection'],
      ['faults', 'add', '--code', 'two'],
    ]) {
      const run = await admin(...args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /^error: /);
    }
  });

  test('sets limits, exhausts a key and lists usage', async () => {
    const set = await admin(
      'rate-limits',
      'set',
      '--waba',
      ID.otherWaba,
      '--per-hour',
      '5',
      '--active-per-hour',
      '5',
    );
    assert.equal(set.stdout, `{"app":null,"waba":"${ID.otherWaba}","per_hour":5,"active_per_hour":5}\n`);
    const exhausted = await admin('rate-limits', 'exhaust', '--app', ID.app, '--waba', ID.otherWaba);
    assert.equal(
      exhausted.stdout,
      `{"app":"${ID.app}","waba":"${ID.otherWaba}","limit":5,"calls":5,"call_count":100,"estimated_time_to_regain_access":60}\n`,
    );
    const refused = await fetch(`${server.url}/v21.0/${ID.other}?access_token=T-ALL`);
    assert.equal(((await refused.json()) as { error: { code: number } }).error.code, 80008);
    const usage = await admin('rate-limits');
    assert.match(usage.stdout, new RegExp(`"waba":"${ID.otherWaba}","limit":5,"calls":5`));
    const bad = await admin('rate-limits', 'set', '--waba', ID.otherWaba, '--per-hour', '0');
    assert.equal(bad.code, 5);
    assert.equal(bad.stderr, 'error: per_hour must be a positive integer (validation_failed)\n');
  });
});
