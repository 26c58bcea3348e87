import { fileURLToPath } from 'node:url';

/** The built-in demo scenario, shipped in the package (same relative place from src/ and dist/). */
export const DEMO_SCENARIO_PATH = fileURLToPath(new URL('../../../scenarios/demo.yaml', import.meta.url));
