import { invalidParameter } from './graph-error.ts';
import { renderBody, type RenderedBody } from './rendered-body.ts';

/** graph-api.md §1: at most this many distinct ids in one `ids=` read. */
export const MAX_IDS = 50;

/** The `ids` parameter: comma separated, blanks dropped, duplicates collapsed, request order kept. */
export function parseIds(value: string): string[] {
  const ids: string[] = [];
  for (const raw of value.split(',')) {
    const id = raw.trim();
    if (id !== '' && !ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) throw invalidParameter('required', { name: 'ids' });
  if (ids.length > MAX_IDS) throw invalidParameter('tooManyIds');
  return ids;
}

/**
 * "Multiple ID read requests" (graph-api.md §1): one object keyed by each id in request order, each
 * value what a read of that id alone answers. Ids are read one after another, so the whole call fails
 * with the first failing id's error; `readOne` does everything a single read does (visibility, BUC,
 * fields).
 */
export async function readMany(
  ids: readonly string[],
  readOne: (id: string) => Promise<RenderedBody>,
): Promise<RenderedBody> {
  const out: Record<string, unknown> = {};
  for (const id of ids) out[id] = (await readOne(id)).value;
  return renderBody(out);
}
