/**
 * Onboards a number on a WABA and watches it until it is CONNECTED, with the phonegraph SDK.
 *
 *   npm start                                   # a phonegraph with the demo scenario on :8484
 *   npx tsx examples/onboard-and-watch.ts       # or against Graph: BASE_URL=https://graph.facebook.com …
 *
 * Environment: BASE_URL (default http://127.0.0.1:8484), WA_TOKEN (default the demo token), WABA_ID
 * (default the demo's first WABA), PHONE (digits, default a random +1 555 number), APP_SECRET (optional),
 * WATCH_SECONDS (default 60). On phonegraph, drive the status from another shell meanwhile, e.g.
 * `phonegraph admin set-status <id> CONNECTED`, or register it through the lifecycle edges.
 */
import { GraphClient, GraphError, InvalidRequestError } from 'phonegraph';

const env = process.env;
const graph = new GraphClient({
  accessToken: env.WA_TOKEN ?? 'EAAG-demo-acme-connect-token',
  baseUrl: env.BASE_URL ?? 'http://127.0.0.1:8484',
  ...(env.APP_SECRET === undefined ? {} : { appSecret: env.APP_SECRET }),
});
const wabaId = env.WABA_ID ?? '3000000000000001';
const digits = env.PHONE ?? `555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

const waba = await graph.wabas.retrieve(wabaId);
console.log(`WABA ${waba.id}: ${waba.name}`);

const { id } = await graph.wabas.phoneNumbers.create(wabaId, {
  cc: '1',
  phone_number: digits,
  verified_name: 'Example Onboarding',
});
console.log(`created ${id}`);

// Verify and register: phonegraph's lifecycle edges (or Graph's). A server without them says so.
try {
  await graph.phoneNumbers.requestCode(id, { code_method: 'SMS', language: 'en_US' });
  console.log('code requested: read it with `phonegraph admin otp', id + '`, then verifyCode + register');
} catch (error) {
  if (!(error instanceof InvalidRequestError)) throw error;
  console.log(`request_code not available here: ${error.message}`);
}

const qr = await graph.qrCodes.create(id, {
  prefilled_message: 'Hello from the example',
  generate_qr_image: 'PNG',
});
console.log(`QR ${qr.code}: ${qr.deep_link_url}`);

let last = '';
const until = Date.now() + Number(env.WATCH_SECONDS ?? 60) * 1000;
while (Date.now() < until) {
  try {
    const n = await graph.phoneNumbers.retrieve(id, {
      fields: ['status', 'display_phone_number', 'quality_rating'] as const,
    });
    const line = `${n.display_phone_number} ${n.status} quality ${n.quality_rating}`;
    if (line !== last) console.log(`${new Date().toISOString()} ${line}`);
    last = line;
    if (n.status === 'CONNECTED') break;
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    console.log(`${new Date().toISOString()} ${error.name} ${error.code ?? ''}: ${error.message}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
