// Bundles the dashboard (src/dashboard) into dist/dashboard: one script, one stylesheet, one page.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const source = new URL('../src/dashboard/', import.meta.url);
const out = new URL('../dist/dashboard/', import.meta.url);
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('app.ts', source).pathname],
  outfile: new URL('app.js', out).pathname,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
// The token page (token.html, token.css) is server-rendered and has no script (docs/dashboard.md).
for (const file of ['index.html', 'style.css', 'token.html', 'token.css'])
  copyFileSync(new URL(file, source), new URL(file, out));
const sizes = ['index.html', 'style.css', 'app.js'].map(
  (file) => gzipSync(readFileSync(new URL(file, out))).length,
);
process.stdout.write(`dashboard built: ${sizes.reduce((a, b) => a + b, 0)} bytes gzipped\n`);
