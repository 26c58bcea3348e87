import { createHash } from 'node:crypto';
import type { Selection } from './field-selection.ts';
import { encodeGraphJson } from './wire-json.ts';

/** A projected node with its compact wire form and ETag, computed once and reused while state is unchanged. */
export interface RenderedBody {
  readonly value: unknown;
  readonly json: string;
  readonly etag: string;
}

export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('hex')}"`;
}

export function renderBody(value: unknown): RenderedBody {
  const json = encodeGraphJson(value);
  return { value, json, etag: etagOf(json) };
}

interface MemoEntry {
  readonly app: object;
  readonly waba: object;
  readonly rendered: RenderedBody;
}

const MAX_SELECTIONS_PER_NODE = 8;

/**
 * Rendered reads keyed by the identity of the records they were built from. The read cache hands out
 * one immutable record per state version, so a write (which replaces the records) is a miss here with
 * no invalidation step; entries of dropped records go with them (WeakMap).
 */
export class RenderedBodyMemo {
  readonly #byNode = new WeakMap<object, Map<Selection, MemoEntry>>();

  get(node: object, selection: Selection, app: object, waba: object, project: () => unknown): RenderedBody {
    let bySelection = this.#byNode.get(node);
    const hit = bySelection?.get(selection);
    if (hit !== undefined && hit.app === app && hit.waba === waba) return hit.rendered;
    const rendered = renderBody(project());
    if (bySelection === undefined) {
      bySelection = new Map();
      this.#byNode.set(node, bySelection);
    } else if (bySelection.size >= MAX_SELECTIONS_PER_NODE) {
      bySelection.clear();
    }
    bySelection.set(selection, { app, waba, rendered });
    return rendered;
  }
}
