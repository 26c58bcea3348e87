// What the fuzzer sends: Graph paths, methods, the `fields` grammar with mutations, tokens, bodies
// (nested, huge, malformed), batch, headers, and raw bytes Node's HTTP parser refuses.
import type { FuzzRandom } from './fuzz-random.ts';

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  /** Bytes written as they are on a fresh connection (requests the parser should refuse). */
  readonly raw?: Buffer;
  /** A Graph path (not `/__admin`, `/__qr`, `/__dashboard`): answered by a Graph envelope or a success. */
  readonly graph: boolean;
}

const NUMBERS = [
  '410000000000001',
  '410000000000002',
  '410000000000003',
  '410000000000004',
  '410000000000005',
];
const WABAS = ['3100000000000001', '3100000000000002', '3100000000000003'];
const TOKENS = ['T-ALL', 'T-MGMT', 'T-MSG', 'T-NONE', 'T-W1', 'T-EXPIRED', 'T-REVOKED', 'T-PROOF'];
const VERSIONS = ['v21.0', 'v14.0', 'v26.0', 'v12.0', 'v99.0', 'v1', 'vX', ''];
const EDGES = [
  '',
  '',
  '',
  'phone_numbers',
  'message_qrdls',
  'message_qrdls/CCCCCCCCCCCCC1',
  'register',
  'deregister',
  'request_code',
  'verify_code',
  'subscribed_apps',
  'nope',
  'a/b/c',
];
const FIELD_WORDS = [
  'id',
  'status',
  'display_phone_number',
  'verified_name',
  'quality_score',
  'quality_score{score,date}',
  'name_status',
  'throughput{level}',
  'throughput',
  'health_status',
  'code_verification_status',
  'messaging_limit_tier',
  'platform_type',
  'phone_numbers{id,status}',
  'phone_numbers.limit(1){id}',
  'certificate',
  'nonexisting',
  'webhook_configuration',
];
const FIELD_NOISE = '{}(),.:;"\'[]<>\\/ %&=+-_*#@!?~`|^0123456789abcXYZ\u00e9\u4e2d';
const METHODS = [
  'GET',
  'GET',
  'GET',
  'GET',
  'POST',
  'POST',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'PUT',
  'PATCH',
  'SEARCH',
  'COPY',
  'PROPFIND',
];
const PARAMS = [
  'pretty',
  'suppress_http_code',
  'debug',
  'method',
  'limit',
  'after',
  'before',
  'callback',
  'include_headers',
  'summary',
  'sort',
  'pin',
  'code',
  'code_method',
  'language',
  'messaging_product',
  'prefilled_message',
  'generate_qr_image',
  'appsecret_proof',
  'batch',
];

function fields(random: FuzzRandom): string {
  const count = 1 + random.int(5);
  let value = Array.from({ length: count }, () => random.pick(FIELD_WORDS)).join(',');
  const mutations = random.int(4);
  for (let i = 0; i < mutations; i++) {
    const at = random.int(value.length + 1);
    switch (random.int(4)) {
      case 0:
        value = value.slice(0, at) + random.text(1 + random.int(3), FIELD_NOISE) + value.slice(at);
        break;
      case 1:
        value = value.slice(0, at);
        break;
      case 2:
        value = value.slice(0, at) + value.slice(at + 1 + random.int(4));
        break;
      default:
        value = value.repeat(1 + random.int(40));
    }
  }
  return value;
}

function id(random: FuzzRandom): string {
  const kind = random.int(10);
  if (kind < 5) return random.pick(NUMBERS);
  if (kind < 7) return random.pick(WABAS);
  if (kind === 7) return 'me';
  if (kind === 8) return random.text(1 + random.int(25), '0123456789');
  return random.chance(0.5)
    ? '9'.repeat(20 + random.int(20_000))
    : random.text(1 + random.int(12), 'abc_-.%20');
}

function paramValue(random: FuzzRandom, name: string): string {
  switch (name) {
    case 'callback':
      return random.chance(0.7) ? random.text(1 + random.int(300), 'abcXYZ_.$0') : random.text(5, '<>();"');
    case 'method':
      return random.pick(['GET', 'POST', 'DELETE', 'PUT', 'get', '']);
    case 'limit':
      return random.pick(['1', '0', '-1', '25', '1000000', 'x', '1e3']);
    case 'batch':
      return batch(random);
    default:
      return random.pick([
        '1',
        'true',
        'false',
        '',
        'all',
        '123456',
        'SMS',
        'whatsapp',
        '{"a":1}',
        random.text(8, 'abc123'),
      ]);
  }
}

function batch(random: FuzzRandom): string {
  if (random.chance(0.2)) return random.text(1 + random.int(40), '[]{},"abc:1');
  const items = Array.from({ length: random.int(random.chance(0.1) ? 60 : 6) }, (_, index) => {
    const item: Record<string, unknown> = {
      method: random.pick(['GET', 'POST', 'DELETE', 'PATCH']),
      relative_url: `${random.pick(VERSIONS)}/${id(random).slice(0, 40)}?fields=${encodeURIComponent(fields(random).slice(0, 200))}`,
    };
    if (random.chance(0.3)) item.name = `n${index}`;
    if (random.chance(0.2)) item.depends_on = `n${random.int(6)}`;
    if (random.chance(0.2)) item.body = 'pin=123456';
    return item;
  });
  return JSON.stringify(items);
}

