import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import {
  BASE,
  E,
  edgesApp,
  errorBody,
  invalid,
  unsupported,
  wire,
  type EdgesApp,
} from './helpers/edges-app.ts';

const QR_PATH = `/v21.0/${E.first}/message_qrdls`;
// jsqr is CommonJS with `exports.default`: the default import is the module object under NodeNext.
const jsQR = jsqr.default;
const CODE_SHAPE = /^[A-Z2-7]{13}1$/;

async function withApp(run: (app: EdgesApp) => Promise<void>): Promise<void> {
  const app = await edgesApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

function item(code: string, message: string): Record<string, string> {
  return { code, prefilled_message: message, deep_link_url: `https://wa.me/message/${code}` };
}

function decodePng(bytes: Buffer): string | undefined {
  const png = PNG.sync.read(bytes);
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}

test('creates a QR code from query parameters of a POST and answers the bare object', async () => {
  await withApp(async (app) => {
    const response = await app.send('POST', `${QR_PATH}?access_token=T-ALL&prefilled_message=Hi%20there`);
    assert.equal(response.statusCode, 200);
    const code = (JSON.parse(response.body) as { code: string }).code;
    assert.match(code, CODE_SHAPE);
    assert.equal(response.body, wire(item(code, 'Hi there')));
    assert.equal(response.headers.etag, undefined);
  });
});

test('creates from a form body and from a JSON body, the body winning over the query', async () => {
  await withApp(async (app) => {
    const form = await app.send('POST', `${QR_PATH}?prefilled_message=query`, {
      form: { access_token: 'T-ALL', prefilled_message: 'form' },
    });
    const formCode = (JSON.parse(form.body) as { code: string }).code;
    assert.equal(form.body, wire(item(formCode, 'form')));
    const json = await app.send('POST', QR_PATH, {
      json: { access_token: 'T-ALL', prefilled_message: 'json' },
    });
    const jsonCode = (JSON.parse(json.body) as { code: string }).code;
    assert.equal(json.body, wire(item(jsonCode, 'json')));
    const list = await app.send('GET', `${QR_PATH}?access_token=T-ALL&limit=2&fields=code`);
    assert.deepEqual((JSON.parse(list.body) as { data: unknown[] }).data, [
      { code: jsonCode },
      { code: formCode },
    ]);
  });
});

test('generate_qr_image=png returns an image URL whose PNG decodes to the deep link', async () => {
  await withApp(async (app) => {
    const response = await app.send(
      'POST',
      `${QR_PATH}?access_token=T-ALL&prefilled_message=Hi&generate_qr_image=png`,
    );
    const body = JSON.parse(response.body) as { code: string; qr_image_url: string };
    const path = await app.imagePath(body.code, 'PNG');
    assert.equal(response.body, wire({ ...item(body.code, 'Hi'), qr_image_url: `${BASE}${path}` }));
    const image = await app.send('GET', path);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.equal(decodePng(image.rawPayload), `https://wa.me/message/${body.code}`);
  });
});

test('serves SVG images and answers 404 for a wrong token, an unknown or a deleted code', async () => {
  await withApp(async (app) => {
    const svgPath = await app.imagePath('AAAAAAAAAAAAA1', 'SVG');
    const svg = await app.send('GET', svgPath);
    assert.equal(svg.statusCode, 200);
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.match(svg.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const notFound = '{"error":{"message":"Not found","code":"not_found"}}';
    const wrongToken = svgPath.replace(/\/__qr\/[^/]+\//, '/__qr/AAAAAAAAAAAAAAAAAAAAAAAA/');
    const deleted = await app.imagePath('BBBBBBBBBBBBB1', 'PNG');
    await app.send('DELETE', `${QR_PATH}/BBBBBBBBBBBBB1?access_token=T-ALL`);
    for (const path of [wrongToken, await app.imagePath('ZZZZZZZZZZZZZ1', 'PNG'), deleted, '/__qr/x']) {
      const response = await app.send('GET', path);
      assert.equal(response.statusCode, 404, path);
      assert.equal(response.body, notFound, path);
    }
  });
});

test('qr_image_url in fields needs .format and then points at the image', async () => {
  await withApp(async (app) => {
    const png = await app.send(
      'GET',
      `${QR_PATH}/AAAAAAAAAAAAA1?access_token=T-ALL&fields=code,qr_image_url.format(png)`,
    );
    const path = await app.imagePath('AAAAAAAAAAAAA1', 'PNG');
    assert.equal(png.body, wire({ data: [{ code: 'AAAAAAAAAAAAA1', qr_image_url: `${BASE}${path}` }] }));
    const bare = await app.send('GET', `${QR_PATH}?access_token=T-ALL&fields=qr_image_url`);
    assert.equal(bare.statusCode, 400);
    assert.equal(bare.body, invalid('Field qr_image_url requires .format(SVG|PNG)'));
    const gif = await app.send('GET', `${QR_PATH}?access_token=T-ALL&fields=qr_image_url.format(GIF)`);
    assert.equal(gif.body, invalid('Field qr_image_url requires .format(SVG|PNG)'));
  });
});

test('updates a message with code in the body and with the older path form, keeping the code', async () => {
  await withApp(async (app) => {
    const body = await app.send('POST', QR_PATH, {
      form: { access_token: 'T-ALL', code: 'AAAAAAAAAAAAA1', prefilled_message: 'Changed' },
    });
    assert.equal(body.body, wire(item('AAAAAAAAAAAAA1', 'Changed')));
    const older = await app.send('POST', `${QR_PATH}/CCCCCCCCCCCCC1?access_token=T-ALL`, {
      form: { prefilled_message: 'Again', generate_qr_image: 'SVG' },
    });
    const path = await app.imagePath('CCCCCCCCCCCCC1', 'SVG');
    assert.equal(older.body, wire({ ...item('CCCCCCCCCCCCC1', 'Again'), qr_image_url: `${BASE}${path}` }));
    const one = await app.send('GET', `${QR_PATH}/AAAAAAAAAAAAA1?access_token=T-ALL`);
    assert.equal(one.body, wire({ data: [item('AAAAAAAAAAAAA1', 'Changed')] }));
  });
});

test('lists newest first, tolerates a trailing slash and filters by code', async () => {
  await withApp(async (app) => {
    const list = await app.send('GET', `${QR_PATH}/?access_token=T-ALL`);
    const expected = {
      data: [
        item('CCCCCCCCCCCCC1', 'Newest'),
        item('BBBBBBBBBBBBB1', 'Café / Bar'),
        item('AAAAAAAAAAAAA1', 'Oldest'),
      ],
      paging: {
        cursors: {
          before: await app.cursor(`message_qrdls:${E.first}`, 3),
          after: await app.cursor(`message_qrdls:${E.first}`, 1),
        },
      },
    };
    assert.equal(list.body, wire(expected));
    const filtered = await app.send('GET', `${QR_PATH}?access_token=T-ALL&code=BBBBBBBBBBBBB1&fields=code`);
    assert.equal(
      filtered.body,
      wire({
        data: [{ code: 'BBBBBBBBBBBBB1' }],
        paging: {
          cursors: {
            before: await app.cursor(`message_qrdls:${E.first}`, 2),
            after: await app.cursor(`message_qrdls:${E.first}`, 2),
          },
        },
      }),
    );
    const none = await app.send('GET', `${QR_PATH}?access_token=T-ALL&code=DDDDDDDDDDDDD1`);
    assert.equal(none.body, '{"data":[]}');
  });
});

test('gets one code as a one-item data list and deletes it', async () => {
  await withApp(async (app) => {
    const one = await app.send('GET', `${QR_PATH}/BBBBBBBBBBBBB1?access_token=T-ALL`);
    assert.equal(one.body, wire({ data: [item('BBBBBBBBBBBBB1', 'Café / Bar')] }));
    const deleted = await app.send('DELETE', `${QR_PATH}/BBBBBBBBBBBBB1?access_token=T-ALL`);
    assert.equal(deleted.statusCode, 200);
    assert.equal(deleted.body, '{"success":true}');
    const again = await app.send('GET', `${QR_PATH}/BBBBBBBBBBBBB1?access_token=T-ALL`);
    assert.equal(again.statusCode, 400);
    assert.equal(again.body, unsupported('get', 'BBBBBBBBBBBBB1'));
    const tunnelled = await app.send('GET', `${QR_PATH}/AAAAAAAAAAAAA1?access_token=T-ALL&method=delete`);
    assert.equal(tunnelled.body, '{"success":true}');
  });
});

test('answers 100/33 with the code as object id for unknown codes and codes of another number', async () => {
  await withApp(async (app) => {
    const cases: [method: 'GET' | 'POST' | 'DELETE', code: string, verb: string][] = [
      ['GET', 'ZZZZZZZZZZZZZ1', 'get'],
      ['DELETE', 'ZZZZZZZZZZZZZ1', 'delete'],
      ['POST', 'DDDDDDDDDDDDD1', 'post'],
    ];
    for (const [method, code, verb] of cases) {
      const response = await app.send(method, `${QR_PATH}/${code}?access_token=T-ALL&prefilled_message=x`);
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, unsupported(verb, code));
    }
    const put = await app.fastify.inject({
      method: 'PUT',
      url: `${QR_PATH}/AAAAAAAAAAAAA1?access_token=T-ALL&prefilled_message=x`,
    });
    assert.equal(put.body, unsupported('put', 'AAAAAAAAAAAAA1'));
    const deleteEdge = await app.send('DELETE', `${QR_PATH}?access_token=T-ALL`);
    assert.equal(deleteEdge.body, unsupported('delete', E.first));
    const byParam = await app.send(
      'POST',
      `${QR_PATH}?access_token=T-ALL&prefilled_message=x&code=ZZZZZZZZZZZZZ1`,
    );
    assert.equal(byParam.body, unsupported('post', 'ZZZZZZZZZZZZZ1'));
    const direct = await app.send('GET', '/v21.0/AAAAAAAAAAAAA1?access_token=T-ALL');
    assert.equal(direct.statusCode, 404);
    assert.equal(
      direct.body,
      errorBody(
        '(#803) Some of the aliases you requested do not exist: AAAAAAAAAAAAA1',
        803,
        'OAuthException',
      ),
    );
  });
});

test('refuses a missing or too long prefilled_message and a bad generate_qr_image, in that order', async () => {
  await withApp(async (app) => {
    const fits = '😀'.repeat(140);
    const ok = await app.send('POST', QR_PATH, { form: { access_token: 'T-ALL', prefilled_message: fits } });
    assert.equal(ok.statusCode, 200);
    const cases: [Record<string, string>, string][] = [
      [{ generate_qr_image: 'GIF' }, 'The parameter prefilled_message is required'],
      [
        { prefilled_message: `${fits}x`, generate_qr_image: 'GIF' },
        'Param prefilled_message must be at most 140 characters long',
      ],
      [
        { prefilled_message: 'x', generate_qr_image: 'gif' },
        'Param generate_qr_image must be one of {SVG, PNG} - got "gif"',
      ],
    ];
    for (const [form, detail] of cases) {
      const response = await app.send('POST', QR_PATH, { form: { access_token: 'T-ALL', ...form } });
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, invalid(detail));
    }
  });
});

test('refuses the 2001st code of a number', async () => {
  await withApp(async (app) => {
    for (let i = 0; i < 1996; i++) {
      const created = await app.store.createQrCode(
        {
          code: `Q${String(i)
            .padStart(12, 'A')
            .replace(/[0-9]/g, (d) => 'ABCDEFGHIJ'.charAt(Number(d)))}1`,
          phone_number_id: E.first,
          prefilled_message: 'x',
        },
        2000,
      );
      assert.notEqual(created, 'limit');
    }
    const last = await app.send('POST', `${QR_PATH}?access_token=T-ALL&prefilled_message=last`);
    assert.equal(last.statusCode, 200);
    const refused = await app.send('POST', `${QR_PATH}?access_token=T-ALL&prefilled_message=over`);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.body, invalid('The phone number has reached the limit of 2000 QR codes'));
  });
});

