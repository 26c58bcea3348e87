// What must hold for every answer, whatever was sent (issue #10, docs/reliability.md).

export interface FuzzAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A stack frame or a file path of the server's machine: never in a body. */
const STACK_TRACE = /\n\s+at .+[:(]\d+|node:internal|\(file:\/\/|\.ts:\d+:\d+|\.js:\d+:\d+/;
const FILE_PATH = /(?:^|[\s"'(])\/(?:work|home|usr|root|opt|var|tmp|srv)\/[\w.-]+\/[\w./-]+/;

/** The JSON inside a JSONP wrapper `/**\/ cb(...);`, or the body itself. */
function unwrapJsonp(body: string): string {
  const match = /^\/\*\*\/ [A-Za-z0-9_.$]+\(([\s\S]*)\);$/.exec(body);
  return match?.[1] ?? body;
}

interface GraphErrorBody {
  error?: { message?: unknown; type?: unknown; code?: unknown; fbtrace_id?: unknown };
}

function graphError(body: string): GraphErrorBody['error'] | undefined {
  try {
    const parsed = JSON.parse(unwrapJsonp(body)) as GraphErrorBody;
    const error = parsed?.error;
    if (
      error !== undefined &&
      typeof error.message === 'string' &&
      typeof error.type === 'string' &&
      typeof error.code === 'number' &&
      typeof error.fbtrace_id === 'string'
    )
      return error;
  } catch {
    return undefined;
  }
  return undefined;
}

/** Every broken invariant of one answer, as short labels (empty when all hold). */
export function violations(method: string, graph: boolean, answer: FuzzAnswer): string[] {
  const found: string[] = [];
  if (STACK_TRACE.test(answer.body)) found.push('stack trace in body');
  if (FILE_PATH.test(answer.body)) found.push('file path in body');
  const error = graph || answer.status >= 500 ? graphError(answer.body) : undefined;
  if (answer.status >= 500 && method !== 'HEAD') {
    if (error === undefined) found.push(`${answer.status} without a Graph envelope`);
    else if (error.code !== 1 && error.code !== 2)
      found.push(`${answer.status} with Graph code ${String(error.code)}`);
  }
  if (graph) {
    const success = answer.status >= 200 && answer.status < 400;
    if (method === 'HEAD') {
      if (answer.body !== '') found.push('HEAD answered with a body');
      if (answer.headers['x-fb-trace-id'] === undefined) found.push('HEAD without Graph headers');
    } else if (!success && error === undefined) {
      found.push(`Graph path answered ${answer.status} without a Graph envelope`);
    }
  }
  return found;
}
