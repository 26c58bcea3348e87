/** The one exit-code table of the CLI (control-plane.md §2), documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  /** What was asked failed: a certificate did not verify, the server could not start. */
  failed: 1,
  /** Bad flags or arguments, an invalid scenario, a refusal to overwrite a database. */
  usage: 2,
  /** The server answered with a Graph error envelope. */
  graphError: 3,
  /** The server could not be reached. */
  network: 4,
  /** The admin API answered with an error (invalid transition, unknown number, refused). */
  adminError: 5,
} as const;

/** An expected failure: printed as one `error: …` line on stderr, then the process exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
