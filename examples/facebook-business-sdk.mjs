/* global process, console */
// Meta's own Node SDK (facebook-nodejs-business-sdk), unmodified, against phonegraph through
// `phonegraph serve --intercept 8485` (docs/clients.md). Its Graph host is hard-coded, so it is reached
// through the proxy: run with the two variables phonegraph prints at start, e.g.
//   HTTPS_PROXY=http://127.0.0.1:8485 NODE_EXTRA_CA_CERTS=./phonegraph-ca/ca.pem \
//   PHONEGRAPH_TOKEN=EAAG-demo-acme-connect-token node examples/facebook-business-sdk.mjs
import bizSdk from 'facebook-nodejs-business-sdk';

const { FacebookAdsApi, WhatsAppBusinessAccount } = bizSdk;
const api = FacebookAdsApi.init(process.env.PHONEGRAPH_TOKEN ?? 'EAAG-demo-acme-connect-token');

// A phone number: the SDK has no class for it, so its generic call reads the node.
const number = await api.call('GET', ['400000000000101'], { fields: 'display_phone_number,status' });

// A WABA's numbers, two per page: the cursor follows `paging.next` (https://graph.facebook.com/…).
const cursor = await new WhatsAppBusinessAccount('3000000000000001').getPhoneNumbers(['status'], {
  limit: 2,
});
const pages = [cursor.map((item) => item.id)];
while (cursor.hasNext()) {
  await cursor.next();
  pages.push(cursor.map((item) => item.id));
}

// A missing id: Graph's 100/33, as the SDK's FacebookRequestError.
let error;
try {
  await api.call('GET', ['499999999999999'], { fields: 'status' });
} catch (caught) {
  error = { name: caught.name, status: caught.status, response: caught.response };
}

console.log(JSON.stringify({ number, pages, error }));
