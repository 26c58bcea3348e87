import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AdminApiError, startPhonegraph } from 'phonegraph/testing';

const NUMBER = '400000000000101';

test('startPhonegraph hands out the demo tokens, a client of the first and a typed admin client', async () => {
  const pg = await startPhonegraph();
  try {
    assert.match(pg.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(pg.tokens, ['EAAG-demo-acme-connect-token', 'EAAG-demo-globex-ops-token']);
    const changed = await pg.admin.setStatus(NUMBER, 'BANNED', { reason: 'spam', force: true });
    assert.equal(changed.status, 'BANNED');
    assert.equal((await pg.admin.history(NUMBER))[0]?.to, 'BANNED');
    const clock = await pg.admin.clock.advance('2h');
    assert.equal(clock.offset_ms, 7_200_000);
    const exported = await pg.admin.export();
    assert.equal(exported.version, 1);
    await assert.rejects(pg.admin.otp(NUMBER), (error) => {
      assert.ok(error instanceof AdminApiError);
      assert.equal(error.status, 404);
      assert.equal(error.code, 'not_found');
      return true;
    });
    await pg.admin.faults.add({ action: { delay_ms: 1 } });
    await pg.reset();
    assert.deepEqual(await pg.admin.faults.list(), []);
    const number = await pg.client.phoneNumbers.retrieve(NUMBER, { fields: ['status'] });
    assert.equal(number.status, 'CONNECTED');
    assert.equal((await pg.admin.clock.get()).offset_ms, 0);
  } finally {
    await pg.close();
  }
});

test('an admin token guards the admin plane and pg.admin sends it', async () => {
  const pg = await startPhonegraph({ adminToken: 'secret-admin' });
  try {
    await pg.admin.faults.clear();
    const response = await fetch(`${pg.url}/__admin/faults`);
    assert.equal(response.status, 404);
  } finally {
    await pg.close();
  }
});

test('a db file keeps its state across starts with keepState, and a scenario document loads as given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phonegraph-testing-'));
  try {
    const db = join(dir, 'state.db');
    const first = await startPhonegraph({ db });
    await first.admin.setStatus(NUMBER, 'FLAGGED');
    await first.close();
    const second = await startPhonegraph({ db, keepState: true });
    assert.equal(
      (await second.client.phoneNumbers.retrieve(NUMBER, { fields: ['status'] })).status,
      'FLAGGED',
    );
    await second.close();
    const third = await startPhonegraph({
      db,
      scenario: {
        version: 1,
        apps: [{ id: '1000000000000009', name: 'Solo', wabas: '*' }],
        businesses: [
          {
            id: '2000000000000009',
            wabas: [
              {
                id: '3000000000000009',
                phone_numbers: [
                  { id: '400000000000901', verified_name: 'Solo', display_phone_number: '+1 555-090-0001' },
                ],
              },
            ],
          },
        ],
        tokens: [{ value: 'solo-token', app: '1000000000000009' }],
      },
    });
    assert.deepEqual(third.tokens, ['solo-token']);
    assert.equal(
      (await third.client.phoneNumbers.retrieve('400000000000901', { fields: ['id'] })).id,
      '400000000000901',
    );
    await third.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
