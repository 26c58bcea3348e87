import type { KeysetQuery } from '../store/store.ts';
import type { CursorCodec } from './cursor.ts';
import { invalidParameter } from './graph-error.ts';

export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 100;

/** `limit` (graph-api.md §5): default 25, clamped to 1..100; a non-integer is an error. */
export function pageLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_LIMIT;
  if (!/^[+-]?\d+$/.test(value.trim())) throw invalidParameter('limit');
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Number(value.trim())));
}

/** How one keyset list is read and where its cursors point. */
export interface KeysetList<T, K> {
  /** Binds cursors to this list: a cursor of another list fails its MAC. */
  readonly scope: string;
  readonly fetch: (query: KeysetQuery<K>) => Promise<T[]>;
  readonly keyOf: (item: T) => K;
  /** Checks the shape of a decoded key (the MAC already vouches for its origin). */
  readonly isKey: (value: unknown) => value is K;
}

export interface Page<T> {
  readonly items: T[];
  readonly before?: string;
  readonly after?: string;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
}

function cursorKey<T, K>(
  codec: CursorCodec,
  list: KeysetList<T, K>,
  cursor: string,
  which: 'after' | 'before',
): K {
  const key = codec.decode(list.scope, cursor, which);
  if (!list.isKey(key)) throw invalidParameter('cursor', { which });
  return key;
}

/**
 * One page by position keys, never offsets: inserts and deletes between pages neither repeat nor skip a
 * surviving item. `after` wins when both cursors are given.
 */
export async function readPage<T, K>(
  codec: CursorCodec,
  list: KeysetList<T, K>,
  options: { readonly limit: number; readonly after?: string; readonly before?: string },
): Promise<Page<T>> {
  const { limit } = options;
  let items: T[];
  let hasPrevious: boolean;
  let hasNext: boolean;
  if (options.after !== undefined && options.after !== '') {
    const from = cursorKey(codec, list, options.after, 'after');
    const rows = await list.fetch({ toward: 'end', from, limit: limit + 1 });
    items = rows.slice(0, limit);
    hasNext = rows.length > limit;
    const first = items[0];
    hasPrevious =
      first !== undefined &&
      (await list.fetch({ toward: 'start', from: list.keyOf(first), limit: 1 })).length > 0;
  } else if (options.before !== undefined && options.before !== '') {
    const from = cursorKey(codec, list, options.before, 'before');
    const rows = await list.fetch({ toward: 'start', from, limit: limit + 1 });
    items = rows.slice(0, limit).reverse();
    hasPrevious = rows.length > limit;
    const last = items.at(-1);
    hasNext =
      last !== undefined &&
      (await list.fetch({ toward: 'end', from: list.keyOf(last), limit: 1 })).length > 0;
  } else {
    const rows = await list.fetch({ toward: 'end', from: null, limit: limit + 1 });
    items = rows.slice(0, limit);
    hasNext = rows.length > limit;
    hasPrevious = false;
  }
  const first = items[0];
  const last = items.at(-1);
  if (first === undefined || last === undefined) return { items, hasPrevious: false, hasNext: false };
  return {
    items,
    before: codec.encode(list.scope, list.keyOf(first)),
    after: codec.encode(list.scope, list.keyOf(last)),
    hasPrevious,
    hasNext,
  };
}

/** Where `next`/`previous` point: base URL, served path, and the request's own query string. */
export interface PageLocation {
  readonly base: string;
  readonly path: string;
  /** The raw query string of the request (without `?`). */
  readonly query: string;
}

function link(location: PageLocation, set: 'after' | 'before', cursor: string): string {
  const params = new URLSearchParams(location.query);
  params.delete('after');
  params.delete('before');
  params.append(set, cursor);
  return `${location.base}${location.path}?${params.toString()}`;
}

/** `{"data":[…],"paging":{…}}`; an empty page is `{"data":[]}` (graph-api.md §5). */
export function pageBody(
  page: Page<unknown>,
  data: unknown[],
  location: PageLocation,
): Record<string, unknown> {
  if (page.before === undefined || page.after === undefined) return { data: [] };
  const paging: Record<string, unknown> = { cursors: { before: page.before, after: page.after } };
  if (page.hasPrevious) paging.previous = link(location, 'before', page.before);
  if (page.hasNext) paging.next = link(location, 'after', page.after);
  return { data, paging };
}
