import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CATALOGUE, INVALID_PARAMETER, type CatalogueRow } from '../src/contract/errors.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

/** Table rows that start with a backticked key, cells unescaped (`\|` is a literal bar). */
function tableRows(columns: number): string[][] {
  return doc
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim().replace(/\\\|/g, '|')),
    )
    .filter((cells) => cells.length === columns);
}

const unquote = (cell: string): string => cell.replace(/^`|`$/g, '');

function extras(row: CatalogueRow): string {
  const parts: string[] = [];
  if (row.isTransient) parts.push('`is_transient: true`');
  if (row.whatsapp !== undefined)
    parts.push(`WhatsApp format: title \`${row.whatsapp.title}\`; details \`${row.whatsapp.details}\``);
  return parts.length === 0 ? '—' : parts.join('; ');
}

test('docs/errors.md lists exactly the catalogue rows', () => {
  const documented = tableRows(7).map(([key, code, subcode, type, http, message, extra]) => [
    unquote(key ?? ''),
    code,
    subcode,
    type,
    http,
    unquote(message ?? ''),
    extra,
  ]);
  const catalogue = Object.entries(ERROR_CATALOGUE).map(([key, row]: [string, CatalogueRow]) => [
    key,
    String(row.code),
    row.subcode === undefined ? '—' : String(row.subcode),
    row.type,
    String(row.httpStatus),
    row.message,
    extras(row),
  ]);
  assert.deepEqual(documented, catalogue);
});

test('docs/errors.md lists exactly the invalid-parameter details', () => {
  const documented = tableRows(2).map(([key, detail]) => [unquote(key ?? ''), unquote(detail ?? '')]);
  assert.deepEqual(documented, Object.entries(INVALID_PARAMETER));
});
