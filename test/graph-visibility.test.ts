import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { appsecretProof } from '../src/graph/access-token.ts';
import { GRAPH_SCENARIO, graphApp, ID, type TestApp } from './helpers/graph-app.ts';

interface ScenarioShape {
  businesses: { wabas: { phone_numbers: { id: string }[] }[] }[];
}

/** The fixture with one number removed: what "missing" really looks like for that id. */
function scenarioWithout(id: string): string {
  const document = parse(readFileSync(GRAPH_SCENARIO, 'utf8')) as ScenarioShape;
  for (const business of document.businesses) {
    for (const waba of business.wabas) waba.phone_numbers = waba.phone_numbers.filter((n) => n.id !== id);
  }
  return stringify(document);
}

/** Body and headers with the per-response random ids blanked out; everything else must match byte for byte. */
function comparable(response: Awaited<ReturnType<TestApp['get']>>): string {
  const headers = { ...response.headers };
  delete headers['x-fb-trace-id'];
  delete headers['x-fb-request-id'];
  delete headers['x-fb-debug'];
  delete headers.date;
  const body = response.body.replace(/"fbtrace_id":"[A-Za-z0-9_-]{23}"/, '"fbtrace_id":"…"');
  return JSON.stringify({ status: response.statusCode, headers, body });
}

const cases = [
  { title: 'a number of a WABA outside the token targets', token: 'T-W1', id: ID.banned },
  { title: 'a number of another business the token targets do not include', token: 'T-W1', id: ID.other },
  { title: 'a number of a WABA the app is not installed on', token: 'T-PROOF', id: ID.connected },
  { title: 'a number read by a token without any permission', token: 'T-NONE', id: ID.connected },
] as const;

describe('a token never learns that another account object exists', () => {
  let real: TestApp;
  before(async () => {
    real = await graphApp({ ids: 'random' });
  });
  after(() => real.close());

  for (const { title, token, id } of cases) {
    test(`answers ${title} byte-identically to a missing id`, async () => {
      const missing = await graphApp({ ids: 'random', scenario: scenarioWithout(id) });
      try {
        for (const path of [`/v21.0/${id}`, `/v21.0/${id}?fields=status`, `/v21.0/${id}/message_qrdls_x`]) {
          const proof = token === 'T-PROOF' ? '&appsecret_proof=' + proofFor(token) : '';
          const url = `${path}${path.includes('?') ? '&' : '?'}access_token=${token}${proof}`;
          const seen = await real.get(url);
          const absent = await missing.get(url);
          assert.equal(seen.statusCode, 400);
          assert.equal(JSON.parse(seen.body).error.error_subcode, 33);
          assert.equal(comparable(seen), comparable(absent), url);
        }
      } finally {
        await missing.close();
      }
    });
  }

  test('lets a token with either permission alone read a number', async () => {
    for (const token of ['T-MGMT', 'T-MSG']) {
      const response = await real.get(`/v21.0/${ID.connected}?fields=status&access_token=${token}`);
      assert.equal(response.body, `{"status":"CONNECTED","id":"${ID.connected}"}`);
    }
  });

  test('lets a WABA-scoped token read a number of its own WABA', async () => {
    const response = await real.get(`/v21.0/${ID.pending}?fields=status&access_token=T-W1`);
    assert.equal(response.body, `{"status":"PENDING","id":"${ID.pending}"}`);
  });
});

function proofFor(token: string): string {
  return appsecretProof('proof-app-secret', token);
}

describe('certificates follow the name review', () => {
  test('omits a stored certificate while the name is not approved, and new_certificate unless the new name is', async () => {
    const scenario = readFileSync(GRAPH_SCENARIO, 'utf8')
      .replace(
        'name_status: APPROVED\n            certificate: "Q0VSVElGSUNBVEUtT05F"',
        'name_status: DECLINED\n            certificate: "Q0VSVElGSUNBVEUtT05F"',
      )
      .replace('new_name_status: APPROVED', 'new_name_status: PENDING_REVIEW');
    const app = await graphApp({ scenario });
    try {
      const declined = await app.get(
        `/v21.0/${ID.connected}?fields=name_status,certificate&access_token=T-ALL`,
      );
      assert.equal(declined.body, `{"name_status":"DECLINED","id":"${ID.connected}"}`);
      const pending = await app.get(
        `/v21.0/${ID.flagged}?fields=new_name_status,new_certificate,certificate&access_token=T-ALL`,
      );
      assert.equal(
        pending.body,
        `{"new_name_status":"PENDING_REVIEW","certificate":"Q0VSVElGSUNBVEUtVFdP","id":"${ID.flagged}"}`,
      );
    } finally {
      await app.close();
    }
  });
});
