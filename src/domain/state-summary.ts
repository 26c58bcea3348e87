import type { AppRecord, TokenRecord, WabaRecord } from '../store/records.ts';
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
  readonly numberCount: number;
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

/** The first non-deleted number of a WABA the token may read, if any. */
async function firstReadableNumber(
  store: Store,
  token: TokenRecord,
  app: AppRecord,
  wabas: readonly WabaRecord[],
): Promise<string | undefined> {
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
  const [apps, wabas, numberCount, numbers, tokens] = await Promise.all([
    store.listApps(),
    store.listWabas(),
    store.countPhoneNumbers(),
    store.scanPhoneNumbers(null, limit),
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
  let readable: ReadableNumber | undefined;
  // Tokens with a known value first, so that the curl works as printed whenever it can.
  const order = tokens
    .map((token, index) => ({ token, summary: summaries[index] as TokenSummary }))
    .sort((a, b) => Number(b.summary.value !== undefined) - Number(a.summary.value !== undefined));
  for (const { token, summary } of order) {
    const app = appById.get(token.app_id);
    if (!usableForCurl(token, app, now)) continue;
    const numberId = await firstReadableNumber(store, token, app, wabas);
    if (numberId !== undefined) {
      readable = { numberId, token: summary };
      break;
    }
  }
  return { apps, wabas, numberCount, numbers: numbers.map((n) => n.id), tokens: summaries, readable };
}
