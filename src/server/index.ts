/** `phonegraph/server`: build or start a server in-process. */
export { buildApp, type BuildAppOptions, type PhonegraphApp } from './build-app.ts';
export { startServer, type RunningServer, type StartOptions } from './start.ts';
export {
  caDirFor,
  INTERCEPTED_HOST,
  type InterceptOptions,
  type RunningIntercept,
} from './intercept-proxy.ts';
export { SqliteStore } from '../store/sqlite/sqlite-store.ts';
export type { Store } from '../store/store.ts';
export { loadScenario } from '../domain/state-loader.ts';
export { loadScenarioFile, parseScenarioText } from '../domain/scenario/load-scenario-file.ts';
