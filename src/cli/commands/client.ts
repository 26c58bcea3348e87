import {
  ConnectionError,
  GraphClient,
  GraphError,
  highestUsage,
  regainAccessMs,
  type Page,
  type PhoneNumberFieldName,
  type QrImageFormat,
  type RetryInfo,
} from '@phonegraph/client';
import { Command } from 'commander';
import { PHONE_NUMBER_FIELDS, type PhoneNumberFields } from '../../contract/phone-number.ts';
import { parseDuration } from '../../domain/duration.ts';
import type { CommandIo } from '../command-io.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { byFlagName, commandPath, examples, flag, type CommandContext } from '../command-tree.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

interface Context {
  readonly client: GraphClient;
  readonly values: Values;
  readonly positionals: string[];
  readonly io: CommandIo;
  readonly json: boolean;
  /** Prints the retry note for the SDK calls made so far (watch: after each poll). */
  readonly flushRetries: () => void;
}

function str(values: Values, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

function usage(command: string): never {
  throw new CliError(`usage: see phonegraph ${command} --help`, EXIT.usage);
}

function printJson(io: CommandIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

/** Left-aligned columns, two spaces apart. */
function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

const KNOWN_FIELDS = new Set<string>(PHONE_NUMBER_FIELDS.map((f) => f.name));

function fieldList(text: string): PhoneNumberFieldName[] {
  const fields = text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  for (const field of fields)
    if (!KNOWN_FIELDS.has(field)) throw new CliError(`unknown phone-number field ${field}`, EXIT.usage);
  return fields as PhoneNumberFieldName[];
}

function show(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

const STATUS_FIELDS = [
  'display_phone_number',
  'verified_name',
  'status',
  'name_status',
  'quality_score',
  'messaging_limit_tier',
  'health_status',
] as const;

async function status(ctx: Context): Promise<number> {
  const [id, ...rest] = ctx.positionals;
  if (id === undefined || rest.length > 0) usage('status');
  const fieldsText = str(ctx.values, 'fields');
  if (fieldsText !== undefined) {
    const number = await ctx.client.phoneNumbers.retrieve(id, { fields: fieldList(fieldsText) });
    if (ctx.json) printJson(ctx.io, number);
    else ctx.io.stdout(table(Object.entries(number).map(([key, value]) => [`${key}:`, show(value)])));
    return EXIT.ok;
  }
  const n = await ctx.client.phoneNumbers.retrieve(id, { fields: STATUS_FIELDS });
  if (ctx.json) {
    printJson(ctx.io, n);
    return EXIT.ok;
  }
  const blocked = n.health_status.entities
    .filter((e) => e.can_send_message !== 'AVAILABLE')
    .map(
      (e) =>
        `${e.entity_type} ${e.can_send_message}${e.errors?.[0] ? `: ${e.errors[0].error_description}` : ''}`,
    );
  const reasons = n.quality_score.reasons.length > 0 ? ` (${n.quality_score.reasons.join(', ')})` : '';
  ctx.io.stdout(
    `${n.display_phone_number}  ${n.verified_name}  (id ${n.id})\n` +
      table([
        ['status:', n.status],
        ['name:', `${n.verified_name} (${n.name_status})`],
        ['quality:', `${n.quality_score.score}${reasons}`],
        ['limit:', n.messaging_limit_tier],
        ['health:', [n.health_status.can_send_message, ...blocked].join('; ')],
      ]),
  );
  return EXIT.ok;
}

const NUMBER_FIELDS = [
  'display_phone_number',
  'verified_name',
  'status',
  'quality_rating',
  'messaging_limit_tier',
] as const;

function filtering(
  values: Values,
): { field: string; operator: 'EQUAL'; value: string | boolean }[] | undefined {
  const raw = values.filter;
  const items = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).flatMap((f) =>
    f.split(','),
  );
  if (items.length === 0) return undefined;
  return items.map((item) => {
    const at = item.indexOf('=');
    if (at <= 0) throw new CliError(`--filter takes field=VALUE, got ${item}`, EXIT.usage);
    const field = item.slice(0, at);
    const value = item.slice(at + 1);
    return {
      field,
      operator: 'EQUAL',
      value: field === 'is_official_business_account' ? value === 'true' : value,
    };
  });
}

async function numbers(ctx: Context): Promise<number> {
  const [wabaId, ...rest] = ctx.positionals;
  if (wabaId === undefined || rest.length > 0) usage('numbers');
  const filter = filtering(ctx.values);
  const list = [];
  for await (const n of ctx.client.wabas.phoneNumbers.list(wabaId, {
    fields: NUMBER_FIELDS,
    limit: 100,
    ...(filter === undefined ? {} : { filtering: filter as never }),
  }))
    list.push(n);
  if (ctx.json) {
    printJson(ctx.io, list);
    return EXIT.ok;
  }
  ctx.io.stdout(
    table([
      ['ID', 'NUMBER', 'NAME', 'STATUS', 'QUALITY', 'LIMIT'],
      ...list.map((n) => [
        n.id,
        n.display_phone_number,
        n.verified_name,
        n.status,
        n.quality_rating,
        n.messaging_limit_tier,
      ]),
    ]),
  );
  return EXIT.ok;
}

const WATCHED = [
  'display_phone_number',
  'verified_name',
  'status',
  'name_status',
  'quality_rating',
  'messaging_limit_tier',
] as const;
type Watched = Pick<PhoneNumberFields, (typeof WATCHED)[number] | 'id'>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One full read of the WABA's numbers, and the highest usage and wait the headers announced. */
async function snapshot(
  client: GraphClient,
  wabaId: string,
): Promise<{ numbers: Watched[]; usage: number; waitMs: number }> {
  const numbers: Watched[] = [];
  let usage = 0;
  let waitMs = 0;
  let after: string | undefined;
  for (;;) {
    const page = await client.get<Page<Watched>>(`${wabaId}/phone_numbers`, {
      fields: WATCHED.join(','),
      limit: 100,
      ...(after === undefined ? {} : { after }),
    });
    numbers.push(...page.data.data);
    usage = Math.max(usage, highestUsage(page.usage));
    waitMs = Math.max(waitMs, regainAccessMs(page.usage));
    after = page.data.paging?.cursors?.after;
    if (page.data.paging?.next === undefined || after === undefined || page.data.data.length === 0) break;
  }
  return { numbers, usage, waitMs };
}

async function watch(ctx: Context): Promise<number> {
  const [wabaId, ...rest] = ctx.positionals;
  if (wabaId === undefined || rest.length > 0) usage('watch');
  const intervalText = str(ctx.values, 'interval') ?? '30s';
  const intervalMs = parseDuration(intervalText);
  if (intervalMs === undefined || intervalMs <= 0)
    throw new CliError(`--interval takes a duration like 30s, got ${intervalText}`, EXIT.usage);
  const countText = str(ctx.values, 'count');
  const count = countText === undefined ? Infinity : Number(countText);
  if (!(count > 0) || (countText !== undefined && !Number.isSafeInteger(count)))
    throw new CliError(`--count takes a positive integer, got ${countText}`, EXIT.usage);
  const emit = (id: string, number: string, field: string, from: unknown, to: unknown): void => {
    const time = new Date().toISOString();
    if (ctx.json) printJson(ctx.io, { time, id, display_phone_number: number, field, from, to });
    else ctx.io.stdout(`${time}  ${id}  ${number}  ${field}  ${show(from)} -> ${show(to)}\n`);
  };
  let first = await snapshot(ctx.client, wabaId);
  ctx.flushRetries();
  const known = new Map(first.numbers.map((n) => [n.id, n]));
  if (!ctx.json) ctx.io.stdout(`watching ${known.size} numbers of WABA ${wabaId} every ${intervalText}\n`);
  else printJson(ctx.io, { time: new Date().toISOString(), watching: first.numbers });
  let changes = 0;
  for (;;) {
    // Stay inside the BUC budget: past 75 % of any budget slow down, and honour an announced wait.
    const backoff = first.waitMs > 0 ? first.waitMs : first.usage >= 75 ? intervalMs * 4 : intervalMs;
    await sleep(backoff);
    const next = await snapshot(ctx.client, wabaId);
    ctx.flushRetries();
    for (const n of next.numbers) {
      const before = known.get(n.id);
      if (before === undefined) {
        emit(n.id, n.display_phone_number, 'added', null, n.status);
        changes++;
      } else {
        for (const field of WATCHED) {
          if (show(before[field]) === show(n[field])) continue;
          emit(n.id, n.display_phone_number, field, before[field], n[field]);
          changes++;
        }
      }
      known.set(n.id, n);
    }
    const seen = new Set(next.numbers.map((n) => n.id));
    for (const [id, n] of known)
      if (!seen.has(id)) {
        emit(id, n.display_phone_number, 'removed', n.status, null);
        known.delete(id);
        changes++;
      }
    if (changes >= count) return EXIT.ok;
    first = next;
  }
}

async function qr(ctx: Context): Promise<number> {
  const [sub, phoneId, ...rest] = ctx.positionals;
  if (phoneId === undefined) usage('qr');
  switch (sub) {
    case 'create': {
      const message = str(ctx.values, 'message');
      if (message === undefined || rest.length > 0) usage('qr');
      const image = str(ctx.values, 'image')?.toUpperCase();
      if (image !== undefined && image !== 'PNG' && image !== 'SVG')
        throw new CliError('--image takes png or svg', EXIT.usage);
      const created = await ctx.client.qrCodes.create(phoneId, {
        prefilled_message: message,
        ...(image === undefined ? {} : { generate_qr_image: image as QrImageFormat }),
      });
      if (ctx.json) printJson(ctx.io, created);
      else
        ctx.io.stdout(
          `${created.code}  ${created.deep_link_url}${created.qr_image_url ? `  ${created.qr_image_url}` : ''}\n`,
        );
      return EXIT.ok;
    }
    case 'list': {
      if (rest.length > 0) usage('qr');
      const codes = [];
      for await (const code of ctx.client.qrCodes.list(phoneId, { limit: 100 })) codes.push(code);
      if (ctx.json) printJson(ctx.io, codes);
      else
        ctx.io.stdout(
          table([
            ['CODE', 'LINK', 'MESSAGE'],
            ...codes.map((c) => [c.code, c.deep_link_url, c.prefilled_message]),
          ]),
        );
      return EXIT.ok;
    }
    case 'delete': {
      const [code, ...extra] = rest;
      if (code === undefined || extra.length > 0) usage('qr');
      const result = await ctx.client.qrCodes.delete(phoneId, code);
      if (ctx.json) printJson(ctx.io, result);
      else ctx.io.stdout(`deleted ${code}\n`);
      return EXIT.ok;
    }
    default:
      return usage('qr');
  }
}

const HANDLERS: Record<string, (ctx: Context) => Promise<number>> = { status, numbers, watch, qr };

/** `(retried 2 times: code 2)` for the retries the SDK made, or nothing. */
function retryNote(retries: readonly RetryInfo[]): string {
  if (retries.length === 0) return '';
  const causes = [
    ...new Set(
      retries.map(({ error }) =>
        error instanceof ConnectionError
          ? 'connection error'
          : error.code !== undefined
            ? `code ${error.code}${error.subcode === undefined ? '' : `/${error.subcode}`}`
            : `HTTP ${error.httpStatus ?? '?'}`,
      ),
    ),
  ];
  const times = retries.length === 1 ? '1 time' : `${retries.length} times`;
  return `(retried ${times}: ${causes.join(', ')})\n`;
}

/** The client commands: the SDK against phonegraph or graph.facebook.com; Graph errors exit 3, network 4. */
async function runClient(
  name: string,
  positionals: string[],
  values: Values,
  io: CommandIo,
): Promise<number> {
  const handler = HANDLERS[name];
  if (handler === undefined) throw new CliError(`unknown command ${name}`, EXIT.usage);
  const token = str(values, 'token') ?? io.env.PHONEGRAPH_TOKEN;
  if (token === undefined || token === '')
    throw new CliError('a token is needed: --token T or PHONEGRAPH_TOKEN', EXIT.usage);
  const retries: RetryInfo[] = [];
  const client = new GraphClient({
    accessToken: token,
    baseUrl: str(values, 'base-url') ?? io.env.PHONEGRAPH_BASE_URL ?? 'http://127.0.0.1:8484',
    fetch: io.fetch,
    ...(values.retry === false ? { maxRetries: 0 } : {}),
    onRetry: (retry) => retries.push(retry),
  });
  // The note goes out when the command ends (after each poll for watch); a command that ends unable to
  // reach the server says so in its error line alone.
  const flushRetries = (): void => {
    io.stderr(retryNote(retries));
    retries.length = 0;
  };
  try {
    const code = await handler({ client, values, positionals, io, json: values.json === true, flushRetries });
    flushRetries();
    return code;
  } catch (error) {
    if (error instanceof ConnectionError) throw new CliError(error.message, EXIT.network);
    flushRetries();
    if (error instanceof GraphError) {
      const code =
        error.code === undefined
          ? ''
          : ` (code ${error.code}${error.subcode === undefined ? '' : `/${error.subcode}`})`;
      throw new CliError(`${error.message}${code}`, EXIT.graphError);
    }
    throw error;
  }
}

interface ClientOptions {
  readonly baseUrl?: string;
  readonly token?: string;
  readonly json?: boolean;
  readonly retry: boolean;
  readonly filter?: string[];
  readonly [flag: string]: unknown;
}

/** The options every client command takes. */
function withClientOptions(command: Command): Command {
  return command
    .addOption(
      flag('--base-url <url>', 'Graph base URL: a phonegraph server or https://graph.facebook.com', {
        default: 'http://127.0.0.1:8484',
        env: 'PHONEGRAPH_BASE_URL',
      }),
    )
    .addOption(flag('--token <token>', 'access token (required)', { env: 'PHONEGRAPH_TOKEN' }))
    .addOption(flag('--json', 'machine output: the Graph objects as JSON'))
    .addOption(flag('--no-retry', 'no SDK retries: the first failure is the answer'));
}

/** A client command whose action runs HANDLERS[name] with its operands. */
function clientLeaf(
  ctx: CommandContext,
  name: string,
  spec: string,
  description: string,
  example: readonly string[],
): Command {
  const [commandName = '', ...args] = spec.split(' ');
  const command = withClientOptions(new Command(commandName).description(description));
  for (const arg of args) command.argument(arg);
  command.action(async (...params: unknown[]) => {
    const self = params.at(-1) as Command;
    const options = self.opts<ClientOptions>();
    const words = commandPath(self).split(' ').slice(2);
    const operands = self.processedArgs.filter((value): value is string => typeof value === 'string');
    const values: Values = { ...byFlagName(options), filter: options.filter };
    ctx.exit(await runClient(name, [...words, ...operands], values, ctx.io));
  });
  return examples(command, example);
}

/** `status`, `numbers`, `watch` and `qr create|list|delete`. */
export function clientCommands(ctx: CommandContext): Command[] {
  const status = clientLeaf(
    ctx,
    'status',
    'status <phone-id>',
    "a phone number's status, quality, limit and health",
    [
      'PHONEGRAPH_TOKEN=EAAG-demo-acme-connect-token phonegraph status 400000000000101',
      'phonegraph status 400000000000101 --fields status,quality_score --json --token "$TOKEN"',
    ],
  ).addOption(flag('--fields <list>', 'show these phone-number fields instead (comma-separated)'));
  const numbers = clientLeaf(
    ctx,
    'numbers',
    'numbers <waba-id>',
    "a table of a WABA's phone numbers (all pages)",
    ['phonegraph numbers 3000000000000001 --filter status=FLAGGED'],
  ).addOption(
    flag(
      '--filter <field=VALUE>',
      'keep numbers whose field equals VALUE (repeatable, or comma-separated)',
    ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
  );
  const watch = clientLeaf(ctx, 'watch', 'watch <waba-id>', "poll a WABA's numbers and print each change", [
    'phonegraph watch 3000000000000001 --interval 10s',
  ])
    .addOption(
      flag('--interval <duration>', 'time between polls (slower near the rate limit)', { default: '30s' }),
    )
    .addOption(flag('--count <n>', 'stop after N changes'));
  const create = clientLeaf(ctx, 'qr', 'create <phone-id>', 'create a QR code with a prefilled message', [
    'phonegraph qr create 400000000000101 --message "Hi" --image png',
  ])
    .addOption(flag('--message <text>', 'the prefilled message (required)'))
    .addOption(flag('--image <format>', 'also generate an image: png or svg'));
  const qr = new Command('qr')
    .description("a phone number's QR codes: create, list, delete")
    .addCommand(create)
    .addCommand(
      clientLeaf(ctx, 'qr', 'list <phone-id>', "list a phone number's QR codes", [
        'phonegraph qr list 400000000000101',
      ]),
    )
    .addCommand(
      clientLeaf(ctx, 'qr', 'delete <phone-id> <code>', 'delete a QR code', [
        'phonegraph qr delete 400000000000101 ABCDEFGHIJKL',
      ]),
    );
  return [status, numbers, watch, qr];
}
