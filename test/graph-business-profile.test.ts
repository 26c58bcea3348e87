// The `whatsapp_business_profile` edge of a phone number (phone-number.md §5.3) and its admin route
// (control-plane.md §3), through HTTP, bodies compared whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { BUSINESS_VERTICALS } from '../src/contract/business-profile.ts';
import { QrImageSigner } from '../src/domain/qr-images.ts';
import { BASE, E, edgesApp, invalid, unsupported, wire, type EdgesApp } from './helpers/edges-app.ts';
import { expectedHeaders, graphHeadersOf, NOW } from './helpers/graph-app.ts';

const SUCCESS = '{"success":true}';
const EDGE = `/v21.0/${E.first}/whatsapp_business_profile`;
const EMPTY = wire({ data: [{ messaging_product: 'whatsapp' }] });

async function withApp(run: (app: EdgesApp) => Promise<void>): Promise<void> {
  const app = await edgesApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

function update(app: EdgesApp, form: Record<string, string>, token = 'T-ALL') {
  return app.send('POST', `${EDGE}?access_token=${token}`, { form });
}

async function history(app: EdgesApp, id: string): Promise<unknown[]> {
  const response = await app.fastify.inject({
    method: 'GET',
    url: `/__admin/phone-numbers/${id}/history`,
    remoteAddress: '127.0.0.1',
  });
  return (JSON.parse(response.body) as { data: unknown[] }).data;
}

async function picturePath(app: EdgesApp, id: string, handle: string): Promise<string> {
  return (await QrImageSigner.fromStore(app.store)).profilePicturePath(id, handle);
}

test('a number without a profile reads {"data":[{"messaging_product":"whatsapp"}]} on every version', async () => {
  await withApp(async (app) => {
    for (const version of ['v11.0', 'v16.0', 'v21.0']) {
      const response = await app.send(
        'GET',
        `/${version}/${E.first}/whatsapp_business_profile?access_token=T-ALL`,
      );
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, EMPTY);
      const { etag, ...headers } = graphHeadersOf(response);
      assert.match(String(etag), /^"[0-9a-f]{40}"$/);
      assert.deepEqual(headers, expectedHeaders({ version, bucWaba: E.waba }));
    }
  });
});

test('POST sets the fields, GET answers them in order with messaging_product last, fields selects', async () => {
  await withApp(async (app) => {
    const posted = await update(app, {
      messaging_product: 'whatsapp',
      about: 'Caf\u00e9 open 9-5',
      address: '1 Main St',
      description: 'We sell coffee.',
      email: 'hi@cafe.example',
      websites: JSON.stringify(['https://cafe.example', 'https://cafe.example/menu']),
      vertical: 'RESTAURANT',
      profile_picture_handle: '4::aW1hZ2UvcG5n:ARb',
    });
    assert.equal(posted.statusCode, 200);
    assert.equal(posted.body, SUCCESS);
    const url = `${BASE}${await picturePath(app, E.first, '4::aW1hZ2UvcG5n:ARb')}`;
    assert.match(
      url,
      /^http:\/\/graph\.example\.test\/__qr\/[A-Za-z0-9_-]{24}\/profile-410000000000001\.png$/,
    );
    const full = await app.send('GET', `${EDGE}?access_token=T-ALL`);
    assert.equal(
      full.body,
      wire({
        data: [
          {
            about: 'Caf\u00e9 open 9-5',
            address: '1 Main St',
            description: 'We sell coffee.',
            email: 'hi@cafe.example',
            profile_picture_url: url,
            websites: ['https://cafe.example', 'https://cafe.example/menu'],
            vertical: 'RESTAURANT',
            messaging_product: 'whatsapp',
          },
        ],
      }),
    );
    const some = await app.send('GET', `${EDGE}?fields=vertical,about&access_token=T-ALL`);
    assert.equal(
      some.body,
      wire({
        data: [{ vertical: 'RESTAURANT', about: 'Caf\u00e9 open 9-5', messaging_product: 'whatsapp' }],
      }),
    );
    const productFirst = await app.send('GET', `${EDGE}?fields=messaging_product,email&access_token=T-ALL`);
    assert.equal(
      productFirst.body,
      wire({ data: [{ email: 'hi@cafe.example', messaging_product: 'whatsapp' }] }),
    );
    const bad = await app.send('GET', `${EDGE}?fields=about,status&access_token=T-ALL`);
    assert.equal(bad.statusCode, 400);
    assert.equal(
      bad.body,
      invalid('Tried accessing nonexisting field (status) on node type (WhatsAppBusinessProfile)'),
    );
    // The picture is a real PNG, served without a token.
    const image = await app.fastify.inject({ method: 'GET', url: new URL(url).pathname });
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    const png = PNG.sync.read(image.rawPayload);
    assert.deepEqual([png.width, png.height], [64, 64]);
    // A wrong signature is 404.
    const forged = await app.fastify.inject({
      method: 'GET',
      url: `/__qr/AAAAAAAAAAAAAAAAAAAAAAAA/profile-${E.first}.png`,
    });
    assert.equal(forged.statusCode, 404);
  });
});

