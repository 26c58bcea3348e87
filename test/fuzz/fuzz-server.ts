// The server a fuzz run attacks, as its own process (so a crash or its memory is seen from outside):
// an in-memory SQLite store with the Graph fixture, on a free loopback port. Prints `listening URL`.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { startServer } from '../../src/server/start.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { GRAPH_SCENARIO, loadScenarioText } from '../helpers/graph-app.ts';

const store = new SqliteStore({ path: ':memory:' });
// The fixture's clock: tokens expire relative to real time, which is fine for fuzzing.
await loadScenarioText(store, readFileSync(GRAPH_SCENARIO, 'utf8'));
const server = await startServer({
  store,
  host: '127.0.0.1',
  port: 0,
  // Errors and warnings go to stderr as JSON; the runner counts them.
  logger: pino({ level: 'warn' }, pino.destination({ dest: 2, sync: false })),
});
process.stdout.write(`listening ${server.url}\n`);
process.once('SIGTERM', () => {
  void server.close(2000).then(() => process.exit(0));
});
