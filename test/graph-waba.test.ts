import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE, E, edgesApp, invalid, unsupported, wire, type EdgesApp } from './helpers/edges-app.ts';

const LIST = `/v21.0/${E.waba}/phone_numbers`;

async function withApp(run: (app: EdgesApp) => Promise<void>): Promise<void> {
  const app = await edgesApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

async function ids(app: EdgesApp, query: string): Promise<string[]> {
  const response = await app.send('GET', `${LIST}?access_token=T-ALL&fields=id&${query}`);
  assert.equal(response.statusCode, 200, response.body);
  return (JSON.parse(response.body) as { data: { id: string }[] }).data.map((item) => item.id);
}

test('reads the WABA node with its default fields and with every field', async () => {
  await withApp(async (app) => {
    const defaults = await app.send('GET', `/v21.0/${E.waba}?access_token=T-ALL`);
    assert.equal(defaults.statusCode, 200);
    assert.equal(
      defaults.body,
      wire({
        id: E.waba,
        name: 'Sales',
        timezone_id: '42',
        message_template_namespace: '0a1b2c3d-0000-4000-8000-000000000001',
      }),
    );
    assert.match(String(defaults.headers.etag), /^"[0-9a-f]{40}"$/);
    const all = await app.send(
      'GET',
      `/v21.0/${E.waba}?access_token=T-ALL&fields=currency,timezone_id,message_template_namespace,name`,
    );
    assert.equal(
      all.body,
      wire({
        currency: 'EUR',
        timezone_id: '42',
        message_template_namespace: '0a1b2c3d-0000-4000-8000-000000000001',
        name: 'Sales',
        id: E.waba,
      }),
    );
    const bad = await app.send('GET', `/v21.0/${E.waba}?access_token=T-ALL&fields=status`);
    assert.equal(
      bad.body,
      wire({
        error: {
          message: '(#100) Tried accessing nonexisting field (status) on node type (WhatsAppBusinessAccount)',
          type: 'OAuthException',
          code: 100,
          fbtrace_id: 'TRACEtrace0123456789-_x',
        },
      }),
    );
  });
});

test('answers 100/33 for a WABA the token cannot see and 2500 for an unknown WABA edge', async () => {
  await withApp(async (app) => {
    const hidden = await app.send('GET', `/v21.0/${E.otherWaba}?access_token=T-W1`);
    assert.equal(hidden.body, unsupported('get', E.otherWaba));
    const edge = await app.send('GET', `/v21.0/${E.waba}/subscribed_apps?access_token=T-ALL`);
    assert.equal(
      edge.body,
      wire({
        error: {
          message: 'Unknown path components: /subscribed_apps',
          type: 'OAuthException',
          code: 2500,
          fbtrace_id: 'TRACEtrace0123456789-_x',
        },
      }),
    );
    const post = await app.send('POST', `/v21.0/${E.waba}?access_token=T-ALL`);
    assert.equal(post.body, unsupported('post', E.waba));
  });
});

test('lists numbers with default fields, newest onboarding first, without DELETED numbers', async () => {
  await withApp(async (app) => {
    const response = await app.send('GET', `${LIST}?access_token=T-ALL`);
    const scope = `phone_numbers:${E.waba}:last_onboarded_time_descending`;
    // The list's own defaults (phone-number.md §2): last_onboarded_time before id; no app webhook here,
    // so no webhook_configuration.
    const row = (
      id: string,
      display: string,
      name: string,
      platform: string,
      onboarded: string,
    ): Record<string, unknown> => ({
      verified_name: name,
      code_verification_status: 'VERIFIED',
      display_phone_number: display,
      quality_rating: 'GREEN',
      platform_type: platform,
      throughput: { level: 'STANDARD' },
      last_onboarded_time: onboarded,
      id,
    });
    assert.equal(
      response.body,
      wire({
        data: [
          row(E.first, '+1 555-030-0001', 'First Line', 'CLOUD_API', '2026-01-03T00:00:00+0000'),
          row(E.third, '+1 555-030-0003', 'Third Line', 'CLOUD_API', '2026-01-02T00:00:00+0000'),
          row(E.second, '+1 555-030-0002', 'Second Line', 'CLOUD_API', '2026-01-01T00:00:00+0000'),
        ],
        paging: {
          cursors: {
            before: await app.cursor(scope, ['2026-01-03T00:00:00.000Z', E.first]),
            after: await app.cursor(scope, ['2026-01-01T00:00:00.000Z', E.second]),
          },
        },
      }),
    );
  });
});

test('sorts bare or as a JSON array, appending _ascending to a bare name', async () => {
  await withApp(async (app) => {
    assert.deepEqual(await ids(app, 'sort=last_onboarded_time'), [E.second, E.third, E.first]);
    assert.deepEqual(await ids(app, 'sort=creation_time_descending'), [E.third, E.second, E.first]);
    assert.deepEqual(await ids(app, `sort=${encodeURIComponent('["creation_time_ascending"]')}`), [
      E.first,
      E.second,
      E.third,
    ]);
    const bad = await app.send('GET', `${LIST}?access_token=T-ALL&sort=last_onboarded_time.desc`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.body, invalid('Cannot sort by last_onboarded_time.desc_ascending'));
  });
});

test('pages through a sorted list with cursors and links', async () => {
  await withApp(async (app) => {
    const first = await app.send(
      'GET',
      `${LIST}?access_token=T-ALL&fields=id&sort=creation_time_ascending&limit=2`,
    );
    const body = JSON.parse(first.body) as { paging: { next: string } };
    const scope = `${E.waba}:creation_time_ascending`;
    const after = await app.cursor(`phone_numbers:${scope}`, ['2026-01-02T00:00:00.000Z', E.second]);
    assert.equal(
      body.paging.next,
      `${BASE}${LIST}?access_token=T-ALL&fields=id&sort=creation_time_ascending&limit=2&after=${after}`,
    );
    const second = await app.send('GET', body.paging.next.slice(BASE.length));
    assert.deepEqual((JSON.parse(second.body) as { data: unknown[] }).data, [{ id: E.third }]);
    const otherSort = await app.send('GET', `${LIST}?access_token=T-ALL&after=${after}`);
    assert.equal(otherSort.body, invalid('Invalid after cursor'));
  });
});

test('filters with EQUAL on the listed fields and lists DELETED numbers only when filtered for', async () => {
  await withApp(async (app) => {
    const filter = (rules: unknown): string => `filtering=${encodeURIComponent(JSON.stringify(rules))}`;
    assert.deepEqual(
      await ids(app, filter([{ field: 'account_mode', operator: 'EQUAL', value: 'SANDBOX' }])),
      [E.second],
    );
    assert.deepEqual(
      await ids(app, filter([{ field: 'is_official_business_account', operator: 'EQUAL', value: false }])),
      [E.first, E.third],
    );
    assert.deepEqual(
      await ids(
        app,
        filter([
          { field: 'messaging_limit_tier', operator: 'EQUAL', value: 'TIER_1K' },
          { field: 'status', operator: 'EQUAL', value: 'CONNECTED' },
        ]),
      ),
      [E.first, E.third],
    );
    assert.deepEqual(await ids(app, filter([{ field: 'status', operator: 'EQUAL', value: 'DELETED' }])), [
      E.deleted,
    ]);
    const cases: [string, string][] = [
      [
        filter([{ field: 'is_official_business_account', operator: 'EQUAL', value: 'true' }]),
        "Filtering field is_official_business_account with operation 'equal' is not supported",
      ],
      [
        filter([{ field: 'verified_name', operator: 'EQUAL', value: 'x' }]),
        "Filtering field verified_name with operation 'equal' is not supported",
      ],
      [
        filter([{ field: 'status', operator: 'GREATER_THAN', value: 'x' }]),
        "Filtering field status with operation 'greater_than' is not supported",
      ],
      ['filtering=%7Bnope', 'Param filtering must be a JSON array'],
      [filter({ field: 'status' }), 'Param filtering must be a JSON array'],
    ];
    for (const [query, detail] of cases) {
      const response = await app.send('GET', `${LIST}?access_token=T-ALL&${query}`);
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, invalid(detail));
    }
  });
});

