import type { AppRecord, PhoneNumberRecord, TokenRecord, WabaRecord } from '../store/records.ts';
import type { Store } from '../store/store.ts';
import { canAccessWaba } from './access.ts';

/** One stored token as the start banner shows it: the value only when the caller knows it. */
export interface TokenSummary {
  readonly app: AppRecord | undefined;
  readonly appId: string;
  /** The literal token, when one of the known values hashes to it; otherwise only its hash is stored. */
  readonly value: string | undefined;
  /** Lowercase hex SHA-256 of the token, as stored. */
  readonly digest: string;
  /** Revoked or expired at `now`: Graph answers 190 for it. */
  readonly state: 'active' | 'expired' | 'revoked';
}

/** A phone number a token can read with a plain GET (no appsecret_proof), for a `try:` curl. */
export interface ReadableNumber {
  readonly numberId: string;
  readonly token: TokenSummary;
}

/** What is in a database, for the start banner of `phonegraph serve`. */
export interface StateSummary {
  readonly apps: readonly AppRecord[];
  readonly wabas: readonly WabaRecord[];
  /** Exact up to `NUMBER_COUNT_LIMIT`; at it, a lower bound (`numberCountCapped`). */
  readonly numberCount: number;
  /** More numbers than were counted: a large state is not counted to the end at start. */
  readonly numberCountCapped: boolean;
  /** The first `limit` phone-number ids (by id). */
  readonly numbers: readonly string[];
  readonly tokens: readonly TokenSummary[];
  /** A number readable by a token whose value is known if there is one, else by any usable token. */
  readonly readable: ReadableNumber | undefined;
}

/** Not revoked, not expired, with a permission, of an app that does not demand appsecret_proof. */
function usableForCurl(token: TokenRecord, app: AppRecord | undefined, now: Date): app is AppRecord {
  if (app === undefined || app.appsecret_proof_required || token.revoked || token.permissions.length === 0)
    return false;
  return token.expires_at === null || new Date(token.expires_at).getTime() > now.getTime();
}

/**
 * How many numbers the banner counts, reading their ids in key order; past it, the count says `1000+`
 * and the readable number is looked for among those read: a start never walks every number.
 */
export const NUMBER_COUNT_LIMIT = 1000;

/** The earliest non-deleted number of a WABA the token may read, among `counted` (a large state). */
function firstReadableCounted(
  counted: readonly PhoneNumberRecord[],
  token: TokenRecord,
  app: AppRecord,
  wabas: readonly WabaRecord[],
): string | undefined {
  for (const waba of wabas) {
    if (!canAccessWaba(token, app, waba, 'any')) continue;
    let first: PhoneNumberRecord | undefined;
    for (const number of counted) {
      if (number.waba_id !== waba.id || number.status === 'DELETED') continue;
      if (first === undefined || number.created_time < first.created_time) first = number;
    }
    if (first !== undefined) return first.id;
  }
  return undefined;
}

/** The first non-deleted number of a WABA the token may read, if any. */
async function firstReadableNumber(
  store: Store,
  token: TokenRecord,
  app: AppRecord,
  wabas: readonly WabaRecord[],
  counted: readonly PhoneNumberRecord[],
  capped: boolean,
): Promise<string | undefined> {
  if (capped) return firstReadableCounted(counted, token, app, wabas);
  for (const waba of wabas) {
    if (!canAccessWaba(token, app, waba, 'any')) continue;
    const [number] = await store.listWabaPhoneNumbers(waba.id, {
      toward: 'end',
      from: null,
      limit: 1,
      sortBy: 'created_time',
      descending: false,
      equal: [],
      includeDeleted: false,
    });
    if (number !== undefined) return number.id;
  }
  return undefined;
}

/**
 * Apps, WABAs, the first `limit` numbers and every token of the store. `knownTokens` maps digests to the
 * literal tokens (e.g. those of the scenario given at this start) whose values may be shown.
 */
export async function summarizeState(
  store: Store,
  knownTokens: ReadonlyMap<string, string>,
  now: Date,
  limit: number,
): Promise<StateSummary> {
  const [apps, wabas, counted, tokens] = await Promise.all([
    store.listApps(),
    store.listWabas(),
    // Bounded, unlike a COUNT(*): at 1M numbers that alone took longer than the whole start should.
    store.scanPhoneNumbers(null, Math.max(limit, NUMBER_COUNT_LIMIT + 1)),
    store.listTokens(),
  ]);
  const appById = new Map(apps.map((app) => [app.id, app]));
  const summaries = tokens.map((token): TokenSummary => ({
    app: appById.get(token.app_id),
    appId: token.app_id,
    value: knownTokens.get(token.digest),
    digest: token.digest,
    state: token.revoked
      ? 'revoked'
      : token.expires_at !== null && new Date(token.expires_at).getTime() <= now.getTime()
        ? 'expired'
        : 'active',
  }));
  const numberCountCapped = counted.length > NUMBER_COUNT_LIMIT;
  let readable: ReadableNumber | undefined;
  // Tokens with a known value first, so that the curl works as printed whenever it can.
  const order = tokens
    .map((token, index) => ({ token, summary: summaries[index] as TokenSummary }))
    .sort((a, b) => Number(b.summary.value !== undefined) - Number(a.summary.value !== undefined));
  for (const { token, summary } of order) {
    const app = appById.get(token.app_id);
    if (!usableForCurl(token, app, now)) continue;
    const numberId = await firstReadableNumber(store, token, app, wabas, counted, numberCountCapped);
    if (numberId !== undefined) {
      readable = { numberId, token: summary };
      break;
    }
  }
  return {
    apps,
    wabas,
    numberCount: Math.min(counted.length, NUMBER_COUNT_LIMIT),
    numberCountCapped,
    numbers: counted.slice(0, limit).map((n) => n.id),
    tokens: summaries,
    readable,
  };
}
