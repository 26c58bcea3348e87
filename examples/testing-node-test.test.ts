// phonegraph inside a node:test suite: one server for the file, a reset between tests (docs/testing.md).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { InvalidRequestError, startPhonegraph, type Phonegraph } from 'phonegraph/testing';

const NUMBER = '400000000000101';
let pg: Phonegraph;

before(async () => {
  pg = await startPhonegraph();
});
after(() => pg.close());
beforeEach(() => pg.reset());

test('reads the seeded number', async () => {
  const number = await pg.client.phoneNumbers.retrieve(NUMBER, { fields: ['status', 'quality_rating'] });
  assert.equal(number.status, 'CONNECTED');
  assert.equal(number.quality_rating, 'GREEN');
});

test('sees a status the admin plane set', async () => {
  await pg.admin.setStatus(NUMBER, 'FLAGGED', { reason: 'test' });
  const number = await pg.client.phoneNumbers.retrieve(NUMBER, { fields: ['status'] });
  assert.equal(number.status, 'FLAGGED');
});

test('starts again from the scenario after a reset', async () => {
  const number = await pg.client.phoneNumbers.retrieve(NUMBER, { fields: ['status'] });
  assert.equal(number.status, 'CONNECTED');
});

test('gets an injected Graph error as a typed error', async () => {
  await pg.admin.faults.add({
    match: { phone_number: NUMBER },
    action: { graph_error: { code: 100, subcode: 33 } },
    times: 1,
  });
  await assert.rejects(pg.client.phoneNumbers.retrieve(NUMBER, { fields: ['status'] }), (error) => {
    assert.ok(error instanceof InvalidRequestError);
    assert.equal(error.code, 100);
    assert.equal(error.subcode, 33);
    return true;
  });
  const [rule] = await pg.admin.faults.list();
  assert.equal(rule?.matched, 1);
  assert.equal(rule?.remaining, 0);
});
