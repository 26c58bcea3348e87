// Runs the vitest example (examples/vitest) as a user would: `vitest run` in its folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('the vitest example passes against phonegraph/testing', { timeout: 240_000 }, async () => {
  const child = spawn(
    process.execPath,
    [`${ROOT}node_modules/vitest/vitest.mjs`, 'run', '--reporter=verbose'],
    {
      cwd: `${ROOT}examples/vitest`,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /Tests\s+3 passed \(3\)/, output);
});
