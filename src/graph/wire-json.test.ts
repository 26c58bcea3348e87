import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGraphJson, escapeHeaderValue } from './wire-json.ts';

test('writes slashes as \\/', () => {
  assert.equal(
    encodeGraphJson({ deep_link_url: 'https://wa.me/message/4O4YGZEG3RIVE1' }),
    '{"deep_link_url":"https:\\/\\/wa.me\\/message\\/4O4YGZEG3RIVE1"}',
  );
});

test('escapes quotes and backslashes without turning them into \\/', () => {
  assert.equal(encodeGraphJson('say "hi" \\ /'), '"say \\"hi\\" \\\\ \\/"');
  assert.equal(encodeGraphJson('\\/'), '"\\\\\\/"');
});

test('uses the short escape for each control that has one', () => {
  assert.equal(encodeGraphJson('\b\f\n\r\t'), '"\\b\\f\\n\\r\\t"');
});

test('writes other C0 controls and DEL as lowercase \\u00XX', () => {
  assert.equal(encodeGraphJson('\u0001\u001f\u007f'), '"\\u0001\\u001f\\u007f"');
});

test('writes every code unit from 0x80 up as lowercase \\uXXXX', () => {
  assert.equal(encodeGraphJson('é'), '"\\u00e9"');
  assert.equal(encodeGraphJson('€'), '"\\u20ac"');
  assert.equal(encodeGraphJson('😀'), '"\\ud83d\\ude00"');
});

test('writes a lone surrogate as a single escape', () => {
  assert.equal(encodeGraphJson('a\ud800b'), '"a\\ud800b"');
  assert.equal(encodeGraphJson('\udc00'), '"\\udc00"');
});

test('escapes keys as well as values', () => {
  assert.equal(encodeGraphJson({ 'a/é': 1 }), '{"a\\/\\u00e9":1}');
});

test('keeps insertion order in nested objects and arrays', () => {
  const value = { z: [1, { y: 'é/', x: [] }], a: { b: null } };
  assert.equal(encodeGraphJson(value), '{"z":[1,{"y":"\\u00e9\\/","x":[]}],"a":{"b":null}}');
});

test('returns plain ASCII bodies unchanged from JSON.stringify', () => {
  const value = { id: '106540352242922', verified_name: 'Jasper Co', quality_rating: 'GREEN' };
  assert.equal(encodeGraphJson(value), JSON.stringify(value));
});

test('writes numbers, booleans and null as JSON does', () => {
  assert.equal(encodeGraphJson([0, -1.5, 1e21, true, false, null]), '[0,-1.5,1e+21,true,false,null]');
  assert.equal(encodeGraphJson(42), '42');
  assert.equal(encodeGraphJson(null), 'null');
});

test('writes null for a top-level value JSON cannot represent', () => {
  assert.equal(encodeGraphJson(undefined), 'null');
});

test('indents pretty output by three spaces with the same escaping', () => {
  const value = { data: [{ id: '1', url: 'https://x/é' }], paging: { cursors: { before: 'QVFI' } } };
  const expected = [
    '{',
    '   "data": [',
    '      {',
    '         "id": "1",',
    '         "url": "https:\\/\\/x\\/\\u00e9"',
    '      }',
    '   ],',
    '   "paging": {',
    '      "cursors": {',
    '         "before": "QVFI"',
    '      }',
    '   }',
    '}',
  ].join('\n');
  assert.equal(encodeGraphJson(value, true), expected);
});

test('writes empty containers as {} and [] in pretty mode', () => {
  assert.equal(encodeGraphJson({}, true), '{}');
  assert.equal(encodeGraphJson([], true), '[]');
  assert.equal(encodeGraphJson({ a: {}, b: [] }, true), '{\n   "a": {},\n   "b": []\n}');
});

test('escapeHeaderValue leaves visible ASCII alone', () => {
  const text = 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token / x"';
  assert.equal(escapeHeaderValue(text), text);
});

test('escapeHeaderValue escapes everything outside 0x20-0x7E', () => {
  assert.equal(
    escapeHeaderValue('a\r\nb\tc\u007fé😀'),
    'a\\u000d\\u000ab\\u0009c\\u007f\\u00e9\\ud83d\\ude00',
  );
});
