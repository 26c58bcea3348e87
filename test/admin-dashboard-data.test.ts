import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryBody } from '../src/webhooks/delivery-body.ts';
import { hubSignature } from '../src/webhooks/signature.ts';
import { graphApp, ID, type TestApp } from './helpers/graph-app.ts';

// The admin endpoints the dashboard views read besides the lifecycle ones (docs/admin.md).

async function withApp(run: (app: TestApp) => Promise<void>): Promise<void> {
  const app = await graphApp({ ids: 'random' });
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

async function admin(app: TestApp, method: string, url: string, body?: unknown) {
  const response = await app.fastify.inject({
    method: method as 'GET',
    url: `/__admin${url}`,
    remoteAddress: '127.0.0.1',
    ...(body === undefined
      ? {}
      : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

test('GET /apps lists each app with its webhook subscription and its state, never the secret or token', async () => {
  await withApp(async (app) => {
    const { status, body } = await admin(app, 'GET', '/apps');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      data: [
        {
          id: ID.app,
          name: 'Test App One',
          wabas: '*',
          webhook: {
            url: 'http://127.0.0.1:9/hook',
            fields: [
              'account_update',
              'phone_number_name_update',
              'phone_number_quality_update',
              'account_review_update',
            ],
            state: 'pending_verification',
          },
        },
        { id: ID.proofApp, name: 'Proof App', wabas: ['3100000000000003'], webhook: null },
      ],
    });
  });
});

test('the delivery log filters by field and shows the signature header of each delivery', async () => {
  await withApp(async (app) => {
    assert.equal(
      (await admin(app, 'POST', `/phone-numbers/${ID.connected}/status`, { status: 'FLAGGED' })).status,
      200,
    );
    const banned = { status: 'BANNED', force: true };
    assert.equal((await admin(app, 'POST', `/phone-numbers/${ID.connected}/status`, banned)).status, 200);
    const all = (await admin(app, 'GET', `/webhooks/deliveries?phone_number=${ID.connected}`)).body.data as {
      field: string;
      app_id: string;
      payload: unknown;
      signature: string;
    }[];
    assert.ok(all.length >= 2);
    const byField = (await admin(app, 'GET', '/webhooks/deliveries?field=account_update')).body.data as {
      field: string;
    }[];
    assert.ok(byField.length >= 1);
    assert.ok(byField.every((delivery) => delivery.field === 'account_update'));
    assert.ok(all.some((delivery) => delivery.field !== 'account_update'));
    for (const delivery of all) {
      assert.equal(delivery.app_id, ID.app);
      assert.equal(
        delivery.signature,
        hubSignature('app-one-secret', deliveryBody(JSON.stringify(delivery.payload))),
      );
    }
    const wrong = await admin(app, 'GET', '/webhooks/deliveries?field=messages');
    assert.deepEqual(wrong, {
      status: 400,
      body: {
        error: {
          message:
            'field must be one of account_update, phone_number_name_update, phone_number_quality_update, account_review_update',
          code: 'validation_failed',
        },
      },
    });
  });
});

test('GET /phone-numbers/{id}/qr-codes lists the codes with image paths this server serves', async () => {
  await withApp(async (app) => {
    assert.deepEqual(await admin(app, 'GET', `/phone-numbers/${ID.connected}/qr-codes`), {
      status: 200,
      body: { data: [] },
    });
    const created = await app.fastify.inject({
      method: 'POST',
      url: `/v21.0/${ID.connected}/message_qrdls?prefilled_message=Hello&access_token=T-ALL`,
    });
    assert.equal(created.statusCode, 200);
    const { code } = JSON.parse(created.body) as { code: string };
    const { body } = await admin(app, 'GET', `/phone-numbers/${ID.connected}/qr-codes`);
    const [qr] = body.data as Record<string, string>[];
    assert.ok(qr !== undefined);
    assert.deepEqual(
      { ...qr, image_png: 'P', image_svg: 'S' },
      {
        code,
        prefilled_message: 'Hello',
        deep_link_url: `https://wa.me/message/${code}`,
        image_png: 'P',
        image_svg: 'S',
      },
    );
    assert.match(qr.image_png ?? '', new RegExp(`^/__qr/[\\w-]+/${code}\\.png$`));
    const image = await app.fastify.inject({ url: qr.image_png ?? '' });
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    const svg = await app.fastify.inject({ url: qr.image_svg ?? '' });
    assert.equal(svg.statusCode, 200);
    assert.deepEqual(await admin(app, 'GET', '/phone-numbers/999/qr-codes'), {
      status: 404,
      body: { error: { message: 'Unknown phone number 999', code: 'not_found' } },
    });
  });
});

test('GET /phone-numbers/{id}/business-profile answers the profile as the PUT did', async () => {
  await withApp(async (app) => {
    assert.deepEqual(await admin(app, 'GET', `/phone-numbers/${ID.connected}/business-profile`), {
      status: 200,
      body: { messaging_product: 'whatsapp' },
    });
    const put = await admin(app, 'PUT', `/phone-numbers/${ID.connected}/business-profile`, {
      about: 'Open 9-5',
      vertical: 'RETAIL',
    });
    assert.equal(put.status, 200);
    assert.deepEqual(await admin(app, 'GET', `/phone-numbers/${ID.connected}/business-profile`), put);
    assert.deepEqual(await admin(app, 'GET', '/phone-numbers/999/business-profile'), {
      status: 404,
      body: { error: { message: 'Unknown phone number 999', code: 'not_found' } },
    });
  });
});

test('GET /rate-limits/timeline counts the window calls per 5 minutes', async () => {
  await withApp(async (app) => {
    for (let i = 0; i < 3; i++) {
      const read = await app.get(`/v21.0/${ID.connected}?access_token=T-ALL`);
      assert.equal(read.statusCode, 200);
    }
    const { status, body } = await admin(app, 'GET', `/rate-limits/timeline?app=${ID.app}&waba=${ID.waba}`);
    assert.equal(status, 200);
    const data = body.data as { until: string; calls: number }[];
    assert.equal(data.length, 12);
    assert.equal(body.bucket_minutes, 5);
    assert.deepEqual(
      data.map((bucket) => bucket.calls),
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
    );
    assert.equal(data.at(-1)?.until, '2026-11-24T12:00:00.000Z');
    assert.equal(data[0]?.until, '2026-11-24T11:05:00.000Z');
    assert.deepEqual(await admin(app, 'GET', '/rate-limits/timeline?app=x'), {
      status: 400,
      body: { error: { message: 'app and waba must be numeric id strings', code: 'validation_failed' } },
    });
  });
});
