import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { loadScenarioFile } from '../../domain/scenario/load-scenario-file.ts';
import type { CommandIo } from '../command-io.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { byFlagName, commandPath, examples, flag, type CommandContext } from '../command-tree.ts';

interface AdminCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
}

type Values = Record<string, string | boolean | undefined>;

function str(values: Values, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

function usage(): never {
  throw new CliError('usage: phonegraph admin --help lists every admin command', EXIT.usage);
}

function exactly(positionals: readonly string[], count: number): void {
  if (positionals.length !== count) usage();
}

async function callFor(sub: string, rest: readonly string[], values: Values): Promise<AdminCall> {
  switch (sub) {
    case 'set-status': {
      exactly(rest, 2);
      const reason = str(values, 'reason');
      return {
        method: 'POST',
        path: `/phone-numbers/${rest[0]}/status`,
        body: {
          status: rest[1],
          ...(reason === undefined ? {} : { reason }),
          ...(values.force ? { force: true } : {}),
        },
      };
    }
    case 'name-review': {
      exactly(rest, 2);
      const which = str(values, 'which');
      const rejection = str(values, 'rejection-reason');
      return {
        method: 'POST',
        path: `/phone-numbers/${rest[0]}/name-review`,
        body: {
          decision: rest[1],
          ...(which === undefined ? {} : { which }),
          ...(rejection === undefined ? {} : { rejection_reason: rejection }),
        },
      };
    }
    case 'quality': {
      exactly(rest, 1);
      const score = str(values, 'score');
      const reasons = str(values, 'reasons');
      const tier = str(values, 'tier');
      if (score === undefined && tier === undefined)
        throw new CliError('give --score and/or --tier', EXIT.usage);
      return {
        method: 'POST',
        path: `/phone-numbers/${rest[0]}/quality`,
        body: {
          ...(score === undefined ? {} : { score }),
          ...(reasons === undefined ? {} : { reasons: reasons.split(',').filter((r) => r !== '') }),
          ...(tier === undefined ? {} : { messaging_limit_tier: tier }),
        },
      };
    }
    case 'otp':
      exactly(rest, 1);
      return { method: 'GET', path: `/phone-numbers/${encodeURIComponent(rest[0] ?? '')}/otp` };
    case 'reset': {
      exactly(rest, 0);
      const file = str(values, 'scenario');
      return { method: 'POST', path: '/reset', body: file === undefined ? {} : await loadScenarioFile(file) };
    }
    case 'export':
      if (rest.length > 1) usage();
      return { method: 'GET', path: '/export' };
    case 'clock': {
      const [action, value, ...extra] = rest;
      if (extra.length > 0) usage();
      if (action === 'advance' && value !== undefined)
        return { method: 'POST', path: '/clock', body: { advance: value } };
      if (action === 'set' && value !== undefined)
        return { method: 'POST', path: '/clock', body: { set: value } };
      if (action === 'real' && value === undefined)
        return { method: 'POST', path: '/clock', body: { real: true } };
      if (action === undefined) return { method: 'GET', path: '/clock' };
      return usage();
    }
    case 'faults':
      return faultsCall(rest, values);
    case 'rate-limits':
      return rateLimitsCall(rest, values);
    default:
      return usage();
  }
}

/** A numeric flag as a number; anything else is a usage error naming the flag. */
function num(values: Values, key: string): number | undefined {
  const text = str(values, key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new CliError(`--${key} must be a number`, EXIT.usage);
  return value;
}

/** Only the given entries: the admin API tells absent keys from present ones. */
function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

function faultAction(values: Values): Record<string, unknown> {
  const code = num(values, 'code');
  const delay = num(values, 'delay-ms');
  const drop = values['drop-connection'] === true;
  if ([code !== undefined, delay !== undefined, drop].filter(Boolean).length !== 1) {
    throw new CliError('give exactly one of --code, --delay-ms, --drop-connection', EXIT.usage);
  }
  if (delay !== undefined) return { delay_ms: delay };
  if (drop) return { drop_connection: true };
  return {
    graph_error: defined({
      code,
      subcode: num(values, 'subcode'),
      http_status: num(values, 'http-status'),
      message: str(values, 'message'),
    }),
  };
}

/** `admin faults add|list|delete <id>|clear` → `/__admin/faults` (docs/faults.md). */
function faultsCall(rest: readonly string[], values: Values): AdminCall {
  const [action, id, ...extra] = rest;
  if (extra.length > 0) usage();
  if (action === 'list' && id === undefined) return { method: 'GET', path: '/faults' };
  if (action === 'clear' && id === undefined) return { method: 'DELETE', path: '/faults' };
  if (action === 'delete' && id !== undefined)
    return { method: 'DELETE', path: `/faults/${encodeURIComponent(id)}` };
  if (action !== 'add' || id !== undefined) return usage();
  const match = defined({
    method: str(values, 'method'),
    path_regex: str(values, 'path-regex'),
    phone_number: str(values, 'phone-number'),
    token_app: str(values, 'token-app'),
  });
  return {
    method: 'POST',
    path: '/faults',
    body: defined({
      ...(Object.keys(match).length === 0 ? {} : { match }),
      action: faultAction(values),
      times: num(values, 'times'),
      probability: num(values, 'probability'),
    }),
  };
}

/** `admin rate-limits [set|exhaust]` → `/__admin/rate-limits` (docs/rate-limits.md). */
function rateLimitsCall(rest: readonly string[], values: Values): AdminCall {
  const [action, ...extra] = rest;
  if (extra.length > 0) usage();
  if (action === undefined) return { method: 'GET', path: '/rate-limits' };
  const app = str(values, 'app');
  const waba = str(values, 'waba');
  if (action === 'exhaust') {
    if (app === undefined || waba === undefined)
      throw new CliError('exhaust needs --app and --waba', EXIT.usage);
    return { method: 'POST', path: '/rate-limits', body: { exhaust: { app, waba } } };
  }
  if (action !== 'set') return usage();
  return {
    method: 'POST',
    path: '/rate-limits',
    body: defined({
      app,
      waba,
      per_hour: num(values, 'per-hour'),
      active_per_hour: num(values, 'active-per-hour'),
    }),
  };
}

/** One admin API call: `sub` and `rest` as typed after `phonegraph admin` (control-plane.md §2-§3). */
async function admin(sub: string, rest: readonly string[], values: Values, io: CommandIo): Promise<number> {
  const call = await callFor(sub, rest, values);
  const baseUrl = (str(values, 'base-url') ?? io.env.PHONEGRAPH_BASE_URL ?? 'http://127.0.0.1:8484').replace(
    /\/+$/,
    '',
  );
  const token = str(values, 'admin-token') ?? io.env.PHONEGRAPH_ADMIN_TOKEN;
  const headers: Record<string, string> = {};
  if (token !== undefined && token !== '') headers.authorization = `Bearer ${token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await io.fetch(`${baseUrl}/__admin${call.path}`, {
      method: call.method,
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new CliError(`cannot reach ${baseUrl}${cause === undefined ? '' : ` (${cause})`}`, EXIT.network);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string; code?: string; allowed?: string[] } };
      const error = parsed.error;
      if (error?.message !== undefined) {
        message = `${error.message} (${error.code ?? response.status})`;
        if (error.allowed !== undefined) message += `; allowed: ${error.allowed.join(', ') || 'none'}`;
      }
    } catch {
      // Not JSON: the status is all there is to say.
    }
    throw new CliError(message, EXIT.adminError);
  }
  const file = sub === 'export' ? rest[0] : undefined;
  if (file !== undefined) {
    await writeFile(file, text);
    io.stdout(`exported to ${file}\n`);
  } else {
    io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }
  return EXIT.ok;
}

/** The options every admin command takes. */
function withConnection(command: Command): Command {
  return command
    .addOption(
      flag('--base-url <url>', 'phonegraph server', {
        default: 'http://127.0.0.1:8484',
        env: 'PHONEGRAPH_BASE_URL',
      }),
    )
    .addOption(
      flag('--admin-token <token>', 'sent as Authorization: Bearer TOKEN', { env: 'PHONEGRAPH_ADMIN_TOKEN' }),
    );
}

/**
 * An admin command whose action is the call its words name: `admin faults add …` runs
 * `callFor('faults', ['add', …operands])`.
 */
function adminLeaf(
  ctx: CommandContext,
  spec: string,
  description: string,
  example: readonly string[],
): Command {
  const [name = '', ...args] = spec.split(' ');
  const command = withConnection(new Command(name).description(description));
  for (const arg of args) command.argument(arg);
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const words = commandPath(self).split(' ').slice(2);
    const operands = self.processedArgs.filter((value): value is string => typeof value === 'string');
    const [sub = '', ...rest] = [...words, ...operands];
    ctx.exit(await admin(sub, rest, byFlagName(self.opts()), ctx.io));
  });
  return examples(command, example);
}

function faultsCommand(ctx: CommandContext): Command {
  const add = adminLeaf(ctx, 'add', 'add a fault rule: a Graph error, a delay or a dropped connection', [
    'phonegraph admin faults add --code 2 --phone-number 400000000000101 --times 2',
    'phonegraph admin faults add --delay-ms 3000 --path-regex "/phone_numbers$" --probability 0.5',
  ])
    .addOption(flag('--code <n>', 'answer this Graph error code'))
    .addOption(flag('--subcode <n>', 'error_subcode of the Graph error'))
    .addOption(flag('--http-status <n>', 'HTTP status of the Graph error (default: from the catalogue)'))
    .addOption(flag('--message <text>', 'message of the Graph error'))
    .addOption(flag('--delay-ms <n>', 'delay the answer instead'))
    .addOption(flag('--drop-connection', 'drop the connection instead'))
    .addOption(flag('--method <method>', 'match only this HTTP method'))
    .addOption(flag('--path-regex <regex>', 'match only paths matching this regular expression'))
    .addOption(flag('--phone-number <id>', 'match only calls about this phone number'))
    .addOption(flag('--token-app <id>', "match only calls with this app's tokens"))
    .addOption(flag('--times <n>', 'apply this many times, then stop (default: always)'))
    .addOption(flag('--probability <p>', 'apply with this probability, 0-1 (seeded by the scenario)'));
  return new Command('faults')
    .description('make Graph calls fail on demand (docs/faults.md)')
    .addCommand(add)
    .addCommand(adminLeaf(ctx, 'list', 'list the fault rules', ['phonegraph admin faults list']))
    .addCommand(adminLeaf(ctx, 'delete <id>', 'delete one fault rule', ['phonegraph admin faults delete 1']))
    .addCommand(adminLeaf(ctx, 'clear', 'delete every fault rule', ['phonegraph admin faults clear']));
}

function clockCommand(ctx: CommandContext): Command {
  const clock = adminLeaf(ctx, 'clock', "show the server's clock, or move it with a subcommand", [
    'phonegraph admin clock',
    'phonegraph admin clock advance 2h',
  ]);
  return clock
    .addCommand(
      adminLeaf(ctx, 'advance <duration>', 'move the clock forward', ['phonegraph admin clock advance 90m']),
    )
    .addCommand(
      adminLeaf(ctx, 'set <iso-time>', 'set the clock', ['phonegraph admin clock set 2026-01-01T00:00:00Z']),
    )
    .addCommand(adminLeaf(ctx, 'real', 'follow the real time again', ['phonegraph admin clock real']));
}

function rateLimitsCommand(ctx: CommandContext): Command {
  const limits = adminLeaf(
    ctx,
    'rate-limits',
    'show rate-limit usage per key, or change limits (docs/rate-limits.md)',
    ['phonegraph admin rate-limits'],
  );
  const set = adminLeaf(ctx, 'set', 'set the hourly limits of an app, a WABA or an app-WABA pair', [
    'phonegraph admin rate-limits set --waba 3000000000000001 --per-hour 5 --active-per-hour 5',
  ])
    .addOption(flag('--app <id>', 'the app'))
    .addOption(flag('--waba <id>', 'the WABA'))
    .addOption(flag('--per-hour <n>', 'calls per hour'))
    .addOption(flag('--active-per-hour <n>', 'calls per hour while the number is active'));
  const exhaust = adminLeaf(ctx, 'exhaust', 'use up the window of an app-WABA pair (next calls get 80008)', [
    'phonegraph admin rate-limits exhaust --app 1000000000000001 --waba 3000000000000001',
  ])
    .addOption(flag('--app <id>', 'the app (required)'))
    .addOption(flag('--waba <id>', 'the WABA (required)'));
  return limits.addCommand(set).addCommand(exhaust);
}

/** `phonegraph admin …`: the admin API (docs/admin.md) from the command line. */
export function adminCommand(ctx: CommandContext): Command {
  const setStatus = adminLeaf(
    ctx,
    'set-status <phone-id> <status>',
    'move a number to a status (lifecycle rules apply)',
    ['phonegraph admin set-status 400000000000101 BANNED --reason spam'],
  )
    .addOption(flag('--reason <text>', 'reason recorded with the change'))
    .addOption(flag('--force', 'skip the transition rules'));
  const nameReview = adminLeaf(
    ctx,
    'name-review <phone-id> <decision>',
    'decide a display-name review: APPROVED, REJECTED or DEFERRED',
    ['phonegraph admin name-review 400000000000101 APPROVED'],
  )
    .addOption(flag('--which <name>', 'current or new', { default: 'the pending one' }))
    .addOption(flag('--rejection-reason <reason>', 'with REJECTED'));
  const quality = adminLeaf(
    ctx,
    'quality <phone-id>',
    'set the quality score and/or the messaging limit tier',
    ['phonegraph admin quality 400000000000101 --score RED --reasons "Low quality" --tier TIER_250'],
  )
    .addOption(flag('--score <score>', 'GREEN, YELLOW, RED or UNKNOWN'))
    .addOption(flag('--reasons <list>', 'comma-separated quality reasons'))
    .addOption(flag('--tier <tier>', 'messaging limit tier, e.g. TIER_1K'));
  const reset = adminLeaf(ctx, 'reset', 'replace the state with the start scenario, or with a file', [
    'phonegraph admin reset --scenario state.json',
  ]).addOption(flag('--scenario <file>', 'scenario file (validated locally first)'));
  return new Command('admin')
    .description('the admin API (docs/admin.md): lifecycle, clock, faults, rate limits, state')
    .addCommand(setStatus)
    .addCommand(nameReview)
    .addCommand(quality)
    .addCommand(
      adminLeaf(ctx, 'otp <phone-id>', 'show the last code request_code issued', [
        'phonegraph admin otp 400000000000101',
      ]),
    )
    .addCommand(reset)
    .addCommand(
      adminLeaf(ctx, 'export [file]', 'write the state as a scenario, to FILE or stdout', [
        'phonegraph admin export state.json',
      ]),
    )
    .addCommand(clockCommand(ctx))
    .addCommand(faultsCommand(ctx))
    .addCommand(rateLimitsCommand(ctx));
}
