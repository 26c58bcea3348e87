import { createHash } from 'node:crypto';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { QualityRating, QualityScoreValue } from '../../contract/phone-number.ts';
import type {
  ScenarioApp,
  ScenarioDocument,
  ScenarioPhoneNumber,
  ScenarioToken,
  ScenarioWaba,
} from '../../contract/scenario.ts';
import {
  SCENARIO_FORMATS,
  SCENARIO_ITEM_SCHEMAS,
  SCENARIO_JSON_SCHEMA,
  type Schema,
} from './scenario-schema.ts';

/** A scenario that cannot be loaded; the message names the file, the place in it and what would do. */
export class ScenarioError extends Error {
  readonly file: string;
  readonly path: string;
  readonly expected: string;

  constructor(file: string, path: string, expected: string) {
    super(`${file}: ${path}: expected ${expected}`);
    this.name = 'ScenarioError';
    this.file = file;
    this.path = path;
    this.expected = expected;
  }
}

/** Thrown by the cross-reference checks, which do not know the file name; validateScenario adds it. */
class Problem extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path}: expected ${expected}`);
  }
}

function fail(path: string, expected: string): never {
  throw new Problem(path, expected);
}

// ---------------------------------------------------------------------------------------------------
// Paths: `businesses[0].wabas[1].phone_numbers[2].status`, `$` for the document itself.

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function keyPath(parent: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '$' ? key : `${parent}.${key}`;
}

function itemPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

// ---------------------------------------------------------------------------------------------------
// The schema, compiled once. Formats add what a pattern cannot say.

/** Date.parse rolls February 30 over to March 2: a real time survives a round trip of its fields. */
function isRealTime(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (m === null || Number.isNaN(Date.parse(text))) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m
    .slice(1)
    .map((p) => Number(p ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const fields = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  const clock = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  return [...fields, ...clock].join() === [year, month, day, hour, minute, second].join();
}

// Strict, except that a `oneOf` branch may require a key its properties define one level up.
const ajv = new Ajv2020({ allErrors: false, verbose: true, strict: true, strictRequired: false });
ajv.addFormat(SCENARIO_FORMATS.time, { type: 'string', validate: isRealTime });
ajv.addFormat(SCENARIO_FORMATS.httpUrl, { type: 'string', validate: (text) => URL.canParse(text) });
const validateDocument = ajv.compile(SCENARIO_JSON_SCHEMA);
const ITEM_VALIDATORS = {
  business: ajv.compile(SCENARIO_ITEM_SCHEMAS.business),
  waba: ajv.compile(SCENARIO_ITEM_SCHEMAS.waba),
  phoneNumber: ajv.compile(SCENARIO_ITEM_SCHEMAS.phoneNumber),
};

// ---------------------------------------------------------------------------------------------------
// From Ajv's errors to one message: the deepest place that failed, and what the schema expects there.

type Node = Schema;

function resolve(node: Node): Node {
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  const defs = SCENARIO_JSON_SCHEMA['$defs'] as Record<string, Node>;
  return resolve(defs[ref.replace('#/$defs/', '')] ?? {});
}

const TYPE_TEXT: Readonly<Record<string, string>> = {
  object: 'an object (a mapping of keys to values)',
  array: 'a list',
  boolean: 'true or false',
  null: 'null',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
};

/** What a schema node accepts, in words: its description, else its enum, const, anyOf or type. */
function describe(given: Node | undefined): string {
  if (given === undefined) return 'a value';
  const node = resolve(given);
  const type = node['type'];
  if (type === 'object' || type === 'array') return TYPE_TEXT[type] as string;
  if (typeof node['description'] === 'string') return node['description'];
  if ('const' in node) return JSON.stringify(node['const']);
  if (Array.isArray(node['enum'])) return `one of ${node['enum'].join(', ')}`;
  if (Array.isArray(node['anyOf'])) return (node['anyOf'] as Node[]).map(describe).join(', or ');
  return typeof type === 'string' ? (TYPE_TEXT[type] ?? 'a value') : 'a value';
}

/** The document path of a JSON pointer, walking the data to tell list items from keys. */
function pathOf(pointer: string, doc: unknown, base = '$'): string {
  let path = base;
  let at: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      path = itemPath(path, Number(segment));
      at = at[Number(segment)];
    } else {
      path = keyPath(path, segment);
      at = (at as Record<string, unknown> | undefined)?.[segment];
    }
  }
  return path;
}

interface Reported {
  readonly path: string;
  readonly depth: number;
  readonly expected: string;
}

function reported(error: ErrorObject, doc: unknown, at: string): Reported {
  const base = pathOf(error.instancePath, doc, at);
  const depth = error.instancePath.split('/').length - 1;
  const node = (error.parentSchema ?? {}) as Node;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((node['properties'] ?? {}) as Node);
      return {
        path: keyPath(base, String(params['additionalProperty'])),
        depth: depth + 1,
        expected: `a known key (one of ${known.join(', ')})`,
      };
    }
    case 'required': {
      const key = String(params['missingProperty']);
      const property = ((node['properties'] ?? {}) as Record<string, Node>)[key];
      return { path: keyPath(base, key), depth: depth + 1, expected: `${describe(property)} (required)` };
    }
    case 'uniqueItems': {
      const items = error.data as unknown[];
      const index = items.findIndex((item, i) => items.indexOf(item) !== i);
      return {
        path: itemPath(base, index),
        depth: depth + 1,
        expected: `a value not listed before (${String(items[index])})`,
      };
    }
    case 'oneOf': {
      const branches = (node['oneOf'] ?? []) as Node[];
      const keys = branches.map((branch) => (branch['required'] as string[] | undefined)?.[0]);
      const expected = keys.every((key) => key !== undefined)
        ? `exactly one of ${keys.join(' or ')}`
        : describe(node);
      return { path: base, depth, expected };
    }
    default: {
      // Ids overflow JSON/YAML numbers, so a bare number where a string is expected gets a hint.
      const quote = resolve(node)['type'] === 'string' && typeof error.data === 'number' ? ', in quotes' : '';
      return { path: base, depth, expected: describe(node) + quote };
    }
  }
}

/**
 * Ajv stops at the first failure and lists the errors met on the way, innermost first: the failed
 * branches of an `anyOf`, then the `anyOf` itself. The deepest place is the one to report (a wrong key
 * inside a nullable object), and among equally deep ones the outermost (a value that fits no branch
 * of a nullable string says "…, or null"). A `oneOf` is reported as itself, not by its branches.
 */
function firstProblem(errors: readonly ErrorObject[], doc: unknown, at = '$'): Reported {
  const opaque = errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  let best: Reported | undefined;
  for (const error of errors) {
    if (opaque.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const candidate = reported(error, doc, at);
    if (best === undefined || candidate.depth >= best.depth) best = candidate;
  }
  return best ?? { path: at, depth: 0, expected: 'a scenario document' };
}

// ---------------------------------------------------------------------------------------------------
// References between parts of the document (beyond JSON Schema).

interface At<T> {
  readonly item: T;
  readonly path: string;
}

interface Located {
  readonly apps: At<ScenarioApp>[];
  readonly businessIds: At<string | undefined>[];
  readonly wabas: At<ScenarioWaba>[];
  readonly numbers: At<ScenarioPhoneNumber>[];
  readonly tokens: At<ScenarioToken>[];
}

function locate(doc: ScenarioDocument): Located {
  const located: Located = { apps: [], businessIds: [], wabas: [], numbers: [], tokens: [] };
  doc.apps?.forEach((item, i) => located.apps.push({ item, path: itemPath('apps', i) }));
  doc.tokens?.forEach((item, i) => located.tokens.push({ item, path: itemPath('tokens', i) }));
  doc.businesses?.forEach((business, b) => {
    const businessPath = itemPath('businesses', b);
    located.businessIds.push({ item: business.id, path: businessPath });
    business.wabas?.forEach((waba, w) => {
      const wabaPath = itemPath(`${businessPath}.wabas`, w);
      located.wabas.push({ item: waba, path: wabaPath });
      waba.phone_numbers?.forEach((item, n) => {
        located.numbers.push({ item, path: itemPath(`${wabaPath}.phone_numbers`, n) });
      });
    });
  });
  return located;
}

/** Fails on the second occurrence of a key, naming the first. */
function uniqueness(describe: (first: string) => string): (key: string | undefined, path: string) => void {
  const seen = new Map<string, string>();
  return (key, path) => {
    if (key === undefined) return;
    const first = seen.get(key);
    if (first !== undefined) fail(path, describe(first));
    seen.set(key, path);
  };
}

function checkUniqueIds(located: Located): void {
  // Graph ids share one namespace: an app and a WABA cannot have the same id either.
  const claim = uniqueness((first) => `an id not used elsewhere in the scenario (already ${first})`);
  for (const { item, path } of located.apps) claim(item.id, keyPath(path, 'id'));
  for (const { item, path } of located.businessIds) claim(item, keyPath(path, 'id'));
  for (const { item, path } of located.wabas) claim(item.id, keyPath(path, 'id'));
  for (const { item, path } of located.numbers) claim(item.id, keyPath(path, 'id'));
}

export function phoneDigits(displayPhoneNumber: string): string {
  return displayPhoneNumber.replace(/\D/g, '');
}

function checkUniqueNumbersAndCodes(located: Located): void {
  const claimPhone = uniqueness((first) => `a phone number not used by another number (already ${first})`);
  const claimCode = uniqueness((first) => `a QR code not used elsewhere (already ${first})`);
  for (const { item, path } of located.numbers) {
    const display = item.display_phone_number;
    claimPhone(
      display === undefined ? undefined : phoneDigits(display),
      keyPath(path, 'display_phone_number'),
    );
    item.qr_codes?.forEach((qr, i) =>
      claimCode(qr.code, keyPath(itemPath(keyPath(path, 'qr_codes'), i), 'code')),
    );
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function listed(ids: readonly string[]): string {
  return ids.length === 0 ? 'there are none' : `one of ${ids.join(', ')}`;
}

function definedIds(items: readonly At<{ readonly id?: string }>[]): string[] {
  return items.flatMap(({ item }) => (item.id === undefined ? [] : [item.id]));
}

function checkAppWabas(located: Located, wabaIds: readonly string[]): void {
  for (const { item, path } of located.apps) {
    if (item.wabas === undefined || item.wabas === '*') continue;
    item.wabas.forEach((wabaId, i) => {
      if (!wabaIds.includes(wabaId)) {
        fail(itemPath(keyPath(path, 'wabas'), i), `the id of a WABA in this scenario (${listed(wabaIds)})`);
      }
    });
  }
}

function checkTokens(located: Located, wabaIds: readonly string[]): void {
  const claimDigest = uniqueness((first) => `a token not listed before (same token as ${first})`);
  const appIds = definedIds(located.apps);
  for (const { item: token, path } of located.tokens) {
    claimDigest(token.sha256 ?? sha256Hex(token.value ?? ''), path);
    const app = located.apps.find(({ item }) => item.id === token.app)?.item;
    if (app === undefined)
      fail(keyPath(path, 'app'), `the id of an app in this scenario (${listed(appIds)})`);
    if (token.wabas === undefined || token.wabas === '*') continue;
    const appWabas = app.wabas === undefined || app.wabas === '*' ? wabaIds : app.wabas;
    token.wabas.forEach((wabaId, i) => {
      if (!appWabas.includes(wabaId)) {
        fail(
          itemPath(keyPath(path, 'wabas'), i),
          `a WABA app ${token.app} is installed on (${listed(appWabas)})`,
        );
      }
    });
  }
}

/** `quality_rating` follows `quality_score.score` (phone-number.md §1-2). */
export function ratingOfScore(score: QualityScoreValue): QualityRating {
  return score;
}

function checkQualityRatings(located: Located): void {
  for (const { item, path } of located.numbers) {
    const quality = item.quality ?? item.quality_score;
    const rating = item.quality_rating;
    if (quality !== undefined && rating !== undefined && ratingOfScore(quality.score) !== rating) {
      fail(
        keyPath(path, 'quality_rating'),
        `${ratingOfScore(quality.score)} (to agree with score ${quality.score})`,
      );
    }
  }
}

function checkReferences(doc: ScenarioDocument): void {
  const located = locate(doc);
  checkQualityRatings(located);
  checkUniqueIds(located);
  checkUniqueNumbersAndCodes(located);
  const wabaIds = definedIds(located.wabas);
  checkAppWabas(located, wabaIds);
  checkTokens(located, wabaIds);
}

/**
 * Checks a parsed scenario document completely (the JSON Schema, then the cross-references) and
 * returns it typed. Throws a ScenarioError naming the first problem found.
 */
export function validateScenario(doc: unknown, file: string): ScenarioDocument {
  if (!validateDocument(doc)) {
    const problem = firstProblem(validateDocument.errors ?? [], doc);
    throw new ScenarioError(file, problem.path, problem.expected);
  }
  // The schema describes exactly the ScenarioDocument shape.
  const typed = doc as ScenarioDocument;
  try {
    checkReferences(typed);
    return typed;
  } catch (error) {
    if (error instanceof Problem) throw new ScenarioError(file, error.path, error.expected);
    throw error;
  }
}

/**
 * Checks one item of a streamed scenario against its piece of the schema (a business or WABA without
 * its list, or one phone number); `path` is where the item sits, so messages read as for the document.
 */
export function validateScenarioItem(
  kind: keyof typeof ITEM_VALIDATORS,
  item: unknown,
  path: string | (() => string),
  file: string,
): void {
  const validate = ITEM_VALIDATORS[kind];
  if (validate(item)) return;
  const problem = firstProblem(validate.errors ?? [], item, typeof path === 'string' ? path : path());
  throw new ScenarioError(file, problem.path, problem.expected);
}

/**
 * The document without its streamed items (each business's `wabas` and each WABA's `phone_numbers`
 * emptied), checked against the whole schema and then the references among apps, WABAs and tokens.
 * The checks on numbers and ids that need every item are made as they stream (`StreamedReferences`);
 * without `wabaIds` only the schema is checked (the keys seen so far).
 */
export function validateScenarioSkeleton(doc: unknown, file: string, wabaIds?: readonly string[]): void {
  if (!validateDocument(doc)) {
    const problem = firstProblem(validateDocument.errors ?? [], doc);
    throw new ScenarioError(file, problem.path, problem.expected);
  }
  if (wabaIds === undefined) return;
  const typed = doc as ScenarioDocument;
  try {
    const located = locate(typed);
    checkAppWabas(located, wabaIds);
    checkTokens(located, wabaIds);
  } catch (error) {
    if (error instanceof Problem) throw new ScenarioError(file, error.path, error.expected);
    throw error;
  }
}

/**
 * A copy of a string that does not hold on to the text it was cut from: V8 keeps a substring as a slice
 * of its parent, so an id kept in a map would keep a streamed chunk of the file alive.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** The order in which `checkUniqueIds` claims ids: apps, businesses, WABAs, numbers. */
function idRank(path: string): number {
  if (path.startsWith('apps[')) return 0;
  if (path.includes('.phone_numbers[')) return 3;
  return path.includes('.wabas[') ? 2 : 1;
}

/**
 * The cross-reference checks of `validateScenario` made one item at a time, with compact maps (id →
 * where it was first seen); the first problem of each check is kept and reported in the order the
 * whole-document validator checks them. The maps double as the taken sets of the id generators.
 */
export class StreamedReferences {
  /** Every given id → its path; numbers' as their place in file order (see `numberPath`). */
  readonly ids = new Map<string, string | number>();
  /** Digits of given display numbers → the number's place. */
  readonly phones = new Map<string, number>();
  readonly codes = new Map<string, string>();
  readonly #numberPath: (place: number) => string;
  #quality: Problem | undefined;
  #unique: Problem | undefined;
  #phonesOrCodes: Problem | undefined;

  constructor(numberPath: (place: number) => string) {
    this.#numberPath = numberPath;
  }

  #where(seen: string | number): string {
    return typeof seen === 'number' ? this.#numberPath(seen) : seen;
  }

  /** An app, business or WABA id (their paths are few). */
  claimId(id: string | undefined, path: string): void {
    if (id === undefined) return;
    const seen = this.ids.get(id);
    if (seen === undefined) this.ids.set(detached(id), path);
    else this.#duplicateId(seen, path);
  }

  /**
   * The whole-document validator claims every app id, then every business id, WABA id and number id:
   * of two items with one id, the one later in that order is reported.
   */
  #duplicateId(seen: string | number, path: string): void {
    const first = this.#where(seen);
    const [reported, before] = idRank(path) < idRank(first) ? [first, path] : [path, first];
    this.#unique ??= new Problem(
      keyPath(reported, 'id'),
      `an id not used elsewhere in the scenario (already ${keyPath(before, 'id')})`,
    );
  }

  /** One phone number at `place` (its index in file order across the scenario). */
  addNumber(number: ScenarioPhoneNumber, place: number): void {
    const quality = number.quality ?? number.quality_score;
    const rating = number.quality_rating;
    if (quality !== undefined && rating !== undefined && ratingOfScore(quality.score) !== rating) {
      this.#quality ??= new Problem(
        keyPath(this.#numberPath(place), 'quality_rating'),
        `${ratingOfScore(quality.score)} (to agree with score ${quality.score})`,
      );
    }
    if (number.id !== undefined) {
      const seen = this.ids.get(number.id);
      if (seen === undefined) this.ids.set(detached(number.id), place);
      else this.#duplicateId(seen, this.#numberPath(place));
    }
    if (number.display_phone_number !== undefined) {
      const digits = phoneDigits(number.display_phone_number);
      const seen = this.phones.get(digits);
      if (seen === undefined) this.phones.set(digits, place);
      else {
        this.#phonesOrCodes ??= new Problem(
          keyPath(this.#numberPath(place), 'display_phone_number'),
          `a phone number not used by another number (already ${keyPath(this.#numberPath(seen), 'display_phone_number')})`,
        );
      }
    }
    number.qr_codes?.forEach((qr, i) => {
      if (qr.code === undefined) return;
      const path = keyPath(itemPath(keyPath(this.#numberPath(place), 'qr_codes'), i), 'code');
      const seen = this.codes.get(qr.code);
      if (seen === undefined) this.codes.set(detached(qr.code), path);
      else this.#phonesOrCodes ??= new Problem(path, `a QR code not used elsewhere (already ${seen})`);
    });
  }

  /** Throws the first problem found, in the whole-document validator's order of checks. */
  check(file: string): void {
    const problem = this.#quality ?? this.#unique ?? this.#phonesOrCodes;
    if (problem !== undefined) throw new ScenarioError(file, problem.path, problem.expected);
  }
}
