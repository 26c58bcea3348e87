import { createHash } from 'node:crypto';
import type { Selection } from './field-selection.ts';
import {
  approximateBytes,
  BudgetEntry,
  CacheBudget,
  stringBytes,
  type BudgetOwner,
} from '../store/cache-budget.ts';
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

/** One rendered read under the cache budget, for the app and WABA records it was built with. */
class MemoEntry extends BudgetEntry<Selection, RenderedBody> {
  constructor(
    owner: BudgetOwner,
    selection: Selection,
    rendered: RenderedBody,
    readonly app: object,
    readonly waba: object,
    /** The node's entries, which this one leaves when evicted. */
    readonly group: Map<Selection, MemoEntry>,
  ) {
    super(
      owner,
      selection,
      rendered,
      MEMO_OVERHEAD_BYTES + stringBytes(rendered.json) + approximateBytes(rendered.value),
    );
  }
}

const MAX_SELECTIONS_PER_NODE = 8;
/** The entry object, its map slot and the ETag string. */
const MEMO_OVERHEAD_BYTES = 290;

/**
 * Rendered reads keyed by the identity of the records they were built from. The read cache hands out
 * one immutable record per state version, so a write (which replaces the records) is a miss here with
 * no invalidation step; entries of replaced records are never used again and are the first the shared
 * byte budget evicts (least recently used). The budget is the read cache's (`CachedStore.budget`).
 */
export class RenderedBodyMemo implements BudgetOwner {
  readonly #byNode = new WeakMap<object, Map<Selection, MemoEntry>>();
  readonly #budget: CacheBudget;

  constructor(budget: CacheBudget = new CacheBudget()) {
    this.#budget = budget;
  }

  get(node: object, selection: Selection, app: object, waba: object, project: () => unknown): RenderedBody {
    let group = this.#byNode.get(node);
    const hit = group?.get(selection);
    if (hit !== undefined && hit.app === app && hit.waba === waba) {
      this.#budget.touch(hit);
      return hit.value;
    }
    const rendered = renderBody(project());
    if (group === undefined) {
      group = new Map();
      this.#byNode.set(node, group);
    } else if (hit !== undefined) {
      this.#budget.remove(hit);
    } else if (group.size >= MAX_SELECTIONS_PER_NODE) {
      // The node's oldest selection makes room (insertion order).
      const oldest = group.values().next().value;
      if (oldest !== undefined) {
        group.delete(oldest.key);
        this.#budget.remove(oldest);
      }
    }
    const entry = new MemoEntry(this, selection, rendered, app, waba, group);
    group.set(selection, entry);
    this.#budget.add(entry as BudgetEntry);
    return rendered;
  }

  evicted(entry: BudgetEntry): void {
    const memo = entry as MemoEntry;
    if (memo.group.get(memo.key) === memo) memo.group.delete(memo.key);
  }
}
