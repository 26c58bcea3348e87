import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUS_TRANSITIONS } from '../contract/lifecycle.ts';
import { PHONE_NUMBER_STATUSES } from '../contract/phone-number.ts';
import type { PhoneNumberRecord } from '../store/records.ts';
import { metaTime, STATUS_EVENT_RULES } from './events.ts';
import { planQuality, planStatusChange } from './lifecycle.ts';

const AT = new Date('2026-11-24T12:00:00.000Z');

const NUMBER = {
  id: '410000000000001',
  waba_id: '3100000000000001',
  display_phone_number: '+1 555-020-0001',
  status: 'CONNECTED',
  messaging_limit_tier: 'TIER_1K',
  quality_score: { score: 'GREEN', date: 1, reasons: [] },
} as unknown as PhoneNumberRecord;

test('the transition table covers every status, never targets itself, and ends at MIGRATED and DELETED', () => {
  assert.deepEqual(Object.keys(STATUS_TRANSITIONS).sort(), [...PHONE_NUMBER_STATUSES].sort());
  for (const [from, targets] of Object.entries(STATUS_TRANSITIONS)) {
    assert.ok(!targets.includes(from as never), from);
    for (const target of targets) assert.ok(PHONE_NUMBER_STATUSES.includes(target));
  }
  assert.deepEqual(STATUS_TRANSITIONS.MIGRATED, []);
  assert.deepEqual(STATUS_TRANSITIONS.DELETED, []);
  assert.equal(STATUS_TRANSITIONS.UNKNOWN.length, PHONE_NUMBER_STATUSES.length - 1);
});

test('every status rule targets a status some transition reaches', () => {
  const reachable = new Set(Object.values(STATUS_TRANSITIONS).flat());
  for (const rule of STATUS_EVENT_RULES) assert.ok(reachable.has(rule.to), rule.to);
});

test('plans a change as new data and leaves the given record untouched', () => {
  const frozen = Object.freeze({ ...NUMBER });
  const planned = planStatusChange(frozen, 'FLAGGED', {
    actor: 'admin',
    at: AT,
    reason: null,
    force: false,
    via: 'admin',
  });
  assert.ok(planned !== null && !('refused' in planned));
  assert.equal(planned.number.status, 'FLAGGED');
  assert.equal(frozen.status, 'CONNECTED');
  assert.notEqual(planned.number, frozen);
  assert.deepEqual(
    planned.events.map((event) => [event.field, event.value.event]),
    [['phone_number_quality_update', 'FLAGGED']],
  );
});

test('refuses a transition out of the table with the allowed targets, and forces it on request', () => {
  const pending = { ...NUMBER, status: 'PENDING' } as PhoneNumberRecord;
  const options = { actor: 'admin', at: AT, reason: null, via: 'admin' } as const;
  assert.deepEqual(planStatusChange(pending, 'BANNED', { ...options, force: false }), {
    refused: true,
    allowed: STATUS_TRANSITIONS.PENDING,
  });
  const forced = planStatusChange(pending, 'BANNED', { ...options, force: true });
  assert.ok(forced !== null && !('refused' in forced));
  assert.equal(forced.events[0]?.value.event, 'DISABLED_UPDATE');
});

test('a quality change dates the score on the clock; the same score and reasons is no change', () => {
  const planned = planQuality(NUMBER, { score: 'RED', reasons: ['x'] }, { actor: 'admin', at: AT });
  assert.deepEqual(planned?.number.quality_score, {
    score: 'RED',
    date: AT.getTime() / 1000,
    reasons: ['x'],
  });
  assert.deepEqual(planned?.events, []);
  assert.equal(planQuality(NUMBER, { score: 'GREEN' }, { actor: 'admin', at: AT }), null);
});

test('writes Meta times as YYYY-MM-DDTHH:MM:SS+0000 in UTC', () => {
  assert.equal(metaTime(new Date('2026-12-24T13:59:20.999Z')), '2026-12-24T13:59:20+0000');
});
