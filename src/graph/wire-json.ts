/**
 * JSON exactly as Graph's encoder writes it: pure ASCII, `/` escaped as `\/`,
 * every UTF-16 code unit from 0x7F up written as a lowercase `\uXXXX`.
 * Clients compare bodies byte for byte against recordings of the real API, so
 * the layout matters as much as the values.
 */

// JSON.stringify already escapes `"`, `\`, C0 controls (short forms or lowercase
// `\u00XX`) and lone surrogates, so only these are left for us to rewrite.
const NEEDS_ESCAPE = /[/\u007f-\uffff]/;
const TO_ESCAPE = /[/\u007f-\uffff]/g;

// Graph indents pretty bodies by three spaces.
const PRETTY_INDENT = 3;

function unicodeEscape(char: string): string {
  return '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0');
}

function escapeWireChar(char: string): string {
  return char === '/' ? '\\/' : unicodeEscape(char);
}

/**
 * Encodes `value` as a Graph response body. Values JSON cannot represent at the
 * top level (undefined, functions, symbols) become `null` so a body is never empty.
 */
export function encodeGraphJson(value: unknown, pretty = false): string {
  const json: string | undefined = JSON.stringify(value, null, pretty ? PRETTY_INDENT : undefined);
  if (json === undefined) return 'null';
  // The test keeps the common all-ASCII, slash-free body free of any rewriting.
  return NEEDS_ESCAPE.test(json) ? json.replace(TO_ESCAPE, escapeWireChar) : json;
}

const OUTSIDE_VISIBLE_ASCII = /[^\x20-\x7e]/g;

/**
 * Makes `text` safe for an HTTP header value, which must be visible ASCII; used for
 * WWW-Authenticate, which repeats an error message that may carry user input.
 */
export function escapeHeaderValue(text: string): string {
  return text.replace(OUTSIDE_VISIBLE_ASCII, unicodeEscape);
}
