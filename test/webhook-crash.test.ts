// At-least-once delivery across a crash: `phonegraph serve` is killed with SIGKILL right after a batch
// of committed changes and before any delivery, restarted on the same database, and every event is then
// delivered (webhooks.md § Delivery). Also the `phonegraph admin` commands against that server.
// Runs the compiled bin (`npm run build` first; `npm test` does). Every server listens on --port 0.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { WebhookReceiver, waitFor } from './helpers/webhook-receiver.ts';
import { serveStoreArgs } from './helpers/test-store.ts';

const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const SECRET = 'crash-app-secret';
const NUMBERS = ['430000000000001', '430000000000002', '430000000000003', '430000000000004'];
const FIRST_LINE = /^phonegraph listening on (http:\/\/127\.0\.0\.1:\d+)$/;

const children = new Set<ChildProcessWithoutNullStreams>();
const dirs: string[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PHONEGRAPH_')));
}

interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...cleanEnv(), ...env }, stdio: 'pipe' });
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

async function serve(args: readonly string[]): Promise<{ proc: Proc; url: string }> {
  const proc = spawnCli(['serve', '--port', '0', '--log-level', 'silent', ...args]);
  let url = '';
  await waitFor(
    () => {
      const match = FIRST_LINE.exec(proc.output.stdout.split('\n')[0] ?? '');
      if (match?.[1] !== undefined) url = match[1];
      if (proc.child.exitCode !== null) throw new Error(`serve exited: ${proc.output.stderr}`);
      return url !== '';
    },
    'the listening line',
    15_000,
  );
  return { proc, url };
}

// Admin answers are asserted field by field; a loose type keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function admin(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${url}/__admin${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, json: await response.json() };
}

function scenario(receiverUrl: string): string {
  const numbers = NUMBERS.map(
    (id, i) =>
      `          - { id: "${id}", display_phone_number: "+1 555-040-000${i + 1}", verified_name: "N${i}" }`,
  ).join('\n');
  return `version: 1
apps:
  - id: "1300000000000001"
    secret: ${SECRET}
    webhook: { url: "${receiverUrl}", verify_token: crash }
businesses:
  - id: "2300000000000001"
    wabas:
      - id: "3300000000000001"
        phone_numbers:
${numbers}
`;
}

test(
  'delivers every committed event after a SIGKILL and a restart on the same database',
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(tmpdir() + '/pg-crash-');
    dirs.push(dir);
    const receiver = await new WebhookReceiver(SECRET).listen();
    try {
      // Phase 1: the receiver takes every POST and never answers, so nothing is delivered before the kill.
      receiver.action = () => 'hang';
      writeFileSync(`${dir}/scenario.yaml`, scenario(receiver.url));
      const state = await serveStoreArgs(`${dir}/state.db`);
      const first = await serve([...state, '--scenario', `${dir}/scenario.yaml`]);
      await waitFor(() => receiver.verifications.length >= 1, 'the verification GET');

      // One change through the CLI (exit 0, the number as it is now), the rest concurrently over HTTP.
      const cli = spawnCli(['admin', 'set-status', NUMBERS[0] ?? '', 'BANNED', '--base-url', first.url]);
      assert.equal(await cli.exited, 0, cli.output.stderr);
      assert.equal(JSON.parse(cli.output.stdout).status, 'BANNED');
      const changes = NUMBERS.slice(1).flatMap((id) => [
        ['FLAGGED', id],
        ['CONNECTED', id],
        ['RESTRICTED', id],
      ]);
      await Promise.all(
        NUMBERS.slice(1).map(async (id) => {
          for (const [to, number] of changes.filter(([, n]) => n === id)) {
            assert.equal(
              (await admin(first.url, 'POST', `/phone-numbers/${number}/status`, { status: to })).status,
              200,
            );
          }
        }),
      );
      const committed = 1 + changes.length;
      first.proc.child.kill('SIGKILL');
      await first.proc.exited;
      assert.equal(receiver.delivered.length, 0, 'nothing was delivered before the crash');

      // Phase 2: the receiver answers now; the restarted server delivers what the outbox holds.
      receiver.action = () => ({ status: 200 });
      const second = await serve(state);
      try {
        await waitFor(
          async () =>
            (await admin(second.url, 'GET', '/webhooks/deliveries?status=delivered')).json.data.length ===
            committed,
          'every event delivered',
          20_000,
        );
        const log = (await admin(second.url, 'GET', '/webhooks/deliveries')).json.data;
        assert.equal(log.length, committed);
        const delivered = new Set(
          receiver.events.filter((e) => e.signatureValid && e.answered === 200).map((e) => e.eventId),
        );
        assert.deepEqual([...delivered].sort(), log.map((d: { event_id: string }) => d.event_id).sort());
        // Duplicates are allowed only as at-least-once permits: every received id is a logged event.
        for (const event of receiver.events) assert.ok(delivered.has(event.eventId));
        // The active subscription is not verified again after the restart... unless the kill beat activation.
        assert.ok(receiver.verifications.length <= 2);
        second.proc.child.kill('SIGTERM');
        assert.equal(await second.proc.exited, 0, second.proc.output.stderr);
      } finally {
        second.proc.child.kill('SIGKILL');
      }
    } finally {
      await receiver.close();
    }
  },
);

test(
  'phonegraph admin reports an invalid transition with exit 5 and the allowed targets',
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(tmpdir() + '/pg-admin-');
    dirs.push(dir);
    writeFileSync(`${dir}/scenario.yaml`, scenario('http://127.0.0.1:9/hook'));
    const server = await serve([
      ...(await serveStoreArgs(':memory:')),
      '--scenario',
      `${dir}/scenario.yaml`,
      '--admin-token',
      'tok',
    ]);
    try {
      const refused = spawnCli(
        ['admin', 'set-status', NUMBERS[1] ?? '', 'PENDING', '--base-url', server.url],
        {
          PHONEGRAPH_ADMIN_TOKEN: 'tok',
        },
      );
      assert.equal(await refused.exited, 5);
      assert.equal(
        refused.output.stderr,
        'error: Cannot change status from CONNECTED to PENDING (invalid_transition); allowed: FLAGGED, RESTRICTED, RATE_LIMITED, DISCONNECTED, BANNED, MIGRATED, DELETED, UNKNOWN\n',
      );
      const noToken = spawnCli(['admin', 'clock', 'advance', '2h', '--base-url', server.url]);
      assert.equal(await noToken.exited, 5);
      const exported = spawnCli([
        'admin',
        'export',
        `${dir}/export.json`,
        '--base-url',
        server.url,
        '--admin-token',
        'tok',
      ]);
      assert.equal(await exported.exited, 0, exported.output.stderr);
      assert.equal(JSON.parse(readFileSync(`${dir}/export.json`, 'utf8')).apps[0].secret, SECRET);
      const unreachable = spawnCli(['admin', 'export', '--base-url', 'http://127.0.0.1:9']);
      assert.equal(await unreachable.exited, 4);
      const badWindow = spawnCli([
        'serve',
        '--db',
        ':memory:',
        '--port',
        '0',
        '--webhook-retry-window',
        'soon',
      ]);
      assert.equal(await badWindow.exited, 2);
      assert.equal(
        badWindow.output.stderr,
        'error: --webhook-retry-window must be a duration like 24h or 90m, got soon\n',
      );
    } finally {
      server.proc.child.kill('SIGTERM');
      await server.proc.exited;
    }
  },
);
