import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE, E, edgesApp, invalid, wire, type EdgesApp } from './helpers/edges-app.ts';

const QR_PATH = `/v21.0/${E.first}/message_qrdls`;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

async function withApp(run: (app: EdgesApp) => Promise<void>, publicUrl?: string): Promise<void> {
  const app = await edgesApp(publicUrl === undefined ? {} : { publicUrl });
  try {
    await run(app);
  } finally {
    await app.close();
  }
}

/** A distinct valid code per number: base-32 digits then `1`. */
function codeFor(n: number): string {
  let out = '';
  let rest = n;
  for (let i = 0; i < 13; i++) {
    out = ALPHABET.charAt(rest % 32) + out;
    rest = Math.floor(rest / 32);
  }
  return `${out.replace(/^A/, 'Q')}1`;
}

interface Page {
  data: { code: string }[];
  paging?: { cursors: { before: string; after: string }; previous?: string; next?: string };
}

async function page(app: EdgesApp, url: string): Promise<Page> {
  const response = await app.send('GET', url.startsWith(BASE) ? url.slice(BASE.length) : url);
  assert.equal(response.statusCode, 200, response.body);
  return JSON.parse(response.body) as Page;
}

test('a walk over 1000 QR codes with inserts and deletes between pages sees every survivor exactly once', async () => {
  await withApp(async (app) => {
    const original: string[] = [];
    for (let n = 0; n < 1000; n++) {
      const code = codeFor(n);
      original.push(code);
      assert.notEqual(
        await app.store.createQrCode({ code, phone_number_id: E.first, prefilled_message: `m${n}` }, 2000),
        'limit',
      );
    }
    const seen: string[] = [];
    const deletedUnseen = new Set<string>();
    let url: string | undefined = `${QR_PATH}?access_token=T-ALL&fields=code&limit=37`;
    let step = 0;
    while (url !== undefined) {
      const current = await page(app, url);
      seen.push(...current.data.map((item) => item.code));
      url = current.paging?.next;
      step++;
      // Between pages: a new code (newest, so before the walk), a seen one and an unseen one deleted.
      await app.store.createQrCode(
        { code: codeFor(5000 + step), phone_number_id: E.first, prefilled_message: 'new' },
        2000,
      );
      const seenVictim = seen[seen.length - 1 - (step % 5)];
      if (seenVictim !== undefined) await app.store.deleteQrCode(E.first, seenVictim);
      const unseen = original.filter((code) => !seen.includes(code) && !deletedUnseen.has(code));
      const victim = unseen[(step * 7) % Math.max(1, unseen.length)];
      if (victim !== undefined && unseen.length > 40) {
        await app.store.deleteQrCode(E.first, victim);
        deletedUnseen.add(victim);
      }
    }
    assert.equal(new Set(seen).size, seen.length);
    const fixture = ['CCCCCCCCCCCCC1', 'BBBBBBBBBBBBB1', 'AAAAAAAAAAAAA1'];
    const expected = [...original.filter((code) => !deletedUnseen.has(code)).reverse(), ...fixture];
    assert.deepEqual(seen, expected);
    assert.ok(deletedUnseen.size > 10);
  });
});

test('previous links walk back to the first page, which has no previous link', async () => {
  await withApp(async (app) => {
    const first = await page(app, `${QR_PATH}?access_token=T-ALL&fields=code&limit=1`);
    const second = await page(app, first.paging!.next!);
    const third = await page(app, second.paging!.next!);
    assert.equal(third.paging!.next, undefined);
    const back = await page(app, third.paging!.previous!);
    assert.deepEqual(back, second);
    const start = await page(app, back.paging!.previous!);
    assert.deepEqual(start.data, first.data);
    assert.equal(start.paging!.previous, undefined);
    assert.equal(start.paging!.next, first.paging!.next);
  });
});

test('next and previous are absolute URLs on the Host that keep every query parameter', async () => {
  await withApp(async (app) => {
    const response = await app.send(
      'GET',
      `${QR_PATH}?fields=code&access_token=T-ALL&limit=1&after=${await app.cursor(`message_qrdls:${E.first}`, 3)}`,
    );
    const scope = `message_qrdls:${E.first}`;
    const before = await app.cursor(scope, 2);
    const after = await app.cursor(scope, 2);
    const query = 'fields=code&access_token=T-ALL&limit=1';
    assert.equal(
      response.body,
      wire({
        data: [{ code: 'BBBBBBBBBBBBB1' }],
        paging: {
          cursors: { before, after },
          previous: `${BASE}${QR_PATH}?${query}&before=${before}`,
          next: `${BASE}${QR_PATH}?${query}&after=${after}`,
        },
      }),
    );
  });
});

