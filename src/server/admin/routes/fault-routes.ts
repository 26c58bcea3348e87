import type { FastifyInstance } from 'fastify';
import type { FaultAction, FaultRule, FaultRuleInput, InjectedError } from '../../../faults/fault-rules.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const MATCH_KEYS = ['method', 'path_regex', 'phone_number', 'token_app'];
const RULE_KEYS = ['match', 'action', 'times', 'probability'];
const MAX_DELAY_MS = 60_000;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
const unknownKey = (value: Record<string, unknown>, allowed: readonly string[]): string | undefined =>
  Object.keys(value).find((key) => !allowed.includes(key));

function checkMatch(match: unknown): Checked<FaultRuleInput['match']> {
  if (match === undefined) return { ok: true, value: undefined };
  if (!isObject(match)) return { ok: false, message: 'match must be an object' };
  const extra = unknownKey(match, MATCH_KEYS);
  if (extra !== undefined)
    return { ok: false, message: `match.${extra} is not a known key (${MATCH_KEYS.join(', ')})` };
  for (const key of MATCH_KEYS) {
    if (match[key] !== undefined && typeof match[key] !== 'string')
      return { ok: false, message: `match.${key} must be a string` };
  }
  if (typeof match.path_regex === 'string') {
    try {
      new RegExp(match.path_regex);
    } catch {
      return { ok: false, message: 'match.path_regex is not a valid regular expression' };
    }
  }
  return { ok: true, value: match as FaultRuleInput['match'] };
}

function checkError(error: unknown): Checked<InjectedError> {
  if (!isObject(error)) return { ok: false, message: 'action.graph_error must be an object' };
  const extra = unknownKey(error, ['code', 'subcode', 'http_status', 'message', 'type']);
  if (extra !== undefined) return { ok: false, message: `action.graph_error.${extra} is not a known key` };
  if (!isInt(error.code, 1, 2 ** 31))
    return { ok: false, message: 'action.graph_error.code must be a positive integer' };
  if (error.subcode !== undefined && !isInt(error.subcode, 1, 2 ** 31))
    return { ok: false, message: 'action.graph_error.subcode must be a positive integer' };
  if (error.http_status !== undefined && !isInt(error.http_status, 200, 599))
    return { ok: false, message: 'action.graph_error.http_status must be 200-599' };
  if (error.message !== undefined && typeof error.message !== 'string')
    return { ok: false, message: 'action.graph_error.message must be a string' };
  if (error.type !== undefined && error.type !== 'OAuthException' && error.type !== 'GraphMethodException') {
    return { ok: false, message: 'action.graph_error.type must be OAuthException or GraphMethodException' };
  }
  return { ok: true, value: error as unknown as InjectedError };
}

function checkAction(action: unknown): Checked<FaultAction> {
  if (!isObject(action))
    return { ok: false, message: 'action is required: graph_error, delay_ms or drop_connection' };
  const keys = Object.keys(action);
  if (keys.length !== 1)
    return { ok: false, message: 'action takes exactly one of graph_error, delay_ms, drop_connection' };
  if (action.graph_error !== undefined) {
    const error = checkError(action.graph_error);
    return error.ok ? { ok: true, value: { graph_error: error.value } } : error;
  }
  if (action.delay_ms !== undefined) {
    if (!isInt(action.delay_ms, 0, MAX_DELAY_MS))
      return { ok: false, message: `action.delay_ms must be 0-${MAX_DELAY_MS}` };
    return { ok: true, value: { delay_ms: action.delay_ms } };
  }
  if (action.drop_connection === true) return { ok: true, value: { drop_connection: true } };
  return { ok: false, message: 'action takes exactly one of graph_error, delay_ms, drop_connection: true' };
}

/** Validates a rule body; returns the input or the first problem found. */
export function checkFaultRule(body: unknown): Checked<FaultRuleInput> {
  if (!isObject(body)) return { ok: false, message: 'the body must be a JSON object' };
  const extra = unknownKey(body, RULE_KEYS);
  if (extra !== undefined)
    return { ok: false, message: `${extra} is not a known key (${RULE_KEYS.join(', ')})` };
  const match = checkMatch(body.match);
  if (!match.ok) return match;
  const action = checkAction(body.action);
  if (!action.ok) return action;
  if (body.times !== undefined && !isInt(body.times, 1, 2 ** 31))
    return { ok: false, message: 'times must be a positive integer' };
  const probability = body.probability;
  if (
    probability !== undefined &&
    (typeof probability !== 'number' || !(probability >= 0 && probability <= 1))
  ) {
    return { ok: false, message: 'probability must be a number from 0 to 1' };
  }
  return {
    ok: true,
    value: {
      ...(match.value === undefined ? {} : { match: match.value }),
      action: action.value,
      ...(body.times === undefined ? {} : { times: body.times }),
      ...(probability === undefined ? {} : { probability }),
    },
  };
}

function view(rule: FaultRule): Record<string, unknown> {
  return {
    id: rule.id,
    match: rule.match ?? {},
    action: rule.action,
    times: rule.times ?? null,
    probability: rule.probability ?? null,
    remaining: rule.remaining,
    matched: rule.matched,
  };
}

/** `POST`/`GET /__admin/faults`, `DELETE /__admin/faults/{id}` (control-plane.md §3). */
export function faultRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.post('/faults', async (request, reply) => {
    const checked = checkFaultRule(request.body);
    if (!checked.ok) return sendAdminError(reply, 400, 'validation_failed', checked.message);
    const rule = await deps.faults.add(checked.value);
    deps.store.changes.publish({ kind: 'fault_rule', id: rule.id });
    return view(rule);
  });
  app.get('/faults', async () => ({ data: (await deps.faults.list()).map(view) }));
  app.delete('/faults/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(await deps.faults.remove(id)))
      return sendAdminError(reply, 404, 'not_found', `No fault rule ${id}`);
    deps.store.changes.publish({ kind: 'fault_rule', id });
    return { success: true };
  });
  app.delete('/faults', async () => {
    await deps.faults.clear();
    deps.store.changes.publish({ kind: 'fault_rule', id: null });
    return { success: true };
  });
}
