// The dashboard benchmark (bench/dashboard.js) at a small size: the read path answers the expected
// bodies, the page really streams (it fails by itself when the open dashboard made no request in a
// round), and the figures are reported. Runs the compiled bin (`npm run build` first; `npm test` does).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const BENCH = fileURLToPath(new URL('../bench/dashboard.js', import.meta.url));

interface Side {
  requestsPerSecond: number;
  errors: number;
  changesPerRound: number[];
  pageRequestsPerRound?: number[];
}

test(
  'the dashboard benchmark measures reads with the dashboard streaming against without',
  { timeout: 300_000 },
  async () => {
    const dir = mkdtempSync(tmpdir() + '/pg-bench-dashboard-test-');
    try {
      const results = `${dir}/dashboard.json`;
      const child = spawn(process.execPath, [BENCH], {
        env: {
          ...process.env,
          BENCH_DASHBOARD_NUMBERS: '60',
          BENCH_DASHBOARD_ROUNDS: '1',
          BENCH_DASHBOARD_SECONDS: '2',
          BENCH_WARMUP: '0',
          BENCH_PATHS: '1000',
          BENCH_CONNECTIONS: '8',
          BENCH_DASHBOARD_RESULTS: results,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, output);
      assert.match(output, /ratio \(median of rounds\)\s+\d+\.\d{3}×/);
      const report = JSON.parse(readFileSync(results, 'utf8')) as {
        ratio: number;
        without: Side;
        with: Side;
      };
      assert.ok(report.ratio > 0);
      for (const side of [report.without, report.with]) {
        assert.ok(side.requestsPerSecond > 0);
        assert.equal(side.errors, 0);
        assert.ok((side.changesPerRound[0] ?? 0) > 0);
      }
      assert.ok((report.with.pageRequestsPerRound?.[0] ?? 0) > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
