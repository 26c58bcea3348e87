import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ScenarioDocument } from '../../contract/scenario.ts';
import { ScenarioError, validateScenario } from './validate-scenario.ts';

type Syntax = 'json' | 'yaml' | 'guess';

function syntaxOf(file: string): Syntax {
  const extension = extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return 'guess';
}

/** Parser messages run over several lines with a source excerpt; the error line keeps just the first. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').replace(/:$/, '').trim();
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScenarioError(file, '$', `valid JSON (${firstLine(error)})`);
  }
}

function parseYamlText(text: string, file: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new ScenarioError(file, '$', `valid YAML (${firstLine(error)})`);
  }
}

function parseBySyntax(text: string, file: string, syntax: Syntax): unknown {
  if (syntax === 'json') return parseJson(text, file);
  if (syntax === 'yaml') return parseYamlText(text, file);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // YAML is nearly a superset of JSON, so its error is the more useful one for an unknown extension.
    return parseYamlText(text, file);
  }
}

/** Parses and validates scenario text; `file` names the source in errors and picks the syntax by extension. */
export function parseScenarioText(text: string, file: string): ScenarioDocument {
  // Editors on Windows save a byte-order mark that JSON.parse rejects.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return validateScenario(parseBySyntax(body, file, syntaxOf(file)), file);
}

export async function loadScenarioFile(path: string): Promise<ScenarioDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, '$', `a readable file (${firstLine(error)})`);
  }
  return parseScenarioText(text, path);
}
