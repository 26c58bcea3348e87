// The bulk load alone, without a server start: generates (or reads) a JSON scenario and streams it into a
// fresh SQLite file with the built code (`npm run build` first), as `serve --scenario F --reset` does.
// Usage: node bench/bulk-load.js --numbers 1000000 [--file S.json] [--db F] [--pending-names]
// Prints one line of JSON: numbers, seconds, CPU seconds (user, system; every thread), peak RSS (VmHWM).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { streamLoadScenarioFile } from '../dist/domain/scenario/stream-load-scenario.js';
import { SqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { generateScenario } from './scenario-generator.js';

const { values } = parseArgs({
  options: {
    numbers: { type: 'string', default: '1000000' },
    file: { type: 'string' },
    db: { type: 'string', default: path.join(tmpdir(), 'phonegraph-bulk-load.db') },
    'pending-names': { type: 'boolean', default: false },
  },
});
const numbers = Number(values.numbers);
let file = values.file;
if (file === undefined) {
  file = path.join(tmpdir(), `phonegraph-bulk-load-${numbers}.json`);
  const { document } = generateScenario({ numbers, pendingNames: values['pending-names'] });
  writeFileSync(file, JSON.stringify(document));
}
for (const suffix of ['', '-wal', '-shm']) rmSync(`${values.db}${suffix}`, { force: true });

const store = new SqliteStore({ path: values.db });
const cpuBefore = process.cpuUsage();
const started = performance.now();
const loaded = await streamLoadScenarioFile(store, file, { now: () => new Date() });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await store.close();
const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
console.log(
  JSON.stringify({
    numbers: loaded.numbers,
    seconds: Math.round(seconds * 10) / 10,
    cpuSeconds: { user: Math.round(cpu.user / 1e5) / 10, system: Math.round(cpu.system / 1e5) / 10 },
    peakRssMiB: Math.round(peakKiB / 1024),
  }),
);
