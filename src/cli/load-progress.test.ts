import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoadProgressReporter, type ProgressOutput } from './load-progress.ts';

function output(isTTY: boolean): ProgressOutput & { readonly text: () => string } {
  const chunks: string[] = [];
  return { isTTY, columns: 120, write: (chunk) => chunks.push(chunk), text: () => chunks.join('') };
}

/** A clock the test moves: milliseconds. */
function steppedClock(): { now: () => number; advance: (ms: number) => void } {
  let ms = 1_000;
  return { now: () => ms, advance: (step) => (ms += step) };
}

test('off a terminal, a load writes only its summary line', () => {
  const out = output(false);
  const clock = steppedClock();
  const reporter = new LoadProgressReporter(out, 'big.json', clock.now);
  clock.advance(1_000);
  reporter.update({ numbers: 500_000, bytesRead: 100, totalBytes: 200 });
  clock.advance(40_250);
  reporter.finish(1_000_000);
  assert.equal(out.text(), 'loaded 1,000,000 numbers from big.json in 41.3 s (24,242 numbers/s)\n');
});

test('on a terminal, a bar with numbers, rate and ETA is redrawn in place, then replaced by the summary', () => {
  const out = output(true);
  const clock = steppedClock();
  const reporter = new LoadProgressReporter(out, 'big.json', clock.now);
  clock.advance(10_000);
  reporter.update({ numbers: 250_000, bytesRead: 50, totalBytes: 200 });
  clock.advance(10); // too soon to redraw
  reporter.update({ numbers: 251_000, bytesRead: 51, totalBytes: 200 });
  clock.advance(29_990);
  reporter.finish(1_000_000);
  assert.equal(
    out.text(),
    '\rloading [######------------------] 25% 250,000 numbers, 25,000/s, ETA 30 s\u001b[K' +
      '\r\u001b[Kloaded 1,000,000 numbers from big.json in 40.0 s (25,000 numbers/s)\n',
  );
});
