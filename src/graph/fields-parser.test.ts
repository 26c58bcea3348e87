import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFields } from './fields-parser.ts';
import type { FieldNode } from './fields-parser.ts';

/** Compact view of a parse tree so expectations stay readable. */
function shape(fields: readonly FieldNode[]): unknown[] {
  return fields.map((f) => {
    const mods = f.modifiers.map((m) => `.${m.name}(${m.argument})`).join('');
    return f.children === null ? f.name + mods : { [f.name + mods]: shape(f.children) };
  });
}

function parsed(value: string): readonly FieldNode[] {
  const result = parseFields(value);
  assert.ok(result.ok, `expected ${JSON.stringify(value)} to parse, got ${JSON.stringify(result)}`);
  return result.fields;
}

function assertError(value: string, what: string, index: number): void {
  assert.deepEqual(parseFields(value), { ok: false, what, index });
}

test('parses a simple comma-separated list with name indices', () => {
  assert.deepEqual(parsed('id,display_phone_number,status'), [
    { name: 'id', index: 0, modifiers: [], children: null },
    { name: 'display_phone_number', index: 3, modifiers: [], children: null },
    { name: 'status', index: 24, modifiers: [], children: null },
  ]);
});

test('skips spaces, tabs and newlines around every token', () => {
  const fields = parsed(' id ,\tstatus\n. as ( x ) {\n code , name } ');
  assert.deepEqual(shape(fields), ['id', { 'status.as(x)': ['code', 'name'] }]);
  assert.equal(fields[1]?.index, 6);
  assert.equal(fields[1]?.modifiers[0]?.index, 15);
});

test('keeps names case-sensitive', () => {
  assert.deepEqual(shape(parsed('Status,status')), ['Status', 'status']);
});

test('parses .as, .limit and .format modifiers with their name index', () => {
  const fields = parsed('status.as(x),message_qrdls.limit(2),profile_picture.format(PNG)');
  assert.deepEqual(shape(fields), ['status.as(x)', 'message_qrdls.limit(2)', 'profile_picture.format(PNG)']);
  assert.deepEqual(fields[0]?.modifiers, [{ name: 'as', argument: 'x', index: 7 }]);
});

test('parses several modifiers on one field', () => {
  assert.deepEqual(shape(parsed('a.limit(2).as(b_1)')), ['a.limit(2).as(b_1)']);
});

test('parses nested subfields', () => {
  assert.deepEqual(shape(parsed('health_status{entities{errors{error_code}}}')), [
    { health_status: [{ entities: [{ errors: ['error_code'] }] }] },
  ]);
});

test('parses modifiers followed by subfields', () => {
  const fields = parsed('message_qrdls.limit(2){code,prefilled_message},id');
  assert.deepEqual(shape(fields), [{ 'message_qrdls.limit(2)': ['code', 'prefilled_message'] }, 'id']);
  assert.equal(fields[1]?.index, 47);
});

test('returns children null without braces and child nodes with braces', () => {
  const [plain, braced] = parsed('a,b{c}');
  assert.equal(plain?.children, null);
  assert.deepEqual(braced?.children, [{ name: 'c', index: 4, modifiers: [], children: null }]);
});

test('accepts 32 levels of nesting', () => {
  const value = 'a{'.repeat(32) + 'a' + '}'.repeat(32);
  assert.ok(parseFields(value).ok);
});

// Captured from real Graph responses.
test('reports "Expected end of string" at the stray brace of status}', () => {
  assertError('status}', 'Expected end of string instead of "}".', 6);
});

test('reports "Expected name." at the second comma of a,,b', () => {
  assertError('a,,b', 'Expected name.', 2);
});

test('reports "Expected end of string" at the parenthesis of statusfields(x)', () => {
  assertError('statusfields(x)', 'Expected end of string instead of "(".', 12);
});

test('reports "Expected "("" at the comma of status.id,x', () => {
  assertError('status.id,x', 'Expected "(" instead of ",".', 9);
});

test('reports "Expected ")", got end of string" for status.as(x', () => {
  assertError('status.as(x', 'Expected ")", got end of string', 11);
});

// Every row of the grammar's error table.
test('reports "Expected name." for an empty string', () => {
  assertError('', 'Expected name.', 0);
});

test('reports "Expected name." at end of string after a trailing comma', () => {
  assertError('a, ', 'Expected name.', 3);
});

test('reports "Expected name." for a digit-leading name', () => {
  assertError('1abc', 'Expected name.', 0);
});

test('reports "Expected name." at the closing brace of empty subfields', () => {
  assertError('a{}', 'Expected name.', 2);
});

test('reports "Expected name." when a dot is not followed by a name', () => {
  assertError('a.(x)', 'Expected name.', 2);
  assertError('a.', 'Expected name.', 2);
});

test('reports "Expected end of string" at the second word of sta tus', () => {
  assertError('sta tus', 'Expected end of string instead of "t".', 4);
});

test('reports "Expected end of string" for a dot after subfields', () => {
  assertError('a{b}.as(x)', 'Expected end of string instead of ".".', 4);
});

test('reports "Expected end of string" quoting a non-ASCII character', () => {
  assertError('status é', 'Expected end of string instead of "é".', 7);
});

test('reports "Expected end of string" quoting a whole emoji at its high surrogate', () => {
  assertError('status😀,id', 'Expected end of string instead of "😀".', 6);
});

test('reports "Expected "}"" at a stray character inside subfields', () => {
  assertError('a{b)', 'Expected "}" instead of ")".', 3);
  assertError('a{b{c}.', 'Expected "}" instead of ".".', 6);
});

test('reports "Expected "}", got end of string" for unclosed subfields', () => {
  assertError('a{b', 'Expected "}", got end of string', 3);
  assertError('a{b{c} ', 'Expected "}", got end of string', 7);
});

test('reports "Expected "("" at the character after a modifier name', () => {
  assertError('a.as x', 'Expected "(" instead of "x".', 5);
});

test('reports "Expected "(", got end of string" after a bare modifier name', () => {
  assertError('a.as', 'Expected "(", got end of string', 4);
});

test('reports "Expected argument." for empty parentheses', () => {
  assertError('a.as()', 'Expected argument.', 5);
});

test('reports "Expected argument." at end of string after an opening parenthesis', () => {
  assertError('a.as( ', 'Expected argument.', 6);
});

test('reports "Expected ")"" at a non-argument character', () => {
  assertError('a.limit(2-3)', 'Expected ")" instead of "-".', 9);
});

test('reports "Expected "}"" at the brace that would open nesting level 33', () => {
  const value = 'a{'.repeat(33) + 'a' + '}'.repeat(33);
  assertError(value, 'Expected "}" instead of "{".', 65);
});

test('does not throw on 10 000 nested braces', () => {
  assert.doesNotThrow(() => parseFields('a{'.repeat(10_000)));
  assert.doesNotThrow(() => parseFields('{'.repeat(10_000)));
  assertError('{'.repeat(10_000), 'Expected name.', 0);
  assert.equal(parseFields('a{'.repeat(10_000)).ok, false);
});
