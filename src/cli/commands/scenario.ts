import { SCENARIO_JSON_SCHEMA } from '../../domain/scenario/scenario-schema.ts';
import { loadScenarioFile } from '../../domain/scenario/load-scenario-file.ts';
import type { CommandIo } from '../command-io.ts';
import { CliError, EXIT } from '../exit-codes.ts';

export const SCENARIO_USAGE = 'phonegraph scenario schema | phonegraph scenario validate <FILE>';

/** Prints the JSON Schema of scenario files, or validates one file. */
export async function scenarioCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const [sub, file, ...extra] = args;
  if (sub === 'schema' && file === undefined) {
    io.stdout(`${JSON.stringify(SCENARIO_JSON_SCHEMA, null, 2)}\n`);
    return EXIT.ok;
  }
  if (sub === 'validate' && file !== undefined && extra.length === 0) {
    await loadScenarioFile(file);
    io.stdout(`${file}: valid\n`);
    return EXIT.ok;
  }
  throw new CliError(`usage: ${SCENARIO_USAGE}`, EXIT.usage);
}
