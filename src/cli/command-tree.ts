import { Command, Option } from 'commander';
import type { CommandIo } from './command-io.ts';

/** Where a command's action leaves its exit code (commander actions return nothing useful). */
export type ExitSink = (code: number) => void;

/** What each command module receives to build its commands. */
export interface CommandContext {
  readonly io: CommandIo;
  readonly exit: ExitSink;
}

interface FlagHelp {
  /** Shown as `default: …`; applied by the command, not by commander (so the env var can come between). */
  readonly default?: string;
  /** The env var the flag falls back to, shown as `env: …`. */
  readonly env?: string;
}

/** An option whose help line ends with `(default: …, env: PHONEGRAPH_…)`. */
export function flag(flags: string, description: string, help: FlagHelp = {}): Option {
  const notes = [
    ...(help.default === undefined ? [] : [`default: ${help.default}`]),
    ...(help.env === undefined ? [] : [`env: ${help.env}`]),
  ];
  return new Option(flags, notes.length === 0 ? description : `${description} (${notes.join(', ')})`);
}

/** Appends an `Example(s):` block to a command's help. */
export function examples(command: Command, lines: readonly string[]): Command {
  const title = lines.length === 1 ? 'Example' : 'Examples';
  return command.addHelpText('after', `\n${title}:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`);
}

/** `phonegraph admin faults` for the `faults` command. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

const USAGE_ERRORS = /^error: (unknown command|missing required argument|too many arguments)/;

/**
 * Commander's error text, made to point somewhere useful: an unknown top-level command keeps the wording
 * of docs/cli.md; argument errors of a subcommand name its usage. "Did you mean" lines stay as they are.
 */
function explain(command: Command, text: string): string {
  const [first = '', ...rest] = text.split('\n');
  let line = first;
  if (command.parent === null) {
    line = line.replace(
      /^error: unknown command '(.*)'$/,
      'error: unknown command $1 (phonegraph help lists them)',
    );
  } else if (USAGE_ERRORS.test(line)) {
    line = `${line} (usage: ${commandPath(command)} ${command.usage()})`;
  }
  return [line, ...rest].join('\n');
}

/**
 * Every command of the tree: throws instead of exiting (main maps errors to exit codes), writes to the
 * command's io (help on stdout, errors on stderr) and shows help after `-h`/`--help`.
 */
export function configureTree(command: Command, io: CommandIo): void {
  command
    // Options after a subcommand's name are that subcommand's (`admin clock advance 2h --base-url U`).
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(true)
    .helpOption('-h, --help', 'show this help')
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(explain(command, text)),
    });
  for (const sub of command.commands) configureTree(sub, io);
}

/** Options as commander parsed them (camelCase keys), back under their flag names (`base-url`). */
export function byFlagName(options: Record<string, unknown>): Record<string, string | boolean | undefined> {
  const values: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== 'string' && typeof value !== 'boolean') continue;
    values[key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)] = value;
  }
  return values;
}
