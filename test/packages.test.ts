// The two packages as users get them: `npm pack`, then the client tarball alone in an empty project.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as fromClient from '@phonegraph/client';
import * as fromPhonegraph from 'phonegraph';
import * as fromTesting from 'phonegraph/testing';
import { startPhonegraph, type Phonegraph } from 'phonegraph/testing';
import { ROOT } from './helpers/serve-process.ts';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const TIMEOUT = 300_000;

/** The README's SDK example: the first ts block that imports '@phonegraph/client'. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const example = blocks.find((block) => block.includes("from '@phonegraph/client'"));
  assert.ok(example, 'README has a ts block importing @phonegraph/client');
  return example;
}

async function pack(args: readonly string[], into: string): Promise<string> {
  const { stdout } = await run(
    NPM,
    ['pack', '--ignore-scripts', '--json', '--pack-destination', into, ...args],
    {
      cwd: ROOT,
    },
  );
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(info);
  return join(into, info.filename);
}

test('phonegraph, phonegraph/testing and @phonegraph/client export one and the same client', () => {
  assert.equal(fromPhonegraph.GraphClient, fromClient.GraphClient);
  assert.equal(fromPhonegraph.GraphError, fromClient.GraphError);
  assert.equal(fromTesting.RateLimitError, fromClient.RateLimitError);
});

describe('npm pack and the client alone in a fresh project', { timeout: TIMEOUT }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'phonegraph-pack-'));
  const project = join(dir, 'project');
  let clientTarball: string;
  let pg: Phonegraph;

  before(async () => {
    clientTarball = await pack(['-w', '@phonegraph/client'], dir);
    pg = await startPhonegraph();
  });
  after(async () => {
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the tarballs hold built code only, and phonegraph depends on the client', async () => {
    const { stdout: clientList } = await run('tar', ['-tzf', clientTarball]);
    const clientFiles = clientList.trim().split('\n');
    assert.ok(clientFiles.includes('package/dist/client/index.js'));
    assert.ok(clientFiles.includes('package/dist/client/index.d.ts'));
    assert.ok(clientFiles.includes('package/dist/contract/index.js'));
    assert.deepEqual(clientFiles.filter((file) => !file.startsWith('package/dist/')).sort(), [
      'package/README.md',
      'package/package.json',
    ]);
    const serverTarball = await pack([], dir);
    const { stdout: serverList } = await run('tar', ['-tzf', serverTarball]);
    const serverFiles = serverList.trim().split('\n');
    for (const file of [
      'dist/index.js',
      'dist/testing/start-phonegraph.js',
      'dist/server/intercept-proxy.js',
    ]) {
      assert.ok(serverFiles.includes(`package/${file}`), file);
    }
    assert.ok(!serverFiles.some((file) => file.startsWith('package/dist/client/')), 'no second client copy');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const clientManifest = JSON.parse(readFileSync(join(ROOT, 'packages/client/package.json'), 'utf8')) as {
      version: string;
      dependencies?: unknown;
    };
    assert.equal(manifest.dependencies['@phonegraph/client'], clientManifest.version);
    assert.equal(clientManifest.dependencies, undefined);
  });

  test('installs nothing but @phonegraph/client; the README example type-checks and runs', async () => {
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'sdk-user', version: '1.0.0', private: true, type: 'module' }),
    );
    await run(NPM, ['install', '--offline', '--no-audit', '--no-fund', clientTarball], { cwd: project });
    const installed = readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'));
    assert.deepEqual(installed, ['@phonegraph']);
    assert.deepEqual(readdirSync(join(project, 'node_modules/@phonegraph')), ['client']);

    const example = readmeExample();
    writeFileSync(join(project, 'example.ts'), example);
    const strict = {
      strict: true,
      target: 'ES2022',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      types: [],
      skipLibCheck: false,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
    };
    writeFileSync(
      join(project, 'tsconfig.nodenext.json'),
      JSON.stringify({
        compilerOptions: { ...strict, module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' },
        files: ['example.ts'],
      }),
    );
    writeFileSync(
      join(project, 'tsconfig.bundler.json'),
      JSON.stringify({
        compilerOptions: { ...strict, module: 'ESNext', moduleResolution: 'bundler', noEmit: true },
        files: ['example.ts'],
      }),
    );
    for (const config of ['tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
      const result = await run(process.execPath, [TSC, '-p', config], { cwd: project }).catch(
        (error: { stdout: string }) => ({ stdout: `FAILED\n${error.stdout}` }),
      );
      assert.equal(result.stdout, '', `${config}: ${result.stdout}`);
    }
    // Runs the compiled example against a live phonegraph (its base URL swapped for this server's).
    const compiled = readFileSync(join(project, 'out/example.js'), 'utf8');
    assert.ok(compiled.includes("'http://127.0.0.1:8484'"));
    writeFileSync(
      join(project, 'out/example.js'),
      compiled.replace("'http://127.0.0.1:8484'", `'${pg.url}'`),
    );
    const { stdout } = await run(process.execPath, ['out/example.js'], { cwd: project });
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], 'CONNECTED GREEN');
    assert.ok(
      lines.some((line) => /^400000000000101 CONNECTED$/.test(line)),
      stdout,
    );
    assert.ok(
      lines.some((line) => line.startsWith('https://wa.me/message/')),
      stdout,
    );
  });
});
