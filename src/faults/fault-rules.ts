import { ERROR_CATALOGUE, fillTemplate, type CatalogueKey, type CatalogueRow } from '../contract/errors.ts';
import { seededRandom, cryptoRandom, type RandomSource } from '../domain/scenario/seeded-random.ts';
import type { FaultRuleRecord } from '../store/records.ts';

/** A fault rule as the admin plane takes it (control-plane.md §3). */
export interface FaultRuleInput {
  readonly match?: {
    readonly method?: string;
    readonly path_regex?: string;
    readonly phone_number?: string;
    readonly token_app?: string;
  };
  readonly action: FaultAction;
  readonly times?: number;
  readonly probability?: number;
}

export type FaultAction =
  | { readonly graph_error: InjectedError }
  | { readonly delay_ms: number }
  | { readonly drop_connection: true };

export interface InjectedError {
  readonly code: number;
  readonly subcode?: number;
  readonly http_status?: number;
  readonly message?: string;
  readonly type?: string;
}

export interface FaultRule extends FaultRuleInput {
  readonly id: string;
  /** Matches left before the rule stops applying; null = unlimited. */
  remaining: number | null;
  matched: number;
}

/** What a matching call sees of the request. */
export interface FaultTarget {
  readonly method: string;
  /** Normalized path without query: single slashes, no trailing slash. */
  readonly path: string;
  readonly phoneNumber: string | undefined;
  readonly appId: string;
}

/** An error row the injected fault takes its defaults from. */
export interface InjectedRow {
  readonly row: CatalogueRow;
  readonly message: string;
}

const INJECTED = 'Injected fault';

/**
 * Defaults for an injected Graph error: (code, subcode) picks that catalogue row, a code alone the
 * row without subcode, templated messages fall back to `(#code) Injected fault` (code 100 reads
 * `(#100) Invalid parameter`); unknown codes are OAuthException, 400. Given fields override.
 */
export function injectedError(input: InjectedError): InjectedRow {
  const rows = Object.entries(ERROR_CATALOGUE) as [CatalogueKey, CatalogueRow][];
  // Code 100 alone has several rows; the spec names the invalid-parameter one.
  const plainInvalid = input.code === 100 && input.subcode === undefined;
  const found: CatalogueRow | undefined = plainInvalid
    ? ERROR_CATALOGUE.invalidParameter
    : rows.find(([, row]) => row.code === input.code && row.subcode === input.subcode)?.[1];
  const base: CatalogueRow = found ?? {
    code: input.code,
    type: 'OAuthException',
    httpStatus: 400,
    message: '',
  };
  const row: CatalogueRow = {
    ...base,
    ...(input.subcode === undefined ? {} : { subcode: input.subcode }),
    ...(input.http_status === undefined ? {} : { httpStatus: input.http_status }),
    ...(input.type === 'OAuthException' || input.type === 'GraphMethodException' ? { type: input.type } : {}),
  };
  let message = input.message;
  if (message === undefined) {
    if (input.code === 100 && input.subcode === undefined)
      message = fillTemplate(base.message, { detail: 'Invalid parameter' });
    else if (found !== undefined && !/\{\w+\}/.test(found.message)) message = found.message;
    else message = `(#${input.code}) ${INJECTED}`;
  }
  return { row, message };
}

/** The store methods fault rules need (a `Store` has them). */
export interface FaultRuleStore {
  listFaultRules(): Promise<FaultRuleRecord[]>;
  addFaultRule(rule: string, times: number | null): Promise<FaultRuleRecord>;
  deleteFaultRule(id: string): Promise<boolean>;
  clearFaultRules(): Promise<void>;
  useFaultRule(id: string): Promise<FaultRuleRecord | undefined>;
}

function fromRecord(record: FaultRuleRecord): FaultRule {
  const input = JSON.parse(record.rule) as FaultRuleInput;
  return { ...input, id: record.id, remaining: record.remaining, matched: record.matched };
}

/**
 * Fault rules, matched after the token checks, before the object is resolved. They live in the store
 * (so every instance on a shared store applies the same rules, and `times` counts across instances);
 * this keeps a copy for matching, so a request costs no query when no rule matches. Only a rule that
 * matches spends a use in the store (atomically) before it fires. `load` refreshes the copy (another
 * instance changed the rules).
 */
export class FaultRules {
  readonly #store: FaultRuleStore;
  #rules: FaultRule[] = [];
  #loads = 0;
  #seed: number | null = null;
  readonly #random = new Map<string, RandomSource>();

  constructor(store: FaultRuleStore) {
    this.#store = store;
  }

  get size(): number {
    return this.#rules.length;
  }

  /** The scenario seed makes `probability` draws repeatable. */
  setSeed(seed: number | null): void {
    this.#seed = seed;
    this.#random.clear();
  }

  /** Reads the rules from the store into the copy used for matching (the latest read wins). */
  async load(): Promise<void> {
    const load = ++this.#loads;
    const records = await this.#store.listFaultRules();
    if (load === this.#loads) this.#rules = records.map(fromRecord);
  }

  async add(input: FaultRuleInput): Promise<FaultRule> {
    const rule = fromRecord(await this.#store.addFaultRule(JSON.stringify(input), input.times ?? null));
    await this.load();
    return rule;
  }

  /** The rules as stored now, with their counters across every instance. */
  async list(): Promise<readonly FaultRule[]> {
    await this.load();
    return this.#rules;
  }

  async remove(id: string): Promise<boolean> {
    const removed = await this.#store.deleteFaultRule(id);
    await this.load();
    return removed;
  }

  async clear(): Promise<void> {
    await this.#store.clearFaultRules();
    await this.load();
  }

  /** The first rule that matches and fires; its `times` budget is spent (in the store) only when it fires. */
  async match(target: FaultTarget): Promise<FaultRule | undefined> {
    for (const rule of this.#rules) {
      if (rule.remaining === 0 || !matches(rule, target)) continue;
      if (rule.probability !== undefined && this.#draw(rule.id) >= rule.probability) continue;
      const used = await this.#store.useFaultRule(rule.id);
      if (used === undefined) {
        // Spent (or deleted) by another instance meanwhile: the next rule may still fire.
        rule.remaining = 0;
        continue;
      }
      rule.remaining = used.remaining;
      rule.matched = used.matched;
      return rule;
    }
    return undefined;
  }

  #draw(id: string): number {
    let source = this.#random.get(id);
    if (source === undefined) {
      source = this.#seed === null ? cryptoRandom() : seededRandom(this.#seed, `fault:${id}`);
      this.#random.set(id, source);
    }
    return source.nextUint32() / 2 ** 32;
  }
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  const match = rule.match ?? {};
  if (match.method !== undefined && match.method.toUpperCase() !== target.method) return false;
  if (match.phone_number !== undefined && match.phone_number !== target.phoneNumber) return false;
  if (match.token_app !== undefined && match.token_app !== target.appId) return false;
  if (match.path_regex !== undefined && !new RegExp(match.path_regex).test(target.path)) return false;
  return true;
}
