// The webhook benchmark (bench/webhooks.js) at a small size: it fails by itself when an event is lost,
// badly signed or out of order for its number, so a run that exits 0 with figures is a correct run.
// Runs the compiled bin (`npm run build` first; `npm test` does).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const BENCH = fileURLToPath(new URL('../bench/webhooks.js', import.meta.url));

test(
  'the webhook benchmark delivers every event in order per number and reports its figures',
  { timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(tmpdir() + '/pg-bench-test-');
    try {
      const results = `${dir}/webhooks.json`;
      const child = spawn(process.execPath, [BENCH], {
        env: {
          ...process.env,
          BENCH_WEBHOOK_NUMBERS: '40',
          BENCH_WEBHOOK_EVENTS: '400',
          BENCH_WEBHOOK_RATE: '200',
          BENCH_WEBHOOK_SECONDS: '1',
          BENCH_WEBHOOK_RESULTS: results,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, output);
      assert.match(output, /deliveries\/s\s+\d+/);
      const figures = JSON.parse(readFileSync(results, 'utf8')) as Record<string, number>;
      assert.equal(figures.numbers, 40);
      assert.equal(figures.drain_events, 400);
      assert.equal(figures.latency_events, 200);
      assert.equal(figures.outbox_pending_after, 0);
      assert.ok(figures.deliveries_per_second !== undefined && figures.deliveries_per_second > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