test('adds a PENDING number to a WABA and refuses a number already on a WABA', async () => {
  await withApp(async (app) => {
    const created = await app.send('POST', LIST, {
      form: { access_token: 'T-ALL', cc: '1', phone_number: '5550309999', verified_name: 'New Line' },
    });
    assert.equal(created.statusCode, 200);
    const id = (JSON.parse(created.body) as { id: string }).id;
    assert.equal(created.body, wire({ id }));
    assert.match(id, /^[1-9]\d{14}$/);
    const read = await app.send(
      'GET',
      `/v21.0/${id}?access_token=T-ALL&fields=status,name_status,code_verification_status,platform_type,display_phone_number,verified_name`,
    );
    assert.equal(
      read.body,
      wire({
        status: 'PENDING',
        name_status: 'PENDING_REVIEW',
        code_verification_status: 'NOT_VERIFIED',
        platform_type: 'NOT_APPLICABLE',
        display_phone_number: '+1 555-030-9999',
        verified_name: 'New Line',
        id,
      }),
    );
    assert.deepEqual(await ids(app, ''), [id, E.first, E.third, E.second]);
    const uk = await app.send(
      'POST',
      `${LIST}?access_token=T-ALL&cc=44&phone_number=2079460006&verified_name=UK`,
    );
    const ukId = (JSON.parse(uk.body) as { id: string }).id;
    const ukRead = await app.send('GET', `/v21.0/${ukId}?access_token=T-ALL&fields=display_phone_number`);
    assert.equal(ukRead.body, wire({ display_phone_number: '+44 2079460006', id: ukId }));
    // The other WABA's number, which this token cannot even see, is still "in use".
    for (const form of [
      { cc: '44', phone_number: '2079460005', verified_name: 'Taken' },
      { cc: '1', phone_number: '5550309999', verified_name: 'Again' },
    ]) {
      const refused = await app.send('POST', `${LIST}?access_token=T-W1`, { form });
      assert.equal(refused.statusCode, 400);
      assert.equal(
        refused.body,
        invalid('The phone number is already in use by a WhatsApp Business Account'),
      );
    }
  });
});

