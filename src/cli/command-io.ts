/** What a command may touch of its process; tests run commands as child processes regardless. */
export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  fetch: typeof fetch;
}
