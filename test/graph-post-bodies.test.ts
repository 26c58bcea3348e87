// POST bodies without Content-Type, as text/plain, or as multipart/form-data are read as form
// parameters on every POST route (graph-api.md §6), the access token included.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { E, edgesApp, HOST, invalid, wire, type EdgesApp } from './helpers/edges-app.ts';
import { DEBUG_ID, expectedHeaders, graphHeadersOf, idleUsage } from './helpers/graph-app.ts';

type Encoding = 'no content-type' | 'text/plain' | 'multipart/form-data';

const BOUNDARY = '----phonegraphBoundary7MA4YWxkTrZu0gW';

function encode(
  encoding: Encoding,
  form: Record<string, string>,
): { headers: Record<string, string>; payload: string } {
  if (encoding === 'multipart/form-data') {
    let payload = '';
    for (const [name, value] of Object.entries(form))
      payload += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    // A file part carries no parameter and is dropped.
    payload += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nignored\r\n`;
    payload += `--${BOUNDARY}--\r\n`;
    return { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload };
  }
  const payload = new URLSearchParams(form).toString();
  return { headers: encoding === 'text/plain' ? { 'content-type': 'text/plain' } : {}, payload };
}

async function post(app: EdgesApp, encoding: Encoding, url: string, form: Record<string, string>) {
  const { headers, payload } = encode(encoding, { ...form, access_token: 'T-ALL' });
  const response = await app.fastify.inject({
    method: 'POST',
    url,
    headers: { host: HOST, ...headers },
    payload,
  });
  return response;
}

const SUCCESS = '{"success":true}';
const ENCODINGS: readonly Encoding[] = ['no content-type', 'text/plain', 'multipart/form-data'];

for (const encoding of ENCODINGS) {
  describe(`POST bodies sent as ${encoding}`, () => {
    test('create and update a QR code (message_qrdls, both update forms)', async () => {
      const app = await edgesApp();
      try {
        const created = await post(app, encoding, `/v21.0/${E.first}/message_qrdls`, {
          prefilled_message: 'Hello from a form',
          generate_qr_image: 'svg',
        });
        assert.equal(created.statusCode, 200, created.body);
        const code = (JSON.parse(created.body) as { code: string }).code;
        assert.match(code, /^[A-Z2-7]{13}1$/);
        const image = await app.imagePath(code, 'SVG');
        assert.equal(
          created.body,
          wire({
            code,
            prefilled_message: 'Hello from a form',
            deep_link_url: `https://wa.me/message/${code}`,
            qr_image_url: `http://${HOST}${image}`,
          }),
        );
        assert.deepEqual(graphHeadersOf(created), expectedHeaders({ version: 'v21.0', bucWaba: E.waba }));
        const byCode = await post(app, encoding, `/v21.0/${E.first}/message_qrdls`, {
          code,
          prefilled_message: 'Updated',
        });
        assert.equal(
          byCode.body,
          wire({ code, prefilled_message: 'Updated', deep_link_url: `https://wa.me/message/${code}` }),
        );
        const byPath = await post(app, encoding, `/v21.0/${E.first}/message_qrdls/AAAAAAAAAAAAA1`, {
          prefilled_message: 'Path form',
        });
        assert.equal(
          byPath.body,
          wire({
            code: 'AAAAAAAAAAAAA1',
            prefilled_message: 'Path form',
            deep_link_url: 'https://wa.me/message/AAAAAAAAAAAAA1',
          }),
        );
      } finally {
        await app.close();
      }
    });

    test('create a number, request and verify codes, register, deregister, POST the node, batch', async () => {
      const app = await edgesApp();
      try {
        const created = await post(app, encoding, `/v21.0/${E.waba}/phone_numbers`, {
          cc: '1',
          phone_number: '5550309876',
          verified_name: 'Form Line',
        });
        assert.equal(created.statusCode, 200, created.body);
        const id = (JSON.parse(created.body) as { id: string }).id;
        assert.equal(created.body, `{"id":"${id}"}`);

        const requested = await post(app, encoding, `/v21.0/${id}/request_code`, {
          code_method: 'SMS',
          language: 'en_US',
        });
        assert.equal(requested.body, SUCCESS);

        const wrong = await post(app, encoding, `/v21.0/${id}/verify_code`, { code: '000000' });
        assert.equal(wrong.statusCode, 400);
        assert.equal(
          wrong.body,
          wire({
            error: {
              message: '(#136025) Verify code error',
              type: 'OAuthException',
              code: 136025,
              error_data: { messaging_product: 'whatsapp', details: 'The code you entered is incorrect.' },
              fbtrace_id: 'TRACEtrace0123456789-_x',
            },
          }),
        );

        // The parameters were read: the refusal is the state rule, not a missing parameter.
        const unverified = await post(app, encoding, `/v21.0/${id}/register`, {
          messaging_product: 'whatsapp',
          pin: '123456',
        });
        assert.equal(
          unverified.body,
          invalid('The phone number must be verified before it can be registered'),
        );

        const deregistered = await post(app, encoding, `/v21.0/${E.first}/deregister`, {});
        assert.equal(deregistered.body, SUCCESS);

        const nodePost = await post(app, encoding, `/v21.0/${E.first}`, { pin: '654321' });
        assert.equal(nodePost.body, SUCCESS);

        const batch = await post(app, encoding, '/', {
          batch: JSON.stringify([{ method: 'GET', relative_url: `v21.0/${E.first}?fields=status` }]),
          include_headers: 'false',
        });
        assert.equal(batch.statusCode, 200, batch.body);
        assert.equal(batch.body, wire([{ code: 200, body: `{"status":"DISCONNECTED","id":"${E.first}"}` }]));
      } finally {
        await app.close();
      }
    });
  });
}