test('links use --public-url when set and always name the served version', async () => {
  await withApp(async (app) => {
    const response = await app.send(
      'GET',
      `/${E.first}/message_qrdls?access_token=T-ALL&limit=2&fields=code`,
    );
    const next = (JSON.parse(response.body) as Page).paging!.next!;
    const after = await app.cursor(`message_qrdls:${E.first}`, 2);
    assert.equal(
      next,
      `https://phonegraph.example.com/v21.0/${E.first}/message_qrdls?access_token=T-ALL&limit=2&fields=code&after=${after}`,
    );
  }, 'https://phonegraph.example.com/');
});

test('refuses tampered, foreign and garbage cursors as invalid parameters', async () => {
  await withApp(async (app) => {
    const good = await app.cursor(`message_qrdls:${E.first}`, 2);
    const tampered = `${good.slice(0, 2)}${good[2] === 'A' ? 'B' : 'A'}${good.slice(3)}`;
    const foreign = await app.cursor(`message_qrdls:${E.other}`, 2);
    for (const [which, cursor] of [
      ['after', tampered],
      ['before', foreign],
      ['after', 'not a cursor!'],
      ['before', 'AAAA'],
    ] as const) {
      const response = await app.send(
        'GET',
        `${QR_PATH}?access_token=T-ALL&${which}=${encodeURIComponent(cursor)}`,
      );
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, invalid(`Invalid ${which} cursor`));
    }
  });
});

test('clamps limit to 1..100 and refuses a non-integer limit', async () => {
  await withApp(async (app) => {
    const zero = await page(app, `${QR_PATH}?access_token=T-ALL&fields=code&limit=0`);
    assert.deepEqual(zero.data, [{ code: 'CCCCCCCCCCCCC1' }]);
    const many = await page(app, `${QR_PATH}?access_token=T-ALL&fields=code&limit=500`);
    assert.equal(many.data.length, 3);
    for (const limit of ['abc', '1.5']) {
      const response = await app.send('GET', `${QR_PATH}?access_token=T-ALL&limit=${limit}`);
      assert.equal(response.body, invalid('Param limit must be an integer between 1 and 100'));
    }
  });
});

test('embeds the first page of an edge named in fields, and an empty edge as an empty data list', async () => {
  await withApp(async (app) => {
    const response = await app.send(
      'GET',
      `/v21.0/${E.first}?access_token=T-ALL&fields=status,message_qrdls.limit(2){code,deep_link_url}`,
    );
    const scope = `message_qrdls:${E.first}`;
    const after = await app.cursor(scope, 2);
    assert.equal(
      response.body,
      wire({
        status: 'CONNECTED',
        message_qrdls: {
          data: [
            { code: 'CCCCCCCCCCCCC1', deep_link_url: 'https://wa.me/message/CCCCCCCCCCCCC1' },
            { code: 'BBBBBBBBBBBBB1', deep_link_url: 'https://wa.me/message/BBBBBBBBBBBBB1' },
          ],
          paging: {
            cursors: { before: await app.cursor(scope, 3), after },
            next: `${BASE}${QR_PATH}?access_token=T-ALL&limit=2&after=${after}`,
          },
        },
        id: E.first,
      }),
    );
    const empty = await app.send('GET', `/v21.0/${E.second}?access_token=T-ALL&fields=message_qrdls{code}`);
    assert.equal(empty.body, wire({ message_qrdls: { data: [] }, id: E.second }));
  });
});

test('names the child type for a bad field inside an expanded edge and checks edge limits', async () => {
  await withApp(async (app) => {
    const bad = await app.send('GET', `/v21.0/${E.first}?access_token=T-ALL&fields=message_qrdls{status}`);
    assert.equal(bad.statusCode, 400);
    assert.equal(
      bad.body,
      wire({
        error: {
          message:
            '(#100) Tried accessing nonexisting field (status) on node type (WhatsAppBusinessMessageQRDL)',
          type: 'OAuthException',
          code: 100,
          fbtrace_id: 'TRACEtrace0123456789-_x',
        },
      }),
    );
    const limit = await app.send('GET', `/v21.0/${E.first}?access_token=T-ALL&fields=message_qrdls.limit(x)`);
    assert.equal(limit.body, invalid('Param limit must be an integer between 1 and 100'));
  });
});

test('a code created after the newest one was deleted does not take its position', async () => {
  await withApp(async (app) => {
    const path = `/v21.0/${E.other}/message_qrdls`;
    // DDDDDDDDDDDDD1 is the newest code on the server (position 4).
    const newest = await app.cursor(`message_qrdls:${E.other}`, 4);
    await app.send('DELETE', `${path}/DDDDDDDDDDDDD1?access_token=T-ALL`);
    const created = await app.send('POST', `${path}?access_token=T-ALL&prefilled_message=later`);
    const code = (JSON.parse(created.body) as { code: string }).code;
    const before = await page(app, `${path}?access_token=T-ALL&fields=code&before=${newest}`);
    assert.deepEqual(before.data, [{ code }]);
    const after = await app.send('GET', `${path}?access_token=T-ALL&fields=code&after=${newest}`);
    assert.equal(after.body, '{"data":[]}');
  });
});