test('"" clears a field; a cleared picture is no longer served; each change is a history line', async () => {
  await withApp(async (app) => {
    assert.equal(
      (await update(app, { messaging_product: 'whatsapp', about: 'A', profile_picture_handle: 'h1' })).body,
      SUCCESS,
    );
    const path = await picturePath(app, E.first, 'h1');
    assert.equal(
      (await update(app, { messaging_product: 'whatsapp', about: '', profile_picture_handle: '' })).body,
      SUCCESS,
    );
    assert.equal((await app.send('GET', `${EDGE}?access_token=T-ALL`)).body, EMPTY);
    assert.equal((await app.fastify.inject({ method: 'GET', url: path })).statusCode, 404);
    // Nothing changes: success, no history line.
    assert.equal((await update(app, { messaging_product: 'whatsapp', about: '' })).body, SUCCESS);
    const at = NOW.toISOString();
    assert.deepEqual(await history(app, E.first), [
      {
        at,
        actor: 'graph:1100000000000001',
        change: 'business_profile',
        from: null,
        to: 'about, profile_picture',
        reason: null,
      },
      {
        at,
        actor: 'graph:1100000000000001',
        change: 'business_profile',
        from: null,
        to: 'about, profile_picture',
        reason: null,
      },
    ]);
  });
});

test('POST validation: each row is 100 invalid parameter naming the field, and nothing changes', async () => {
  await withApp(async (app) => {
    const cases: [Record<string, string>, string][] = [
      [{ about: 'x' }, invalid('The parameter messaging_product is required')],
      [{ messaging_product: 'sms' }, invalid('Param messaging_product must be whatsapp - got "sms"')],
      [
        { messaging_product: 'whatsapp', about: 'a'.repeat(140) },
        invalid('Param about must be at most 139 characters long'),
      ],
      [
        { messaging_product: 'whatsapp', address: 'a'.repeat(257) },
        invalid('Param address must be at most 256 characters long'),
      ],
      [
        { messaging_product: 'whatsapp', description: 'a'.repeat(513) },
        invalid('Param description must be at most 512 characters long'),
      ],
      [
        { messaging_product: 'whatsapp', email: 'a'.repeat(129) },
        invalid('Param email must be at most 128 characters long'),
      ],
      [
        { messaging_product: 'whatsapp', vertical: 'BAKERY' },
        invalid(`Param vertical must be one of {${BUSINESS_VERTICALS.join(', ')}}`),
      ],
      [
        { messaging_product: 'whatsapp', websites: JSON.stringify(['https://a', 'https://b', 'https://c']) },
        invalid('Param websites must have at most 2 entries'),
      ],
      [
        { messaging_product: 'whatsapp', websites: JSON.stringify([`https://${'a'.repeat(250)}`]) },
        invalid('Param websites must be at most 256 characters long'),
      ],
      [
        { messaging_product: 'whatsapp', websites: '[1,2' },
        invalid('Param websites must be a URL or a JSON array of URLs'),
      ],
    ];
    for (const [form, body] of cases) {
      const response = await update(app, form);
      assert.equal(response.statusCode, 400, JSON.stringify(form));
      assert.equal(response.body, body, JSON.stringify(form));
    }
    // Limits count characters, not bytes: 139 é is fine.
    assert.equal(
      (await update(app, { messaging_product: 'whatsapp', about: '\u00e9'.repeat(139) })).body,
      SUCCESS,
    );
    assert.equal((await history(app, E.first)).length, 1);
    // A JSON body and a bare URL for websites.
    const json = await app.send('POST', `${EDGE}?access_token=T-ALL`, {
      json: { messaging_product: 'whatsapp', websites: ['https://j.example'], vertical: 'RETAIL' },
    });
    assert.equal(json.body, SUCCESS);
    assert.equal(
      (await app.send('GET', `${EDGE}?fields=websites,vertical&access_token=T-ALL`)).body,
      wire({
        data: [{ websites: ['https://j.example'], vertical: 'RETAIL', messaging_product: 'whatsapp' }],
      }),
    );
    assert.equal(
      (await update(app, { messaging_product: 'whatsapp', websites: 'https://one.example' })).body,
      SUCCESS,
    );
    assert.equal(
      (await app.send('GET', `${EDGE}?fields=websites&access_token=T-ALL`)).body,
      wire({ data: [{ websites: ['https://one.example'], messaging_product: 'whatsapp' }] }),
    );
  });
});

