import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { startServer } from '../src/server/start.ts';
import { freshTestStore } from './helpers/test-store.ts';
import { fixedClock, fixedIds, loadScenarioText } from './helpers/graph-app.ts';
import { E, EDGES_SCENARIO } from './helpers/edges-app.ts';

const jsQR = jsqr.default;

async function withServer(run: (url: string) => Promise<void>, publicUrl?: string): Promise<void> {
  const store = await freshTestStore();
  await loadScenarioText(store, readFileSync(EDGES_SCENARIO, 'utf8'));
  const server = await startServer({
    store,
    host: '127.0.0.1',
    port: 0,
    clock: fixedClock,
    ids: fixedIds,
    ...(publicUrl === undefined ? {} : { publicUrl }),
  });
  try {
    await run(server.url);
  } finally {
    await server.close();
  }
}

test('over a socket, a created PNG image URL downloads a QR code of the deep link', async () => {
  await withServer(async (url) => {
    const created = await fetch(`${url}/v21.0/${E.first}/message_qrdls?access_token=T-ALL`, {
      method: 'POST',
      body: new URLSearchParams({ prefilled_message: 'Hi', generate_qr_image: 'PNG' }),
    });
    const body = (await created.json()) as { code: string; qr_image_url: string };
    assert.ok(body.qr_image_url.startsWith(`${url}/__qr/`));
    const image = await fetch(body.qr_image_url);
    assert.equal(image.status, 200);
    const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()));
    assert.equal(
      jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data,
      `https://wa.me/message/${body.code}`,
    );
  });
});

test('over a socket, the bodyless fast path builds paging links on the Host the client used', async () => {
  await withServer(async (url) => {
    const first = await fetch(`${url}/v21.0/${E.first}/message_qrdls?access_token=T-ALL&limit=1&fields=code`);
    const page = (await first.json()) as { data: unknown[]; paging: { next: string } };
    assert.deepEqual(page.data, [{ code: 'CCCCCCCCCCCCC1' }]);
    assert.ok(
      page.paging.next.startsWith(
        `${url}/v21.0/${E.first}/message_qrdls?access_token=T-ALL&limit=1&fields=code&after=`,
      ),
    );
    const second = (await (await fetch(page.paging.next)).json()) as { data: unknown[] };
    assert.deepEqual(second.data, [{ code: 'BBBBBBBBBBBBB1' }]);
  });
});
