import { Command } from 'commander';
import { byFlagName, examples, flag, type CommandContext } from '../command-tree.ts';
import { envName } from '../flags.ts';
import { DEFAULT_CACHE_MB } from '../../store/cache-budget.ts';
import type { ServeFlagName } from './serve-run.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `phonegraph serve`: every flag reads `PHONEGRAPH_<FLAG>` too (flag, then env var, then default). */
export function serveCommand(ctx: CommandContext): Command {
  const env = (name: ServeFlagName): string => envName(name);
  const command = new Command('serve')
    .description('run a phonegraph server (Graph API, admin API, webhooks) until SIGINT/SIGTERM')
    .addOption(flag('--host <address>', 'address to bind', { default: '127.0.0.1', env: env('host') }))
    .addOption(flag('--port <port>', '0-65535; 0 picks a free port', { default: '8484', env: env('port') }))
    .addOption(
      flag('--db <path>', 'SQLite file (created if missing), or :memory:', {
        default: './phonegraph.db',
        env: env('db'),
      }),
    )
    .addOption(
      flag('--scenario <file>', 'scenario file to load (docs/scenarios.md)', { env: env('scenario') }),
    )
    .addOption(flag('--reset', "replace the database's state at start", { env: `${env('reset')}=1|true` }))
    .addOption(
      flag('--admin-token <token>', 'require Authorization: Bearer TOKEN on /__admin/', {
        env: env('admin-token'),
      }),
    )
    .addOption(
      flag('--redis <url>', 'keep rate-limit windows in Redis (redis://host:port)', { env: env('redis') }),
    )
    .addOption(
      flag('--public-url <url>', 'base URL of paging links and QR image URLs (else http://{Host})', {
        env: env('public-url'),
      }),
    )
    .addOption(flag('--log-level <level>', LOG_LEVELS.join(', '), { default: 'info', env: env('log-level') }))
    .addOption(
      flag('--webhook-retry-window <duration>', 'how long an undelivered webhook event is retried', {
        default: '24h',
        env: env('webhook-retry-window'),
      }),
    )
    .addOption(
      flag(
        '--intercept <port>',
        'also listen on 127.0.0.1:PORT as an HTTPS proxy serving graph.facebook.com (docs/clients.md)',
        { env: env('intercept') },
      ),
    )
    .addOption(
      flag('--journal-size <n>', 'how many recent Graph requests GET /__admin/requests keeps', {
        default: '1000',
        env: env('journal-size'),
      }),
    )
    .addOption(
      flag('--cache-mb <n>', 'MiB of records and rendered bodies kept in memory, 1-65536', {
        default: String(DEFAULT_CACHE_MB),
        env: env('cache-mb'),
      }),
    )
    .addOption(
      flag('--postgres <url>', 'keep state in this PostgreSQL database instead of --db (postgres://…)', {
        env: env('postgres'),
      }),
    )
    .action(async (options: Record<string, unknown>) => {
      // Loaded on use: the server's modules (Fastify, SQLite, PostgreSQL, Redis) would slow every other command down.
      const { serve } = await import('./serve-run.ts');
      ctx.exit(await serve(byFlagName(options), ctx.io));
    });
  return examples(command, [
    'phonegraph serve',
    'phonegraph serve --port 0 --db :memory: --scenario my-scenario.yaml',
    'PHONEGRAPH_PORT=9000 PHONEGRAPH_LOG_LEVEL=warn phonegraph serve --db ./state.db',
    'phonegraph serve --postgres postgres://phonegraph@127.0.0.1:5432/phonegraph',
  ]);
}
