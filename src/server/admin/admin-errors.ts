import type { FastifyReply } from 'fastify';

export type AdminErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'invalid_transition'
  | 'unauthorized'
  /** 503: the database (or Redis) cannot do what was asked right now, e.g. a read-only database file. */
  | 'unavailable'
  /** 500: a bug; the cause is logged, never echoed. */
  | 'internal_error';

/** Admin errors are plain JSON, not Graph envelopes (control-plane.md §3). */
export function sendAdminError(
  reply: FastifyReply,
  status: number,
  code: AdminErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { message, code, ...extra } });
}
