/** Who holds an entry: told when the budget evicts it, so it can drop its own index of it. */
export interface BudgetOwner {
  evicted(entry: BudgetEntry): void;
}

/**
 * One cached thing under the budget: a node of the budget's recency list. Owners keep it in their own
 * index (a Map by key) and call `touch` on every use, so the least recently used entry goes first.
 */
export class BudgetEntry<K = unknown, V = unknown> {
  prev: BudgetEntry | null = null;
  next: BudgetEntry | null = null;
  /** Set once the entry is in a budget's list; a removed or evicted entry is detached. */
  attached = false;

  constructor(
    readonly owner: BudgetOwner,
    readonly key: K,
    public value: V,
    public cost: number,
  ) {}
}

/**
 * The budget's default in MiB: `--cache-mb` (docs/cli.md). About 8,000 numbers with a rendered read each;
 * sized so a server over 1M numbers stays within 250 MB RSS under random reads (docs/performance.md).
 */
export const DEFAULT_CACHE_MB = 16;

/**
 * One byte budget shared by every read cache and the rendered-body memo: least recently used entries are
 * evicted, one at a time, until the estimated bytes held fit. Never a clear-all on a miss. The list is
 * intrusive (entries are the nodes), so a hit moves two pointers and allocates nothing.
 */
export class CacheBudget {
  readonly maxBytes: number;
  /** Most recently used. */
  #head: BudgetEntry | null = null;
  /** Least recently used: evicted first. */
  #tail: BudgetEntry | null = null;
  #bytes = 0;
  #entries = 0;
  #evictions = 0;

  constructor(maxBytes: number = DEFAULT_CACHE_MB * 1_048_576) {
    this.maxBytes = maxBytes;
  }

  /** Estimated bytes of every entry held. */
  get bytes(): number {
    return this.#bytes;
  }

  get entries(): number {
    return this.#entries;
  }

  /** Entries evicted to make room since start (invalidations are not counted). */
  get evictions(): number {
    return this.#evictions;
  }

  /** Puts a new entry first in line, then evicts from the cold end until the budget holds. */
  add(entry: BudgetEntry): void {
    if (entry.attached) this.remove(entry);
    entry.attached = true;
    entry.prev = null;
    entry.next = this.#head;
    if (this.#head !== null) this.#head.prev = entry;
    this.#head = entry;
    this.#tail ??= entry;
    this.#bytes += entry.cost;
    this.#entries += 1;
    this.#fit();
  }

  /** A use: the entry becomes the most recently used. */
  touch(entry: BudgetEntry): void {
    if (!entry.attached || this.#head === entry) return;
    this.#unlink(entry);
    entry.next = this.#head;
    if (this.#head !== null) this.#head.prev = entry;
    this.#head = entry;
    this.#tail ??= entry;
  }

  /** Takes an entry out (its owner dropped it); the owner is not called back. */
  remove(entry: BudgetEntry): void {
    if (!entry.attached) return;
    this.#unlink(entry);
    entry.attached = false;
    this.#bytes -= entry.cost;
    this.#entries -= 1;
  }

  /** Drops every entry, telling each owner (a state replacement, a lost notification channel). */
  clear(): void {
    let entry = this.#head;
    this.#head = null;
    this.#tail = null;
    this.#bytes = 0;
    this.#entries = 0;
    while (entry !== null) {
      const next = entry.next;
      entry.prev = null;
      entry.next = null;
      entry.attached = false;
      entry.owner.evicted(entry);
      entry = next;
    }
  }

  #unlink(entry: BudgetEntry): void {
    if (entry.prev === null) this.#head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === null) this.#tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = null;
    entry.next = null;
  }

  /** Evicts least recently used entries until the bytes fit; the newest entry is kept even if alone too big. */
  #fit(): void {
    while (this.#bytes > this.maxBytes && this.#tail !== null && this.#tail !== this.#head) {
      const cold = this.#tail;
      this.remove(cold);
      this.#evictions += 1;
      cold.owner.evicted(cold);
    }
  }
}

/** V8 heap bytes of a string, near enough: a header and one byte a character (two if any is beyond Latin-1). */
export function stringBytes(text: string): number {
  // eslint-disable-next-line no-control-regex
  return 16 + (/[^\u0000-\u00ff]/.test(text) ? 2 : 1) * text.length;
}

/**
 * A rough heap size of a record: its object (a slot per field) and its strings; nested objects and arrays
 * recursively. Measured against the heap in docs/reliability.md ("Read cache").
 */
export function approximateBytes(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return stringBytes(value);
  if (typeof value !== 'object') return 16;
  const fields = Array.isArray(value)
    ? (value as unknown[])
    : Object.values(value as Record<string, unknown>);
  let bytes = 24 + 8 * fields.length;
  for (const field of fields) {
    if (typeof field === 'string') bytes += stringBytes(field);
    else if (field !== null && typeof field === 'object') bytes += approximateBytes(field);
  }
  return bytes;
}
