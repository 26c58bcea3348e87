import { ERROR_CATALOGUE, fillTemplate, type CatalogueKey, type CatalogueRow } from '../contract/errors.ts';
import { seededRandom, cryptoRandom, type RandomSource } from '../domain/scenario/seeded-random.ts';

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

/** In-process fault rules: matched after the token checks, before the object is resolved. */
export class FaultRules {
  readonly #rules: FaultRule[] = [];
  #next = 1;
  #seed: number | null = null;
  readonly #random = new Map<string, RandomSource>();

  get size(): number {
    return this.#rules.length;
  }

  /** The scenario seed makes `probability` draws repeatable. */
  setSeed(seed: number | null): void {
    this.#seed = seed;
    this.#random.clear();
  }

  add(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = {
      ...input,
      id: String(this.#next++),
      remaining: input.times ?? null,
      matched: 0,
    };
    this.#rules.push(rule);
    return rule;
  }

  list(): readonly FaultRule[] {
    return this.#rules;
  }

  remove(id: string): boolean {
    const index = this.#rules.findIndex((rule) => rule.id === id);
    if (index === -1) return false;
    this.#rules.splice(index, 1);
    return true;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The first rule that matches and fires; its `times` budget is spent only when it fires. */
  match(target: FaultTarget): FaultRule | undefined {
    for (const rule of this.#rules) {
      if (rule.remaining === 0 || !matches(rule, target)) continue;
      if (rule.probability !== undefined && this.#draw(rule.id) >= rule.probability) continue;
      if (rule.remaining !== null) rule.remaining -= 1;
      rule.matched += 1;
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
