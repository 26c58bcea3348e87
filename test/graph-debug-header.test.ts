// X-FB-Debug (graph-api.md §8): a fresh 88-character standard base64 value on every Graph response,
// after x-fb-rev and before ETag, on successes, errors, HEAD and 304 alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphApp, ID, type TestApp } from './helpers/graph-app.ts';

const BASE64_88 = /^[A-Za-z0-9+/]{88}$/;

describe('X-FB-Debug', () => {
  let app: TestApp;
  before(async () => {
    app = await graphApp({ ids: 'random' });
  });
  after(() => app.close());

  test('is a fresh 88-character base64 value on successes, errors, HEAD and 304', async () => {
    const url = `/v21.0/${ID.connected}?fields=status&access_token=T-ALL`;
    const first = await app.get(url);
    const error = await app.get(`/v21.0/${ID.connected}?fields=nope&access_token=T-ALL`);
    const head = await app.fastify.inject({ method: 'HEAD', url });
    const notModified = await app.get(url, { 'if-none-match': String(first.headers.etag) });
    assert.deepEqual(
      [first.statusCode, error.statusCode, head.statusCode, notModified.statusCode],
      [200, 400, 200, 304],
    );
    const values = [first, error, head, notModified].map((response) =>
      String(response.headers['x-fb-debug']),
    );
    for (const value of values) assert.match(value, BASE64_88);
    assert.equal(new Set(values).size, values.length);
    const names = Object.keys(first.headers);
    assert.equal(names.indexOf('x-fb-debug'), names.indexOf('x-fb-rev') + 1);
    assert.equal(names.indexOf('etag'), names.indexOf('x-fb-debug') + 1);
  });
});
