import type { SubfieldTable } from '../contract/phone-number.ts';
import { versionIndex, type GraphVersion } from '../contract/versions.ts';
import { graphTimeValue } from './date-format.ts';
import { parseFields, type FieldNode } from './fields-parser.ts';
import { fieldsSyntax, invalidParameter, nonexistingField } from './graph-error.ts';

/** One readable field of a node type, as the selection compiler needs it. */
export interface SelectableField {
  readonly name: string;
  /** As `metadata=1` lists it; `datetime` values are written by `date_format` (graph-api.md §6). */
  readonly type?: string;
  readonly description?: string;
  readonly since: GraphVersion;
  readonly until?: GraphVersion;
  readonly subfields?: SubfieldTable;
  /** Modifiers besides `.as` this field accepts (e.g. `format` on `qr_image_url`). */
  readonly modifiers?: readonly string[];
  /** Checks modifier arguments once names are known good (graph-api.md §3 order). */
  readonly checkModifiers?: (modifiers: Readonly<Record<string, string>>) => void;
  /** Set on an edge: `{…}` selects the children's fields and the first page is embedded (§4). */
  readonly edge?: NodeTypeDescriptor;
}

export interface NodeTypeDescriptor {
  readonly typeName: string;
  /** The type as `metadata=1` names it (lower case); defaults to `typeName` in lower case. */
  readonly metadataType?: string;
  readonly fields: readonly SelectableField[];
  /** Fields served when a request names none, in output order; `name{sub,…}` selects subfields. */
  readonly defaultFields: (version: GraphVersion) => readonly string[];
  /** Nodes get `id` appended when it was not requested; plain objects do not. */
  readonly appendsId: boolean;
  /** Readable edges that are not selectable in `fields`; `metadata=1` lists them after the field edges. */
  readonly connections?: readonly string[];
}

/** A compiled selection: output keys in order, each with the field it reads and its own subselection. */
export interface SelectionEntry {
  readonly key: string;
  readonly field: string;
  readonly children: Selection | null;
  /** Arguments of modifiers other than `.as`, by modifier name. */
  readonly modifiers: Readonly<Record<string, string>>;
  /** The child type of an embedded edge; its `children` are the children's selection. */
  readonly edge?: NodeTypeDescriptor;
  /** A Graph time string, written with the request's `date_format`. */
  readonly time?: true;
}
export type Selection = readonly SelectionEntry[];

function availableIn(field: SelectableField, version: GraphVersion): boolean {
  const index = versionIndex(version);
  if (index < versionIndex(field.since)) return false;
  return field.until === undefined || index <= versionIndex(field.until);
}

/** Names first, depth-first in request order: the first unknown one is the error Graph reports. */
function checkNames(
  nodes: readonly FieldNode[],
  table: SubfieldTable | null,
  node: NodeTypeDescriptor,
  version: GraphVersion,
): void {
  for (const field of nodes) {
    let children: SubfieldTable | null;
    if (table === null) {
      const spec = node.fields.find((candidate) => candidate.name === field.name);
      if (spec === undefined || !availableIn(spec, version))
        throw nonexistingField(field.name, node.typeName);
      if (spec.edge !== undefined) {
        // Inside an expanded edge, names are the children's and errors name the child's type.
        if (field.children !== null) checkNames(field.children, null, spec.edge, version);
        continue;
      }
      children = spec.subfields ?? null;
    } else {
      const sub = table[field.name];
      if (sub === undefined) throw nonexistingField(field.name, node.typeName);
      children = sub === true ? null : sub;
    }
    if (field.children === null) continue;
    if (children === null) {
      const first = field.children[0];
      throw nonexistingField(first === undefined ? field.name : first.name, node.typeName);
    }
    checkNames(field.children, children, node, version);
  }
}

function topLevelSpec(
  field: string,
  node: NodeTypeDescriptor,
  topLevel: boolean,
): SelectableField | undefined {
  return topLevel ? node.fields.find((candidate) => candidate.name === field) : undefined;
}

function compileLevel(
  nodes: readonly FieldNode[],
  node: NodeTypeDescriptor,
  topLevel: boolean,
  version: GraphVersion,
): SelectionEntry[] {
  const entries: SelectionEntry[] = [];
  const aliased = new Set<string>();
  for (const field of nodes) {
    let alias: string | undefined;
    const modifiers: Record<string, string> = {};
    const spec = topLevelSpec(field.name, node, topLevel);
    for (const modifier of field.modifiers) {
      if (modifier.name === 'as') alias = modifier.argument;
      else if (spec?.modifiers?.includes(modifier.name) === true)
        modifiers[modifier.name] = modifier.argument;
      else throw invalidParameter('unknownModifier', { name: modifier.name, field: field.name });
    }
    spec?.checkModifiers?.(modifiers);
    const key = alias ?? field.name;
    const existing = entries.find((entry) => entry.key === key);
    if (existing !== undefined) {
      if (alias !== undefined || aliased.has(key) || existing.field !== field.name)
        throw invalidParameter('duplicateKey', { key });
      // The first occurrence wins, but the repeat's own subfields are still checked.
      if (field.children !== null) compileLevel(field.children, node, false, version);
      continue;
    }
    if (alias !== undefined) aliased.add(key);
    const edge = spec?.edge;
    if (edge !== undefined) {
      const children =
        field.children === null
          ? defaultSelection(edge, version)
          : withId(compileLevel(field.children, edge, true, version), edge);
      entries.push({ key, field: field.name, children, modifiers, edge });
      continue;
    }
    const children = field.children === null ? null : compileLevel(field.children, node, false, version);
    entries.push({
      key,
      field: field.name,
      children,
      modifiers,
      ...(spec?.type === 'datetime' ? { time: true as const } : {}),
    });
  }
  return entries;
}

