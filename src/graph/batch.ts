import { parse as parseQueryString } from 'node:querystring';
import type { GraphVersion } from '../contract/versions.ts';
import { invalidParameter } from './graph-error.ts';
import { flattenParams, type GraphRequest, type GraphResponse } from './graph-request.ts';

/** graph-api.md §7. */
export const MAX_BATCH_ITEMS = 50;
export const BATCH_PARAMS: readonly string[] = ['batch', 'include_headers'];

export interface BatchItem {
  readonly method: string;
  readonly relativeUrl: string;
  readonly body: Record<string, string>;
  readonly name: string | undefined;
  readonly dependsOn: string | undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The `batch` parameter: a JSON array of at most 50 requests, each with a `relative_url`. */
export function parseBatch(value: string | undefined): BatchItem[] {
  let parsed: unknown;
  try {
    parsed = value === undefined ? undefined : JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) throw invalidParameter('required', { name: 'batch' });
  if (parsed.length > MAX_BATCH_ITEMS) throw invalidParameter('batchTooLarge');
  return parsed.map((raw: unknown) => {
    const item = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const relativeUrl = optionalString(item.relative_url);
    if (relativeUrl === undefined) throw invalidParameter('required', { name: 'relative_url' });
    const body =
      typeof item.body === 'string' ? flattenParams(parseQueryString(item.body)) : flattenParams(item.body);
    return {
      method: (optionalString(item.method) ?? 'GET').toUpperCase(),
      relativeUrl,
      body,
      name: optionalString(item.name),
      dependsOn: optionalString(item.depends_on),
    };
  });
}

const VERSION_SEGMENT = /^v\d+\.\d+$/;

/**
 * An item as a standalone request: its own `access_token` wins over the batch's, an unversioned URL
 * takes the batch path's version, POST parameters come from its `body`.
 */
export function itemRequest(
  item: BatchItem,
  batch: {
    readonly version: GraphVersion | null;
    readonly accessToken: string | undefined;
    readonly appsecretProof: string | undefined;
    readonly authorization: string | undefined;
    readonly host: string | undefined;
    readonly secure?: true | undefined;
  },
): GraphRequest {
  const url = item.relativeUrl.replace(/^\/+/, '');
  const mark = url.indexOf('?');
  let path = `/${mark === -1 ? url : url.slice(0, mark)}`;
  const query = mark === -1 ? '' : url.slice(mark + 1);
  const first = path.split('/').find((segment) => segment !== '') ?? '';
  if (batch.version !== null && !VERSION_SEGMENT.test(first)) path = `/${batch.version}${path}`;
  const params = flattenParams(parseQueryString(query));
  if (params.access_token === undefined && batch.accessToken !== undefined) {
    // The batch's proof belongs to the batch's token, so it travels with it.
    params.access_token = batch.accessToken;
    if (params.appsecret_proof === undefined && batch.appsecretProof !== undefined)
      params.appsecret_proof = batch.appsecretProof;
  }
  if (item.method === 'POST') Object.assign(params, item.body);
  return {
    method: item.method,
    path,
    params,
    authorization: batch.authorization,
    ifNoneMatch: undefined,
    query,
    inBatch: true,
    ...(batch.host === undefined ? {} : { host: batch.host }),
    ...(batch.secure === true ? { secure: true } : {}),
  };
}

/** `{"code","headers","body"}`; item headers are the §8 ones without `x-fb-trace-id`. */
export function itemResult(response: GraphResponse, includeHeaders: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = { code: response.status };
  if (includeHeaders) {
    result.headers = response.headers
      // Transport headers of the outer response only: the trace id and our nosniff.
      .filter(([name]) => name !== 'x-fb-trace-id' && name !== 'X-Content-Type-Options')
      .map(([name, value]) => ({ name, value }));
  }
  result.body = response.body;
  return result;
}

/**
 * Runs items in order; an item naming another in `depends_on` waits for it and fails with 400 when
 * it failed (or can never run: an unknown name or a cycle).
 */
export async function runBatch(
  items: readonly BatchItem[],
  run: (item: BatchItem) => Promise<GraphResponse>,
  dependencyFailed: (name: string) => GraphResponse,
): Promise<GraphResponse[]> {
  const results: (GraphResponse | undefined)[] = items.map(() => undefined);
  const byName = new Map<string, number>();
  items.forEach((item, index) => {
    if (item.name !== undefined && !byName.has(item.name)) byName.set(item.name, index);
  });
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [index, item] of items.entries()) {
      if (results[index] !== undefined) continue;
      const dependency = item.dependsOn === undefined ? undefined : byName.get(item.dependsOn);
      if (item.dependsOn !== undefined) {
        const done = dependency === undefined ? undefined : results[dependency];
        if (dependency !== undefined && done === undefined) continue;
        if (done === undefined || done.status !== 200) {
          results[index] = dependencyFailed(item.dependsOn);
          progressed = true;
          continue;
        }
      }
      results[index] = await run(item);
      progressed = true;
    }
  }
  return results.map((result, index) => result ?? dependencyFailed(items[index]?.dependsOn ?? ''));
}
