// The admin API as the dashboard calls it: JSON over fetch, errors in the API's own words.

export const ADMIN = '/__admin';

/** An admin API error: the message is the API's `error.message` (a 409 adds its allowed targets). */
export class AdminError extends Error {}

export async function api<T>(path: string, init?: { method: string; body?: unknown }): Promise<T> {
  const response = await fetch(`${ADMIN}${path}`, {
    method: init?.method ?? 'GET',
    headers: init?.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as T & { error?: { message: string; allowed?: string[] } };
  if (!response.ok) {
    const allowed = body.error?.allowed === undefined ? '' : ` (allowed: ${body.error.allowed.join(', ')})`;
    throw new AdminError(`${body.error?.message ?? `HTTP ${response.status}`}${allowed}`);
  }
  return body;
}

export const enc = encodeURIComponent;
