import { writeFile } from 'node:fs/promises';
import { loadScenarioFile } from '../../domain/scenario/load-scenario-file.ts';
import type { CommandIo } from '../command-io.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { parseFlags } from '../flags.ts';

export const ADMIN_USAGE = `phonegraph admin set-status <phone-id> <STATUS> [--reason R] [--force]
  phonegraph admin name-review <phone-id> <APPROVED|REJECTED|DEFERRED> [--which current|new] [--rejection-reason R]
  phonegraph admin quality <phone-id> [--score GREEN|YELLOW|RED|UNKNOWN] [--reasons a,b] [--tier TIER_1K]
  phonegraph admin otp <phone-id>
  phonegraph admin reset [--scenario FILE] | export [FILE] | clock advance 2h | clock set ISO | clock real
  phonegraph admin faults add (--code N [--subcode S] [--http-status H] [--message M] | --delay-ms N | --drop-connection)
      [--method M] [--path-regex R] [--phone-number ID] [--token-app ID] [--times N] [--probability P]
  phonegraph admin faults list | delete <id> | clear
  phonegraph admin rate-limits | set [--app ID] [--waba ID] [--per-hour N] [--active-per-hour N] | exhaust --app ID --waba ID
  (every admin command: [--base-url http://127.0.0.1:8484] [--admin-token T | PHONEGRAPH_ADMIN_TOKEN])`;

const ADMIN_OPTIONS = {
  'base-url': { type: 'string' },
  'admin-token': { type: 'string' },
  reason: { type: 'string' },
  force: { type: 'boolean' },
  which: { type: 'string' },
  'rejection-reason': { type: 'string' },
  score: { type: 'string' },
  reasons: { type: 'string' },
  tier: { type: 'string' },
  scenario: { type: 'string' },
  // faults
  code: { type: 'string' },
  subcode: { type: 'string' },
  'http-status': { type: 'string' },
  message: { type: 'string' },
  'delay-ms': { type: 'string' },
  'drop-connection': { type: 'boolean' },
  method: { type: 'string' },
  'path-regex': { type: 'string' },
  'phone-number': { type: 'string' },
  'token-app': { type: 'string' },
  times: { type: 'string' },
  probability: { type: 'string' },
  // rate limits
  app: { type: 'string' },
  waba: { type: 'string' },
  'per-hour': { type: 'string' },
  'active-per-hour': { type: 'string' },
} as const;

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
  throw new CliError(
    `usage: ${ADMIN_USAGE.split('\n')[0] ?? ''} (phonegraph help lists every admin command)`,
    EXIT.usage,
  );
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

/** `phonegraph admin …`: the admin API from the command line (control-plane.md §2-§3). */
export async function adminCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags(args, ADMIN_OPTIONS, io.env, false);
  const [sub, ...rest] = positionals;
  if (sub === undefined) usage();
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
