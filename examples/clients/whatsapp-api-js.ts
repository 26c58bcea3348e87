// whatsapp-api-js against phonegraph (docs/clients.md). Its Graph host is written into every URL, but it
// takes a `fetch` (the `ponyfill` option): this one sends graph.facebook.com calls to phonegraph.
//   PHONEGRAPH_URL=http://127.0.0.1:8484 node --import tsx examples/clients/whatsapp-api-js.ts
import { WhatsAppAPI } from 'whatsapp-api-js';

const PHONEGRAPH_URL = process.env.PHONEGRAPH_URL ?? 'http://127.0.0.1:8484';
const TOKEN = process.env.PHONEGRAPH_TOKEN ?? 'EAAG-demo-acme-connect-token';
const NUMBER = '400000000000101';

const toPhonegraph: typeof fetch = (input, init) =>
  fetch(String(input).replace(/^https:\/\/graph\.facebook\.com/, PHONEGRAPH_URL), init);

// `secure: false`: no app secret here (it checks webhook signatures, which this example does not receive).
const whatsapp = new WhatsAppAPI({
  token: TOKEN,
  v: 'v21.0',
  secure: false,
  ponyfill: { fetch: toPhonegraph },
});

// Its QR-code calls are the phonegraph surface it reaches (messages, media and calls are not served).
const created = (await whatsapp.createQR(NUMBER, 'Hello from whatsapp-api-js', 'png')) as unknown as {
  code: string;
  qr_image_url: string;
};
const listed = (await whatsapp.retrieveQR(NUMBER)) as unknown as { data: { code: string }[] };
const updated = await whatsapp.updateQR(NUMBER, created.code, 'Updated');
const deleted = await whatsapp.deleteQR(NUMBER, created.code);
const sent = await whatsapp
  .sendMessage(NUMBER, '15550100099', { type: 'text', text: { body: 'hi' } } as never)
  .then(
    (answer) => answer,
    (error: unknown) => ({ thrown: String(error) }),
  );

console.log(
  JSON.stringify({ created, listedCodes: listed.data.map((qr) => qr.code), updated, deleted, sent }),
);
