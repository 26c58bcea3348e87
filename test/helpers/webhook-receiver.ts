import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubSignature } from '../../src/webhooks/signature.ts';

/** What the receiver does with a POST: answer with a status, or never answer (until closed). */
export type ReceiverAction = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang';

export interface ReceivedEvent {
  readonly raw: string;
  readonly eventId: string;
  readonly signatureValid: boolean;
  readonly headers: IncomingMessage['headers'];
  readonly answered: number | 'hang';
}

export interface Verification {
  readonly query: URLSearchParams;
}

/**
 * A real HTTP webhook receiver on loopback. It checks every signature with the app secret, answers
 * the verification GET (echoing the challenge unless told otherwise) and records every POST.
 */
export class WebhookReceiver {
  readonly events: ReceivedEvent[] = [];
  readonly verifications: Verification[] = [];
  /** Decides each POST's answer; default 200. */
  action: (event: { raw: string; index: number }) => ReceiverAction = () => ({ status: 200 });
  /** Decides the verification answer; default echoes the challenge. */
  verify: (challenge: string) => string = (challenge) => challenge;
  readonly #secret: string;
  readonly #server: Server;
  readonly #hanging = new Set<ServerResponse>();
  #url = '';

  constructor(secret: string) {
    this.#secret = secret;
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  get url(): string {
    return this.#url;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** Bodies of the valid-signature events that were answered 2xx, in arrival order. */
  get delivered(): string[] {
    return this.events
      .filter((event) => event.signatureValid && typeof event.answered === 'number' && event.answered < 300)
      .map((event) => event.raw);
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://receiver');
    if (request.method === 'GET') {
      this.verifications.push({ query: url.searchParams });
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(this.verify(url.searchParams.get('hub.challenge') ?? ''));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const raw = body.toString('latin1');
      const action = this.action({ raw, index: this.events.length });
      const signatureValid = request.headers['x-hub-signature-256'] === hubSignature(this.#secret, body);
      const record = {
        raw,
        eventId: String(request.headers['x-phonegraph-event-id'] ?? ''),
        signatureValid,
        headers: request.headers,
      };
      if (action === 'hang') {
        this.events.push({ ...record, answered: 'hang' });
        this.#hanging.add(response);
        return;
      }
      const answer = (): void => {
        this.events.push({ ...record, answered: action.status });
        response.writeHead(action.status, action.headers ?? {});
        response.end('ok');
      };
      if (action.delayMs === undefined) answer();
      else setTimeout(answer, action.delayMs);
    });
  }

  async close(): Promise<void> {
    for (const response of this.#hanging) response.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Polls `check` until it holds (no timing is asserted; the test's own timeout bounds the wait). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 60_000,
): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
