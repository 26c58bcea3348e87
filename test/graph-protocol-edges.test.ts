import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { expectedHeaders, graphHeadersOf } from './helpers/graph-app.ts';
import { E, edgesApp, wire, type EdgesApp } from './helpers/edges-app.ts';

async function withApp(run: (app: EdgesApp) => Promise<void>): Promise<void> {
  const app = await edgesApp();
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

const etagOf = (body: string): string => `"${createHash('sha1').update(body).digest('hex')}"`;

test('every successful GET carries the ETag of its body and answers 304 to If-None-Match', async () => {
  await withApp(async (app) => {
    const urls = [
      `/v21.0/${E.first}/message_qrdls?access_token=T-ALL`,
      `/v21.0/${E.first}/message_qrdls/AAAAAAAAAAAAA1?access_token=T-ALL`,
      `/v21.0/${E.waba}?access_token=T-ALL`,
      `/v21.0/${E.waba}/phone_numbers?access_token=T-ALL&fields=id`,
      `/v21.0/${E.first}?access_token=T-ALL&fields=message_qrdls{code}`,
    ];
    for (const url of urls) {
      const response = await app.send('GET', url);
      const etag = etagOf(response.body);
      assert.deepEqual(
        graphHeadersOf(response),
        expectedHeaders({ version: 'v21.0', etag, bucWaba: E.waba }),
        url,
      );
      const again = await app.send('GET', url, { headers: { 'if-none-match': etag } });
      assert.equal(again.statusCode, 304, url);
      assert.equal(again.body, '', url);
      assert.deepEqual(
        graphHeadersOf(again),
        expectedHeaders({ version: 'v21.0', etag, bucWaba: E.waba }),
        url,
      );
    }
  });
});

test('a change to the list changes its ETag', async () => {
  await withApp(async (app) => {
    const url = `/v21.0/${E.first}/message_qrdls?access_token=T-ALL`;
    const before = await app.send('GET', url);
    await app.send('POST', `${url}&prefilled_message=new`);
    const after = await app.send('GET', url, { headers: { 'if-none-match': String(before.headers.etag) } });
    assert.equal(after.statusCode, 200);
    assert.notEqual(after.headers.etag, before.headers.etag);
    const post = await app.send('POST', `${url}&prefilled_message=again`);
    assert.equal(post.headers.etag, undefined);
  });
});

test('debug=all adds warnings for unknown parameters and an expired version as the last key', async () => {
  await withApp(async (app) => {
    const response = await app.send('GET', `/v10.0/${E.waba}?access_token=T-ALL&debug=all&colour=blue`);
    assert.equal(response.statusCode, 200);
    assert.equal(
      response.body,
      wire({
        id: E.waba,
        name: 'Sales',
        timezone_id: '42',
        message_template_namespace: '0a1b2c3d-0000-4000-8000-000000000001',
        __debug__: {
          messages: [
            {
              message: 'The API version v10.0 is no longer available; this request was served by v11.0.',
              type: 'warning',
              link: 'https://developers.facebook.com/docs/graph-api/guides/versioning',
            },
            {
              message: 'Unknown parameter colour was ignored.',
              type: 'warning',
              link: 'https://developers.facebook.com/docs/graph-api',
            },
          ],
        },
      }),
    );
    assert.equal(response.headers.etag, etagOf(response.body));
    const list = await app.send(
      'GET',
      `/v21.0/${E.first}/message_qrdls?access_token=T-ALL&debug=all&limit=1&code=X&fields=code`,
    );
    assert.equal(list.body, wire({ data: [], __debug__: { messages: [] } }));
    const node = await app.send('GET', `/v21.0/${E.first}?access_token=T-ALL&debug=all&fields=id&limit=3`);
    assert.equal(
      node.body,
      wire({
        id: E.first,
        __debug__: {
          messages: [
            {
              message: 'Unknown parameter limit was ignored.',
              type: 'warning',
              link: 'https://developers.facebook.com/docs/graph-api',
            },
          ],
        },
      }),
    );
  });
});

test('HEAD on a list sends the GET headers without a body', async () => {
  await withApp(async (app) => {
    const url = `/v21.0/${E.first}/message_qrdls?access_token=T-ALL`;
    const get = await app.send('GET', url);
    const head = await app.send('HEAD', url);
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], String(get.body.length));
    assert.equal(head.headers.etag, get.headers.etag);
  });
});
