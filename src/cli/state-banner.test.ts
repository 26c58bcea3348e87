import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StateSummary, TokenSummary } from '../domain/state-summary.ts';
import type { AppRecord } from '../store/records.ts';
import { stateBanner } from './state-banner.ts';

const app: AppRecord = {
  id: '1',
  name: 'App',
  secret: 's',
  appsecret_proof_required: false,
  api_version: null,
  wabas: '*',
  rate_limit: null,
  webhook: null,
};

function token(index: number, state: TokenSummary['state'] = 'active'): TokenSummary {
  return { app, appId: app.id, value: undefined, digest: String(index).padStart(64, '0'), state };
}

test('caps the tokens at ten and marks revoked ones', () => {
  const summary: StateSummary = {
    apps: [app],
    wabas: [],
    numberCount: 0,
    numberCountCapped: false,
    numbers: [],
    tokens: [token(1, 'revoked'), ...Array.from({ length: 11 }, (_, i) => token(i + 2))],
    readable: undefined,
  };
  assert.deepEqual(stateBanner(summary, 'http://h:1'), [
    'apps: 1 (App)',
    'wabas: none',
    'numbers (0): none',
    'token (App): stored hashed (sha256 000000000000…), value not known here [revoked]',
    ...Array.from(
      { length: 9 },
      () => 'token (App): stored hashed (sha256 000000000000…), value not known here',
    ),
    '… and 2 more tokens',
  ]);
});

test('prints no try: line when no token can read a number, and names an unknown app by id', () => {
  const orphan: TokenSummary = {
    app: undefined,
    appId: '9',
    value: 'EAAG-x',
    digest: 'f'.repeat(64),
    state: 'active',
  };
  const summary: StateSummary = {
    apps: [],
    wabas: [],
    numberCount: 1,
    numberCountCapped: false,
    numbers: ['42'],
    tokens: [orphan],
    readable: undefined,
  };
  assert.deepEqual(stateBanner(summary, 'http://h:1'), [
    'apps: none',
    'wabas: none',
    'numbers (1): 42',
    'token (app 9): EAAG-x',
  ]);
});

test('says 1000+ numbers for a state too large to count at start', () => {
  const summary: StateSummary = {
    apps: [],
    wabas: [],
    numberCount: 1000,
    numberCountCapped: true,
    numbers: ['41', '42'],
    tokens: [],
    readable: undefined,
  };
  assert.deepEqual(stateBanner(summary, 'http://h:1'), [
    'apps: none',
    'wabas: none',
    'numbers (1000+): 41, 42, … and more',
    'tokens: none',
  ]);
});
