import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPacificTime } from './graph-time.ts';

test('formats a summer time as PDT', () => {
  assert.equal(formatPacificTime(new Date('2024-03-30T23:00:00Z')), 'Saturday, 30-Mar-24 16:00:00 PDT');
});

test('formats a winter time as PST with zero-padded fields', () => {
  assert.equal(formatPacificTime(new Date('2024-01-05T17:03:09Z')), 'Friday, 05-Jan-24 09:03:09 PST');
});

test('prints the midnight hour as 00', () => {
  assert.equal(formatPacificTime(new Date('2024-07-04T07:00:00Z')), 'Thursday, 04-Jul-24 00:00:00 PDT');
});

test('follows the end of daylight time on 2024-11-03', () => {
  assert.equal(formatPacificTime(new Date('2024-11-03T08:59:59Z')), 'Sunday, 03-Nov-24 01:59:59 PDT');
  assert.equal(formatPacificTime(new Date('2024-11-03T09:00:00Z')), 'Sunday, 03-Nov-24 01:00:00 PST');
});

test('uses the Pacific date when it differs from the UTC date', () => {
  assert.equal(formatPacificTime(new Date('2025-01-01T03:00:00Z')), 'Tuesday, 31-Dec-24 19:00:00 PST');
});

test('throws RangeError for an invalid date', () => {
  assert.throws(() => formatPacificTime(new Date(Number.NaN)), RangeError);
});
