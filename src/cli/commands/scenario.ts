import { Command } from 'commander';
import { SCENARIO_JSON_SCHEMA } from '../../domain/scenario/scenario-schema.ts';
import { loadScenarioFile } from '../../domain/scenario/load-scenario-file.ts';
import { examples, type CommandContext } from '../command-tree.ts';
import { EXIT } from '../exit-codes.ts';

/** `phonegraph scenario schema|validate`: the JSON Schema of scenario files, or a check of one file. */
export function scenarioCommand(ctx: CommandContext): Command {
  const schema = new Command('schema')
    .description('print the JSON Schema (draft 2020-12) of scenario files')
    .action(() => {
      ctx.io.stdout(`${JSON.stringify(SCENARIO_JSON_SCHEMA, null, 2)}\n`);
      ctx.exit(EXIT.ok);
    });
  examples(schema, ['phonegraph scenario schema > scenario.schema.json']);
  const validate = new Command('validate')
    .description('parse and fully check a scenario file (exit 2 naming the path of the first problem)')
    .argument('<file>', 'a scenario file (YAML or JSON)')
    .action(async (file: string) => {
      await loadScenarioFile(file);
      ctx.io.stdout(`${file}: valid\n`);
      ctx.exit(EXIT.ok);
    });
  examples(validate, ['phonegraph scenario validate scenarios/demo.yaml']);
  return new Command('scenario')
    .description('scenario files: print their JSON Schema, or validate one')
    .addCommand(schema)
    .addCommand(validate);
}
