import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { ChangeEventMessage } from '../src/events/change-feed.ts';
import { ID, graphApp } from './helpers/graph-app.ts';

/** Opens the stream and collects parsed events until `until` holds. */
function openEvents(base: string): Promise<{
  response: IncomingMessage;
  next: (
    until: (event: { event: string; data: string }) => boolean,
  ) => Promise<{ event: string; data: string }>;
  close: () => void;
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/__admin/events`, (response) => {
      response.setEncoding('utf8');
      let buffer = '';
      const seen: { event: string; data: string }[] = [];
      const waiters: {
        until: (e: { event: string; data: string }) => boolean;
        done: (e: { event: string; data: string }) => void;
      }[] = [];
      const check = (): void => {
        for (const waiter of [...waiters]) {
          const hit = seen.find(waiter.until);
          if (hit !== undefined) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.done(hit);
          }
        }
      };
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) seen.push({ event, data: data.join('\n') });
        }
        check();
      });
      resolve({
        response,
        next: (until) =>
          new Promise((done) => {
            waiters.push({ until, done });
            check();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('streams a status change made through the admin API as a phone_number event', async () => {
  const app = await graphApp();
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
  const stream = await openEvents(base);
  try {
    assert.equal(stream.response.statusCode, 200);
    assert.equal(stream.response.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(stream.response.headers['cache-control'], 'no-cache, no-transform');
    // The stream is subscribed once the response headers are out.
    const changed = await fetch(`${base}/__admin/phone-numbers/${ID.connected}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'FLAGGED', reason: 'test' }),
    });
    assert.equal(changed.status, 200);
    const got = await stream.next((e) => e.event === 'phone_number');
    const event = JSON.parse(got.data) as ChangeEventMessage;
    assert.equal(event.kind, 'phone_number');
    assert.equal(event.id, ID.connected);
    assert.equal(event.waba_id, ID.waba);
    assert.deepEqual(
      event.history?.map((line) => [line.change, line.from, line.to, line.actor, line.reason]),
      [['status', 'CONNECTED', 'FLAGGED', 'admin', 'test']],
    );
    // A Graph request shows up as a journal id.
    await fetch(`${base}/v23.0/${ID.connected}?access_token=T-ALL`);
    const request = await stream.next((e) => e.event === 'request');
    assert.equal(typeof (JSON.parse(request.data) as { id: number }).id, 'number');
  } finally {
    stream.close();
    await app.close();
  }
});

test('streams fault rules and clock moves, and ends the stream when the server closes', async () => {
  const app = await graphApp();
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;
  const stream = await openEvents(base);
  try {
    const json = { 'content-type': 'application/json' };
    await fetch(`${base}/__admin/faults`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ match: {}, action: { delay_ms: 1 } }),
    });
    await stream.next((e) => e.event === 'fault_rule');
    await fetch(`${base}/__admin/clock`, { method: 'POST', headers: json, body: '{"advance":"1h"}' });
    await stream.next((e) => e.event === 'clock');
    const ended = new Promise((resolve) => stream.response.on('end', resolve));
    await app.close();
    await ended;
  } finally {
    stream.close();
  }
});

test('is refused to a non-loopback peer', async () => {
  const app = await graphApp();
  try {
    const response = await app.fastify.inject({ url: '/__admin/events', remoteAddress: '10.0.0.7' });
    assert.equal(response.statusCode, 404);
  } finally {
    await app.close();
  }
});
