import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Builds dist/dashboard the way `npm run build` does, so a suite run alone sees the current sources. */
export function buildDashboard(): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-dashboard.ts'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: 'pipe',
  });
}
