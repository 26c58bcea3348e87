import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Response bodies are read up to this many bytes, then the connection is dropped (webhooks.md). */
export const MAX_RESPONSE_BYTES = 65_536;

export interface SendRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface SendResult {
  readonly status: number;
  /** At most MAX_RESPONSE_BYTES of the body. */
  readonly body: Buffer;
}

/** Keep-alive agents shared by every callback request; redirects are never followed (plain node:http). */
export class CallbackClient {
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 512 });
  readonly #https = new HttpsAgent({ keepAlive: true, maxSockets: 512 });

  send(options: SendRequest): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(options.url);
      } catch {
        reject(new Error('invalid callback URL'));
        return;
      }
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(new Error(`unsupported callback URL scheme ${target.protocol}`));
        return;
      }
      const headers: Record<string, string | number> = { ...options.headers };
      if (options.body !== undefined) headers['Content-Length'] = options.body.length;
      const request = (secure ? httpsRequest : httpRequest)(target, {
        method: options.method,
        headers,
        agent: secure ? this.#https : this.#http,
        timeout: options.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      request.on('timeout', () => request.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
      request.on('error', reject);
      request.on('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        const finish = (): void => {
          if (settled) return;
          settled = true;
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) });
        };
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          const room = MAX_RESPONSE_BYTES - size;
          chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += Math.min(chunk.length, room);
          if (size >= MAX_RESPONSE_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on('end', finish);
        response.on('error', (error) => (settled ? undefined : reject(error)));
        response.on('close', finish);
      });
      request.end(options.body);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
