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
} as const;

interface AdminCall {
  readonly method: 'GET' | 'POST';
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
    default:
      return usage();
  }
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
