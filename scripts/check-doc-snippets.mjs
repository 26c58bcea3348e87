// Type-checks examples/ and every ```ts block of README.md and docs/*.md with the project's strict
// options (`npm run check` runs it). Each block is written to .scratch/doc-snippets/ as a module that
// imports `phonegraph` from the sources. A block that is a fragment on purpose is fenced ```ts nocheck
// (keep those rare: a reader copies the others as they are).
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, '.scratch', 'doc-snippets');
const FENCE = /^```ts( nocheck)?[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;

const pages = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const files = [];
for (const page of pages) {
  const text = readFileSync(path.join(ROOT, page), 'utf8');
  for (const match of text.matchAll(FENCE)) {
    if (match[1] !== undefined) continue;
    const line = text.slice(0, match.index).split('\n').length;
    const name = `${page.replace(/[/.]/g, '_')}_L${line}.ts`;
    writeFileSync(path.join(OUT, name), `// ${page}:${line}\n${match[2]}\nexport {};\n`);
    files.push(name);
  }
}
writeFileSync(
  path.join(OUT, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../../tsconfig.json',
      compilerOptions: {
        noEmit: true,
        paths: {
          phonegraph: ['../../src/client/index.ts'],
          'phonegraph/contract': ['../../src/contract/index.ts'],
        },
      },
      include: ['./*.ts', '../../examples/**/*.ts'],
    },
    null,
    2,
  ),
);
const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', path.join(OUT, 'tsconfig.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(
    `doc snippets: type errors above (blocks of README.md and docs/*.md are in ${path.relative(ROOT, OUT)}/)`,
  );
  process.exit(1);
}
console.log(`doc snippets: ${files.length} ts blocks and examples/ type-check`);
