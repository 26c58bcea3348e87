import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDate, GRAPH_TIME_FORMAT, graphTimeValue } from './date-format.ts';

// A Tuesday afternoon in UTC, the example of phone-number.md §2.
const AUG_22 = new Date('2023-08-22T19:05:53.250Z');

describe('formatDate (PHP date() in UTC)', () => {
  const expected: Record<string, string> = {
    d: '22',
    D: 'Tue',
    j: '22',
    l: 'Tuesday',
    N: '2',
    S: 'nd',
    w: '2',
    z: '233',
    W: '34',
    F: 'August',
    m: '08',
    M: 'Aug',
    n: '8',
    t: '31',
    L: '0',
    o: '2023',
    X: '+2023',
    x: '2023',
    Y: '2023',
    y: '23',
    a: 'pm',
    A: 'PM',
    B: '837',
    g: '7',
    G: '19',
    h: '07',
    H: '19',
    i: '05',
    s: '53',
    u: '000000',
    v: '000',
    e: 'UTC',
    I: '0',
    O: '+0000',
    P: '+00:00',
    p: 'Z',
    T: 'UTC',
    Z: '0',
    c: '2023-08-22T19:05:53+00:00',
    r: 'Tue, 22 Aug 2023 19:05:53 +0000',
    U: '1692731153',
  };
  for (const [character, value] of Object.entries(expected)) {
    it(`writes ${character} as ${value}`, () => {
      assert.equal(formatDate(AUG_22, character), value);
    });
  }

  it('writes Graph’s default format', () => {
    assert.equal(formatDate(AUG_22, GRAPH_TIME_FORMAT), '2023-08-22T19:05:53+0000');
  });

  it('copies characters that are not format characters and honours \\ escapes', () => {
    assert.equal(formatDate(AUG_22, 'Y-m-d'), '2023-08-22');
    assert.equal(formatDate(AUG_22, '\\Y\\m: Y/m'), 'Ym: 2023/08');
    assert.equal(formatDate(AUG_22, 'H\\h i\\m'), '19h 05m');
    assert.equal(formatDate(AUG_22, '\\\\Y'), '\\2023');
    assert.equal(formatDate(AUG_22, 'Y\\'), '2023');
    assert.equal(formatDate(AUG_22, ''), '');
  });

  it('writes ordinal suffixes by the day of the month', () => {
    const suffixes = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31].map((day) =>
      formatDate(new Date(Date.UTC(2023, 0, day)), 'jS'),
    );
    assert.deepEqual(suffixes, [
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '31st',
    ]);
  });

  it('numbers ISO weeks and years across the turn of the year', () => {
    assert.equal(formatDate(new Date('2021-01-01T00:00:00Z'), 'o-\\WW N'), '2020-W53 5');
    assert.equal(formatDate(new Date('2024-12-30T00:00:00Z'), 'o-\\WW N'), '2025-W01 1');
    assert.equal(formatDate(new Date('2023-01-01T00:00:00Z'), 'o-\\WW w z'), '2022-W52 0 0');
  });

  it('writes midnight and noon on the 12-hour clock, and leap years', () => {
    assert.equal(formatDate(new Date('2024-02-29T00:30:00Z'), 'g h a A L t B'), '12 12 am AM 1 29 062');
    assert.equal(formatDate(new Date('2023-02-01T12:00:00Z'), 'g h a L t'), '12 12 pm 0 28');
  });

  it('expands years past 9999 with a sign', () => {
    const far = new Date(Date.UTC(10191, 0, 1));
    assert.deepEqual(
      [formatDate(far, 'X'), formatDate(far, 'x'), formatDate(far, 'Y')],
      ['+10191', '+10191', '10191'],
    );
  });
});

describe('graphTimeValue', () => {
  it('writes Graph’s format by default and a JSON number for U', () => {
    assert.equal(graphTimeValue('2023-08-22T19:05:53.000Z', undefined), '2023-08-22T19:05:53+0000');
    assert.equal(graphTimeValue('2023-08-22T19:05:53.000Z', ''), '2023-08-22T19:05:53+0000');
    assert.equal(graphTimeValue('2023-08-22T19:05:53.000Z', 'U'), 1692731153);
    assert.equal(graphTimeValue('2023-08-22T19:05:53.000Z', 'U '), '1692731153 ');
    assert.equal(graphTimeValue('2023-08-22T19:05:53.000Z', 'c'), '2023-08-22T19:05:53+00:00');
  });
});