function withId(entries: SelectionEntry[], node: NodeTypeDescriptor): Selection {
  if (!node.appendsId || entries.some((entry) => entry.field === 'id')) return entries;
  if (entries.some((entry) => entry.key === 'id')) throw invalidParameter('duplicateKey', { key: 'id' });
  return [...entries, { key: 'id', field: 'id', children: null, modifiers: {} }];
}

function defaultSelection(node: NodeTypeDescriptor, version: GraphVersion): Selection {
  const parsed = parseFields(node.defaultFields(version).join(','));
  if (!parsed.ok) throw new Error(`bad default fields of ${node.typeName}`);
  return compileLevel(parsed.fields, node, true, version);
}

/**
 * Turns a `fields` value into a selection, raising Graph's errors in Graph's order: syntax (2500),
 * then field names (100), then modifiers and output keys (100).
 */
export function compileSelection(
  fields: string | undefined,
  node: NodeTypeDescriptor,
  version: GraphVersion,
): Selection {
  if (fields === undefined || fields === '') return defaultSelection(node, version);
  const parsed = parseFields(fields);
  if (!parsed.ok) throw fieldsSyntax(parsed.what, parsed.index, fields);
  checkNames(parsed.fields, null, node, version);
  return withId(compileLevel(parsed.fields, node, true, version), node);
}

const MAX_CACHED_SELECTIONS = 2000;
/** The cache also stops at this many characters of keys; longer `fields` values are compiled, not kept. */
const MAX_CACHED_SELECTION_CHARS = 4 * 1_048_576;
const MAX_CACHED_FIELDS_LENGTH = 4096;

/** Compiled selections per (node type, version, fields); requests repeat the same few values. */
export class SelectionCache {
  readonly #cache = new Map<NodeTypeDescriptor, Map<string, Selection>>();
  #chars = 0;

  get(fields: string | undefined, node: NodeTypeDescriptor, version: GraphVersion): Selection {
    let byNode = this.#cache.get(node);
    if (byNode === undefined) {
      byNode = new Map();
      this.#cache.set(node, byNode);
    }
    const cacheKey = `${version}\u0000${fields ?? ''}`;
    let selection = byNode.get(cacheKey);
    if (selection === undefined) {
      selection = compileSelection(fields, node, version);
      if (cacheKey.length > MAX_CACHED_FIELDS_LENGTH) return selection;
      if (
        byNode.size >= MAX_CACHED_SELECTIONS ||
        this.#chars + cacheKey.length > MAX_CACHED_SELECTION_CHARS
      ) {
        this.#cache.clear();
        this.#chars = 0;
        byNode = new Map();
        this.#cache.set(node, byNode);
      }
      byNode.set(cacheKey, selection);
      this.#chars += cacheKey.length;
    }
    return selection;
  }
}

/** Writes a stored ISO time as the answer shows it (`date_format`, graph-api.md §6). */
export type TimeWriter = (iso: string) => unknown;

/** A `TimeWriter` for a request's `date_format` (absent: Graph's own format). */
export function timeWriter(dateFormat: string | undefined): TimeWriter {
  return (iso) => graphTimeValue(iso, dateFormat);
}

const GRAPH_TIME = timeWriter(undefined);

function projectValue(value: unknown, children: Selection | null): unknown {
  if (children === null || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => projectValue(item, children));
  return projectObject(value as Record<string, unknown>, children);
}

function projectObject(source: Record<string, unknown>, selection: Selection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of selection) {
    const value = source[entry.field];
    if (value !== undefined) out[entry.key] = projectValue(value, entry.children);
  }
  return out;
}

export function hasEdge(selection: Selection): boolean {
  return selection.some((entry) => entry.edge !== undefined);
}

/**
 * Builds the response object, computing only the selected top-level fields; embedded edge pages come
 * ready-made in `edges`, by output key.
 */
export function projectNode<C>(
  selection: Selection,
  context: C,
  values: Readonly<Record<string, (context: C) => unknown>>,
  edges?: ReadonlyMap<string, unknown>,
  writeTime: TimeWriter = GRAPH_TIME,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of selection) {
    if (entry.edge !== undefined) {
      const page = edges?.get(entry.key);
      if (page !== undefined) out[entry.key] = page;
      continue;
    }
    const compute = values[entry.field];
    const value = compute === undefined ? undefined : compute(context);
    if (value === undefined) continue;
    out[entry.key] =
      entry.time === true && typeof value === 'string'
        ? writeTime(value)
        : projectValue(value, entry.children);
  }
  return out;
}
