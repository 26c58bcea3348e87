// @kapso/whatsapp-cloud-api against phonegraph (docs/clients.md): its `baseUrl` option is enough.
//   PHONEGRAPH_URL=http://127.0.0.1:8484 node --import tsx examples/clients/kapso-whatsapp-cloud-api.ts
import { WhatsAppClient } from '@kapso/whatsapp-cloud-api';

const PHONEGRAPH_URL = process.env.PHONEGRAPH_URL ?? 'http://127.0.0.1:8484';
const TOKEN = process.env.PHONEGRAPH_TOKEN ?? 'EAAG-demo-acme-connect-token';
// The demo's PENDING, not yet verified number: onboard it as a real client would.
const NUMBER = '400000000000104';

const client = new WhatsAppClient({ baseUrl: PHONEGRAPH_URL, accessToken: TOKEN, graphVersion: 'v21.0' });

// Any Graph read goes through its generic request.
const before = await client.request('GET', NUMBER, {
  query: { fields: 'status,code_verification_status' },
  responseType: 'json',
});
const requested = await client.phoneNumbers.requestCode({
  phoneNumberId: NUMBER,
  codeMethod: 'SMS',
  language: 'en_US',
});
// The code phonegraph "sent": its admin plane is the SMS inbox.
const otp = (await (await fetch(`${PHONEGRAPH_URL}/__admin/phone-numbers/${NUMBER}/otp`)).json()) as {
  code: string;
};
const verified = await client.phoneNumbers.verifyCode({ phoneNumberId: NUMBER, code: otp.code });
const registered = await client.phoneNumbers.register({ phoneNumberId: NUMBER, pin: '123456' });
const after = await client.request('GET', NUMBER, {
  query: { fields: 'status,code_verification_status,platform_type' },
  responseType: 'json',
});
const wrong = await client.phoneNumbers.verifyCode({ phoneNumberId: NUMBER, code: '000000' }).then(
  () => undefined,
  (error: { name?: string; httpStatus?: number; code?: number; raw?: unknown }) => ({
    name: error.name,
    httpStatus: error.httpStatus,
    code: error.code,
  }),
);

console.log(JSON.stringify({ before, requested, verified, registered, after, wrong }));
