// A short fuzz run in every `npm test` (issue #10): fixed seed, a few thousand requests against a server
// in its own process; any broken invariant (docs/reliability.md) fails the suite with the findings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSummary, runFuzz } from './fuzz/run-fuzz.ts';

const MAX_RSS_MIB = 512;

test('a seeded fuzz run of 3,000 requests breaks no invariant', { timeout: 240_000 }, async () => {
  const summary = await runFuzz({
    seed: 20261202,
    requests: 3000,
    seconds: 180,
    concurrency: 8,
    maxRssMiB: MAX_RSS_MIB,
  });
  assert.equal(summary.crashed, false);
  assert.deepEqual(summary.findings, [], formatSummary(summary, MAX_RSS_MIB));
  assert.equal(summary.serverErrorLines, 0, formatSummary(summary, MAX_RSS_MIB));
});
