import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minutesToRegainAccess, usageEntry, usageHeader, WINDOW_MS } from './buc-window.ts';

test('writes the usage header exactly as JSON.stringify would', () => {
  const entry = usageEntry({ admitted: true, count: 37, oldestMs: 0, timeMs: 40_000 }, 100, 1_000, 20_000);
  const header = usageHeader('102290129340398', entry);
  assert.equal(header, JSON.stringify({ '102290129340398': [entry] }));
  assert.equal(
    header,
    '{"102290129340398":[{"type":"whatsapp_business_management","call_count":37,"total_cputime":10,"total_time":1,"estimated_time_to_regain_access":0}]}',
  );
});

test('rounds the wait up to whole minutes while the window is full, and shows 100 for a refused call', () => {
  assert.equal(minutesToRegainAccess(200, 200, 0, WINDOW_MS - 60_001), 2);
  assert.equal(minutesToRegainAccess(200, 200, 0, WINDOW_MS - 60_000), 1);
  assert.equal(minutesToRegainAccess(199, 200, 0, 10), 0);
  const refused = usageEntry({ admitted: false, count: 200, oldestMs: 0, timeMs: 0 }, 200, 1_800_000, 5);
  assert.deepEqual([refused.call_count, refused.estimated_time_to_regain_access], [100, 30]);
});
