import type { GraphError } from './graph-error.ts';

export interface ErrorEnvelope {
  error: Record<string, string | number | boolean>;
}

/** The one place an error becomes JSON; keys in Graph's captured order, each only where it applies. */
export function errorEnvelope(error: GraphError, fbtraceId: string): ErrorEnvelope {
  const body: Record<string, string | number | boolean> = { message: error.message, type: error.type };
  if (error.isTransient) body.is_transient = true;
  body.code = error.code;
  if (error.subcode !== undefined) body.error_subcode = error.subcode;
  if (error.userTitle !== undefined) body.error_user_title = error.userTitle;
  if (error.userMessage !== undefined) body.error_user_msg = error.userMessage;
  body.fbtrace_id = fbtraceId;
  return { error: body };
}

/** `WWW-Authenticate` value every Graph error carries. */
export function wwwAuthenticate(error: GraphError): string {
  const kind = error.code === 190 ? 'invalid_token' : 'invalid_request';
  return `OAuth "Facebook Platform" "${kind}" "${error.message}"`;
}