function query(random: FuzzRandom): string {
  const parts: string[] = [];
  if (random.chance(0.7)) parts.push(`fields=${encodeURIComponent(fields(random))}`);
  if (random.chance(0.75))
    parts.push(
      `access_token=${random.chance(0.9) ? random.pick(TOKENS) : random.text(1 + random.int(50), 'abcEAAG-_')}`,
    );
  const extra = random.int(4);
  for (let i = 0; i < extra; i++) {
    const name = random.pick(PARAMS);
    parts.push(`${name}=${encodeURIComponent(paramValue(random, name))}`);
  }
  if (random.chance(0.05)) parts.push(`${random.text(3, 'abc%[]')}=${random.text(3, '%zz&=')}`);
  if (random.chance(0.02)) parts.push(`big=${'x'.repeat(17_000)}`);
  return parts.join('&');
}

function nestedJson(levels: number): string {
  return `{"a":${'['.repeat(levels)}1${']'.repeat(levels)}}`;
}

function body(random: FuzzRandom): { body?: Buffer; type?: string } {
  switch (random.int(10)) {
    case 0:
      return {};
    case 1:
      return {
        body: Buffer.from(nestedJson(random.pick([10, 63, 64, 65, 500, 5000, 50_000]))),
        type: 'application/json',
      };
    case 2:
      return {
        body: Buffer.from(random.text(1 + random.int(100), '{}[]",:abc1\\')),
        type: 'application/json',
      };
    case 3:
      return {
        body: Buffer.alloc(random.pick([1_048_577, 1_100_000, 500_000]), 0x61),
        type: random.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']),
      };
    case 4:
      return {
        body: Buffer.from(
          JSON.stringify({ pin: '123456', fields: fields(random), access_token: random.pick(TOKENS) }),
        ),
        type: 'application/json',
      };
    case 5:
      return {
        body: Buffer.from(`batch=${encodeURIComponent(batch(random))}&access_token=${random.pick(TOKENS)}`),
        type: 'application/x-www-form-urlencoded',
      };
    case 6:
      return {
        body: Buffer.from(random.text(random.int(200), 'abc=&%+ \n\u00e9')),
        type: random.pick(['text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream']),
      };
    case 7:
      return {
        body: Buffer.from(JSON.stringify({ batch: JSON.parse(batchOrEmpty(random)) })),
        type: 'application/json',
      };
    default:
      return {
        body: Buffer.from(
          `pin=123456&code_method=SMS&language=en&messaging_product=whatsapp&prefilled_message=hi`,
        ),
        type: 'application/x-www-form-urlencoded',
      };
  }
}

function batchOrEmpty(random: FuzzRandom): string {
  const text = batch(random);
  try {
    JSON.parse(text);
    return text;
  } catch {
    return '[]';
  }
}

/** Raw requests the HTTP parser refuses (or nearly refuses). */
function raw(random: FuzzRandom, path: string): Buffer {
  switch (random.int(5)) {
    case 0:
      return Buffer.from(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${random.pick(['abc', '-1', '1, 2'])}\r\n\r\n`,
      );
    case 1:
      return Buffer.concat([
        Buffer.from('GET /v21.0/'),
        Buffer.from([0xc3, 0xa9, 0xff]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
      ]);
    case 2:
      return Buffer.from(
        `${random.pick(['GET', 'HEAD'])} ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      );
    case 3:
      return Buffer.from(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n`,
      );
    default:
      return Buffer.from(`FOO\x01 ${path} HTTP/1.1\r\n\r\n`);
  }
}

const ADMIN_PATHS = [
  '/__admin/health',
  '/__admin/export',
  '/__admin/nope',
  '/__admin/phone-numbers/410000000000001/history',
  '/__admin/reset',
  '/__qr/abc',
  '/__dashboard/',
];

/** The `index`-th request of a run: a pure function of the generator's state. */
export function nextRequest(random: FuzzRandom): FuzzRequest {
  const roll = random.int(100);
  if (roll < 6) {
    // The admin plane and other reserved paths, only in ways that change nothing.
    const path = random.pick(ADMIN_PATHS);
    const headers: Record<string, string> = {};
    if (random.chance(0.3)) headers.origin = random.pick(['https://evil.example', 'null']);
    if (random.chance(0.3)) headers.host = 'evil.example';
    const method = path === '/__admin/reset' ? 'POST' : random.pick(['GET', 'OPTIONS', 'HEAD']);
    if (method === 'POST') {
      headers['content-type'] = 'text/plain';
      return { method, path, headers, body: Buffer.from('{}'), graph: false };
    }
    return { method, path, headers, graph: false };
  }
  const version = random.pick(VERSIONS);
  const edge = random.pick(EDGES);
  let path = `/${version}/${id(random)}${edge === '' ? '' : `/${edge}`}`.replace(/^\/\//, '/');
  if (random.chance(0.05))
    path = random.pick(['/', '/v21.0', '/v21.0/', '//v21.0//410000000000001//', '/%zz', '/v21.0/%2e%2e']);
  const q = query(random);
  const target = q === '' ? path : `${path}?${q}`;
  if (roll < 9) return { method: 'GET', path: target, headers: {}, raw: raw(random, path), graph: true };
  const method = random.pick(METHODS);
  const headers: Record<string, string> = {};
  if (random.chance(0.15))
    headers.authorization = `${random.pick(['Bearer', 'OAuth', 'bearer', 'Basic'])} ${random.pick(TOKENS)}`;
  if (random.chance(0.1))
    headers['if-none-match'] = random.pick(['"abc"', '*', 'W/"x"', '"' + 'a'.repeat(40) + '"']);
  if (random.chance(0.05)) headers['x-junk'] = 'j'.repeat(random.int(30_000));
  if (random.chance(0.05)) headers.origin = 'https://evil.example';
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS')
    return { method, path: target, headers, graph: true };
  const { body: payload, type } = body(random);
  if (type !== undefined) headers['content-type'] = type;
  return { method, path: target, headers, ...(payload === undefined ? {} : { body: payload }), graph: true };
}