test('permissions and methods as message_qrdls; another WABA is 100/33; a sub-path is 2500', async () => {
  await withApp(async (app) => {
    // Either permission reads and writes the profile (like message_qrdls).
    assert.equal((await app.send('GET', `${EDGE}?access_token=T-MSG`)).body, EMPTY);
    assert.equal((await update(app, { messaging_product: 'whatsapp', about: 'm' }, 'T-MSG')).body, SUCCESS);
    const other = await app.send('GET', `/v21.0/${E.other}/whatsapp_business_profile?access_token=T-W1`);
    assert.equal(other.body, unsupported('get', E.other));
    const del = await app.send('DELETE', `${EDGE}?access_token=T-ALL`);
    assert.equal(del.body, unsupported('delete', E.first));
    const sub = await app.send('GET', `${EDGE}/x?access_token=T-ALL`);
    assert.equal(sub.statusCode, 400);
    assert.equal(JSON.parse(sub.body).error.message, 'Unknown path components: /whatsapp_business_profile/x');
  });
});

test('PUT /__admin/phone-numbers/{id}/business-profile validates like Graph and answers the profile', async () => {
  await withApp(async (app) => {
    const put = (id: string, payload: unknown) =>
      app.fastify.inject({
        method: 'PUT',
        url: `/__admin/phone-numbers/${id}/business-profile`,
        remoteAddress: '127.0.0.1',
        // The admin plane answers loopback Host names only (docs/admin.md), so the picture URL names it.
        headers: { host: '127.0.0.1:8484', 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
    const cases: [unknown, number, string][] = [
      [[], 400, 'the body must be a JSON object of profile fields'],
      [
        { color: 'red' },
        400,
        'unknown field color; profile fields are about, address, description, email, profile_picture_handle, vertical, websites',
      ],
      [{ about: 'a'.repeat(140) }, 400, 'about must be at most 139 characters long'],
      [{ websites: ['a', 'b', 'c'] }, 400, 'websites must have at most 2 entries'],
      [{ websites: [1] }, 400, 'websites must be a list of URLs'],
    ];
    for (const [payload, status, message] of cases) {
      const response = await put(E.first, payload);
      assert.equal(response.statusCode, status);
      assert.deepEqual(JSON.parse(response.body), { error: { message, code: 'validation_failed' } });
    }
    const vertical = await put(E.first, { vertical: 'BAKERY' });
    assert.equal(vertical.statusCode, 400);
    assert.equal(JSON.parse(vertical.body).error.code, 'validation_failed');
    const missing = await put('499999999999999', { about: 'x' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(JSON.parse(missing.body), {
      error: { message: 'Unknown phone number 499999999999999', code: 'not_found' },
    });
    const ok = await put(E.first, { about: 'Admin set', vertical: 'EDU', profile_picture_handle: 'logo' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(JSON.parse(ok.body), {
      about: 'Admin set',
      profile_picture_url: `http://127.0.0.1:8484${await picturePath(app, E.first, 'logo')}`,
      vertical: 'EDU',
      messaging_product: 'whatsapp',
    });
    assert.deepEqual(await history(app, E.first), [
      {
        at: NOW.toISOString(),
        actor: 'admin',
        change: 'business_profile',
        from: null,
        to: 'about, profile_picture, vertical',
        reason: null,
      },
    ]);
    assert.equal(
      (await app.send('GET', `${EDGE}?fields=about,vertical&access_token=T-ALL`)).body,
      wire({ data: [{ about: 'Admin set', vertical: 'EDU', messaging_product: 'whatsapp' }] }),
    );
  });
});