test('needs cc, phone_number and verified_name in that order, and the management permission', async () => {
  await withApp(async (app) => {
    const cases: [Record<string, string>, string][] = [
      [{ phone_number: '1', verified_name: 'x' }, 'cc'],
      [{ cc: '1', verified_name: 'x' }, 'phone_number'],
      [{ cc: '1', phone_number: '5550301111' }, 'verified_name'],
    ];
    for (const [form, name] of cases) {
      const response = await app.send('POST', LIST, { form: { access_token: 'T-ALL', ...form } });
      assert.equal(response.body, invalid(`The parameter ${name} is required`));
    }
    const messaging = await app.send(
      'POST',
      `${LIST}?access_token=T-MSG&cc=1&phone_number=5550301111&verified_name=x`,
    );
    assert.equal(messaging.body, unsupported('post', E.waba));
    const listed = await app.send('GET', `${LIST}?access_token=T-MSG&fields=id&limit=1`);
    assert.equal(listed.statusCode, 200);
  });
});

test('embeds the first page of phone_numbers in the WABA node, children with their own edges', async () => {
  await withApp(async (app) => {
    const response = await app.send(
      'GET',
      `/v21.0/${E.waba}?access_token=T-ALL&fields=name,phone_numbers.limit(1){status,message_qrdls.limit(1){code}}`,
    );
    const scope = `phone_numbers:${E.waba}:last_onboarded_time_descending`;
    const key = await app.cursor(scope, ['2026-01-03T00:00:00.000Z', E.first]);
    const qrKey = await app.cursor(`message_qrdls:${E.first}`, 3);
    assert.equal(
      response.body,
      wire({
        name: 'Sales',
        phone_numbers: {
          data: [
            {
              status: 'CONNECTED',
              message_qrdls: {
                data: [{ code: 'CCCCCCCCCCCCC1' }],
                paging: {
                  cursors: { before: qrKey, after: qrKey },
                  next: `${BASE}/v21.0/${E.first}/message_qrdls?access_token=T-ALL&limit=1&after=${qrKey}`,
                },
              },
              id: E.first,
            },
          ],
          paging: {
            cursors: { before: key, after: key },
            next: `${BASE}${LIST}?access_token=T-ALL&limit=1&after=${key}`,
          },
        },
        id: E.waba,
      }),
    );
  });
});