test('answers 100/33 for the edge of a number the token cannot see', async () => {
  await withApp(async (app) => {
    const response = await app.send('GET', `/v21.0/${E.other}/message_qrdls?access_token=T-W1`);
    assert.equal(response.body, unsupported('get', E.other));
  });
});

test('creates through a GET tunnelled with method=post', async () => {
  await withApp(async (app) => {
    const response = await app.send(
      'GET',
      `${QR_PATH}?access_token=T-ALL&method=POST&prefilled_message=tunnel`,
    );
    assert.equal(response.statusCode, 200);
    const code = (JSON.parse(response.body) as { code: string }).code;
    assert.equal(response.body, wire(item(code, 'tunnel')));
    assert.equal(response.headers.etag, undefined);
    const put = await app.send('GET', `${QR_PATH}?access_token=T-ALL&method=put`);
    assert.equal(put.body, invalid('Param method must be one of {GET, POST, DELETE}'));
  });
});

test('answers 2500 for a path below a code, before reading method=', async () => {
  await withApp(async (app) => {
    const response = await app.send('GET', `${QR_PATH}/AAAAAAAAAAAAA1/x?access_token=T-ALL&method=put`);
    assert.equal(response.statusCode, 400);
    assert.equal(
      response.body,
      errorBody('Unknown path components: /message_qrdls/AAAAAAAAAAAAA1/x', 2500, 'OAuthException'),
    );
  });
});