describe('POST bodies, edge cases', () => {
  test('a malformed multipart body is an invalid-parameter error', async () => {
    const app = await edgesApp();
    try {
      const response = await app.fastify.inject({
        method: 'POST',
        url: `/v21.0/${E.first}/message_qrdls?access_token=T-ALL`,
        headers: { host: HOST, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        payload: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="prefilled_message"\r\n\r\nunterminated`,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, invalid('Request body is not valid multipart/form-data'));
      assert.deepEqual(
        graphHeadersOf(response),
        expectedHeaders({
          version: 'v21.0',
          error: '(#100) Request body is not valid multipart/form-data',
        }),
      );
    } finally {
      await app.close();
    }
  });

  test('a form body without Content-Type over a real socket creates a QR code', async () => {
    const app = await edgesApp();
    try {
      await app.fastify.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.fastify.server.address() as AddressInfo).port;
      const payload = 'prefilled_message=Socket&access_token=T-ALL';
      const response = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
        (resolve, reject) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `/v21.0/${E.first}/message_qrdls`,
              headers: { 'content-length': String(Buffer.byteLength(payload)) },
            },
            (res) => {
              let body = '';
              res.setEncoding('latin1');
              res.on('data', (chunk: string) => (body += chunk));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
            },
          );
          req.on('error', reject);
          req.end(payload);
        },
      );
      assert.equal(response.status, 200, response.body);
      const code = (JSON.parse(response.body) as { code: string }).code;
      assert.equal(
        response.body,
        wire({ code, prefilled_message: 'Socket', deep_link_url: `https://wa.me/message/${code}` }),
      );
      assert.equal(response.headers['x-business-use-case-usage'], idleUsage(E.waba));
      assert.equal(response.headers['x-fb-debug'], DEBUG_ID);
    } finally {
      await app.close();
    }
  });

  test('a text/plain body that is not a form yields no parameters', async () => {
    const app = await edgesApp();
    try {
      const response = await app.fastify.inject({
        method: 'POST',
        url: `/v21.0/${E.first}/message_qrdls?access_token=T-ALL`,
        headers: { host: HOST, 'content-type': 'text/plain' },
        payload: '',
      });
      assert.equal(response.body, invalid('The parameter prefilled_message is required'));
    } finally {
      await app.close();
    }
  });
});
