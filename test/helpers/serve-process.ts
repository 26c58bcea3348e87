import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}bin/phonegraph.js`;

/** Environment of a child without any proxy settings of the machine running the tests. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(https?|no|all)_proxy$/i.test(key) ||
      key.startsWith('PHONEGRAPH_') ||
      key === 'NODE_EXTRA_CA_CERTS'
    )
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** `phonegraph serve …` as a child process; `lines(n)` waits for the first n stdout lines. */
export class ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly #exited: Promise<number | null>;

  constructor(args: readonly string[], cwd: string) {
    this.child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd, env: childEnv(), stdio: 'pipe' });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.#exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  async lines(count: number): Promise<string[]> {
    const ready = (): string[] | undefined => {
      const complete = this.stdout.split('\n').slice(0, -1);
      return complete.length >= count ? complete : undefined;
    };
    const found = ready();
    if (found !== undefined) return found;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const lines = ready();
        if (lines === undefined) return;
        this.child.stdout.off('data', check);
        resolve(lines);
      };
      this.child.stdout.on('data', check);
      void this.#exited.then(() =>
        reject(new Error(`serve exited; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`)),
      );
    });
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.#exited;
  }
}

/** Runs a Node script as a child process and resolves with its exit code and output. */
export function runNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
