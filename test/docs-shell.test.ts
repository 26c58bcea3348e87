// The shell examples of the docs that are meant to work as shown: every ```sh block preceded by the
// line `<!-- doc-test: run -->` in README.md and docs/admin.md runs, command by command, against a real
// `phonegraph serve` with the demo scenario on a free port. Where the block shows an answer under a
// command, the answer must be exactly that, with fbtrace ids, OTP codes and times normalized; a command
// shown without an answer must succeed and not answer an error. Runs the compiled bin (`npm test`
// builds it first).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/phonegraph.js', import.meta.url));
const PAGES = ['README.md', 'docs/admin.md'];
const MARKER = '<!-- doc-test: run -->';
const DOC_BASE = 'http://127.0.0.1:8484';

interface Step {
  readonly command: string;
  readonly expected: string | undefined;
}

interface Block {
  readonly where: string;
  readonly steps: readonly Step[];
}

/** The marked ```sh blocks of a page, split into commands (`$ ` optional, `\` continues) and answers. */
function markedBlocks(page: string): Block[] {
  const lines = readFileSync(ROOT + page, 'utf8').split('\n');
  const blocks: Block[] = [];
  lines.forEach((line, index) => {
    if (line.trim() !== MARKER || lines[index + 1]?.trim() !== '```sh') return;
    const steps: { command: string; expected: string[] }[] = [];
    let continued = false;
    for (let i = index + 2; i < lines.length && lines[i]?.trim() !== '```'; i++) {
      const text = lines[i] ?? '';
      if (continued) {
        const last = steps[steps.length - 1] as { command: string };
        last.command += '\n' + text;
        continued = text.endsWith('\\');
      } else if (/^(\$ )?curl /.test(text)) {
        steps.push({ command: text.replace(/^\$ /, ''), expected: [] });
        continued = text.endsWith('\\');
      } else if (text.trim() !== '') {
        steps[steps.length - 1]?.expected.push(text);
      }
    }
    blocks.push({
      where: `${page}:${index + 2}`,
      steps: steps.map((s) => ({
        command: s.command,
        expected: s.expected.length === 0 ? undefined : s.expected.join('\n'),
      })),
    });
  });
  return blocks;
}

/** Values that differ on every run. */
function normalize(text: string): string {
  return text
    .replace(/"fbtrace_id":"[^"]*"/g, '"fbtrace_id":"…"')
    .replace(/"code":"\d{6}"/g, '"code":"…"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '…');
}

let server: ChildProcessWithoutNullStreams | undefined;
let base = '';
const dir = mkdtempSync(tmpdir() + '/pg-docs-');

before(async () => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('PHONEGRAPH_')),
  );
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', `${dir}/docs.db`], {
    cwd: dir,
    env,
  });
  server = child;
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /^phonegraph listening on (http:\/\/\S+)\n/.exec(out);
      if (match?.[1] !== undefined && out.includes('\ntry: ')) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
});

after(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

for (const page of PAGES) {
  describe(`shell examples of ${page}`, () => {
    const blocks = markedBlocks(page);
    test('has marked blocks', () => assert.ok(blocks.length > 0));
    for (const block of blocks) {
      test(`answers as shown at ${block.where}`, { timeout: 120_000 }, () => {
        for (const step of block.steps) {
          const command = step.command.replaceAll(DOC_BASE, base);
          const run = spawnSync('bash', ['-c', command], {
            cwd: dir,
            encoding: 'utf8',
            env: { ...process.env, A: `${base}/__admin`, J: 'content-type: application/json' },
          });
          assert.equal(run.status, 0, `${command}\n${run.stderr}`);
          const answer = run.stdout.trimEnd();
          if (step.expected === undefined) {
            assert.doesNotMatch(answer, /^\{"error"/, command);
          } else {
            const shown = step.expected.replaceAll(DOC_BASE, base);
            assert.equal(normalize(answer), normalize(shown), command);
          }
        }
      });
    }
  });
}
