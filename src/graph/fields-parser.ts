/**
 * Parser for the Graph API `fields` query parameter, e.g. `status,health_status{entities{errors}}` or
 * `message_qrdls.limit(2){code}`. Error texts and indices reproduce captured Graph responses, so callers
 * can put `what` and `index` straight into the syntax-error message.
 *
 * The parser is iterative with an explicit stack (bounded by MAX_DEPTH), so hostile input such as
 * thousands of `{` can neither overflow the call stack nor cost more than one pass over the string.
 */

export interface FieldModifier {
  readonly name: string;
  readonly argument: string;
  /** Index of the modifier name (after the `.`). */
  readonly index: number;
}

export interface FieldNode {
  readonly name: string;
  /** Index of the name's first character. */
  readonly index: number;
  readonly modifiers: readonly FieldModifier[];
  /** `null` when no `{…}` was given, so callers can tell "no subfields" from "default subfields". */
  readonly children: readonly FieldNode[] | null;
}

export type FieldsParseResult =
  | { readonly ok: true; readonly fields: readonly FieldNode[] }
  | { readonly ok: false; readonly what: string; readonly index: number };

type Failure = Extract<FieldsParseResult, { ok: false }>;

/** Deepest allowed `{` nesting; a `{` that would open the next level is a syntax error. */
const MAX_DEPTH = 32;

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const ARGUMENT = /[A-Za-z0-9_]+/y;
const WHITESPACE = /[ \t\n]*/y;

interface Scanner {
  readonly text: string;
  pos: number;
}

interface MutableNode {
  readonly name: string;
  readonly index: number;
  readonly modifiers: FieldModifier[];
  children: MutableNode[] | null;
}

export function parseFields(value: string): FieldsParseResult {
  const s: Scanner = { text: value, pos: 0 };
  const root: MutableNode[] = [];
  // Sibling lists from the top level down to the innermost open `{`.
  const open: MutableNode[][] = [root];
  for (;;) {
    const siblings = open[open.length - 1] ?? root;
    const field = readField(s, siblings);
    if ('ok' in field) return field;
    if (field.children !== null) {
      if (open.length > MAX_DEPTH) return expected('}', s);
      s.pos++;
      open.push(field.children);
      continue;
    }
    const next = closeFields(s, open);
    if (next !== 'next field') return next;
  }
}

/**
 * Reads a name and its modifiers, appends the node to `siblings`, and stops in front of `{` (giving the
 * node an empty children list for the caller to fill) or at whatever follows the field.
 */
function readField(s: Scanner, siblings: MutableNode[]): MutableNode | Failure {
  skipWhitespace(s);
  const index = s.pos;
  const name = match(NAME, s);
  if (name === null) return fail('Expected name.', index);
  const node: MutableNode = { name, index, modifiers: [], children: null };
  siblings.push(node);
  for (;;) {
    skipWhitespace(s);
    const c = s.text[s.pos];
    if (c === '{') {
      node.children = [];
      return node;
    }
    if (c !== '.') return node;
    s.pos++;
    const modifier = readModifier(s);
    if ('ok' in modifier) return modifier;
    node.modifiers.push(modifier);
  }
}

/** Reads `name(argument)` after a `.`. */
function readModifier(s: Scanner): FieldModifier | Failure {
  skipWhitespace(s);
  const index = s.pos;
  const name = match(NAME, s);
  if (name === null) return fail('Expected name.', index);
  if (!consume(s, '(')) return expected('(', s);
  skipWhitespace(s);
  const argument = match(ARGUMENT, s);
  if (argument === null) return fail('Expected argument.', s.pos);
  if (!consume(s, ')')) return expected(')', s);
  return { name, argument, index };
}

/**
 * After a complete field: pops every `}` that follows, then either reports the next field (after a `,`),
 * the finished parse, or the error for whatever else comes.
 */
function closeFields(s: Scanner, open: MutableNode[][]): 'next field' | FieldsParseResult {
  for (;;) {
    skipWhitespace(s);
    const c = s.text[s.pos];
    if (c === ',') {
      s.pos++;
      return 'next field';
    }
    const nested = open.length > 1;
    if (c === '}' && nested) {
      s.pos++;
      open.pop();
      continue;
    }
    if (nested) return expected('}', s);
    if (c === undefined) return { ok: true, fields: open[0] ?? [] };
    return fail(`Expected end of string instead of "${charAt(s)}".`, s.pos);
  }
}

function consume(s: Scanner, token: string): boolean {
  skipWhitespace(s);
  if (s.text[s.pos] !== token) return false;
  s.pos++;
  return true;
}

function match(pattern: RegExp, s: Scanner): string | null {
  pattern.lastIndex = s.pos;
  const found = pattern.exec(s.text);
  if (found === null) return null;
  s.pos = pattern.lastIndex;
  return found[0];
}

function skipWhitespace(s: Scanner): void {
  WHITESPACE.lastIndex = s.pos;
  WHITESPACE.test(s.text);
  s.pos = WHITESPACE.lastIndex;
}

/** The two message shapes Graph uses for a missing punctuation token; note only one has a full stop. */
function expected(token: string, s: Scanner): Failure {
  if (s.pos >= s.text.length) return fail(`Expected "${token}", got end of string`, s.pos);
  return fail(`Expected "${token}" instead of "${charAt(s)}".`, s.pos);
}

/** The offending character, keeping a surrogate pair whole so emoji are quoted intact. */
function charAt(s: Scanner): string {
  const code = s.text.codePointAt(s.pos) ?? 0;
  return String.fromCodePoint(code);
}

function fail(what: string, index: number): Failure {
  return { ok: false, what, index };
}
