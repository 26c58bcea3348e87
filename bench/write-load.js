// Write load against a running phonegraph: admin status changes (CONNECTED ↔ FLAGGED, each number owned
// by one worker so its changes never race) and Graph QR-code creates, as fast as `concurrency` workers
// get answers; and a steady trickle of status changes at a fixed rate while reads are measured.
import { BENCH_API_VERSION, BENCH_TOKEN, expectedReadBody, indexOfId } from './scenario-generator.js';

/** Ids whose generated status is CONNECTED: the ones a status toggle may move to FLAGGED and back. */
export function toggleableIds(ids) {
  return ids.filter((id) => expectedReadBody(indexOfId(id)).status === 'CONNECTED');
}

/** Tracks each number's current status across rounds, so every request is a real change. */
export function createToggler(baseUrl) {
  const status = new Map();
  return async function toggle(id) {
    const to = (status.get(id) ?? 'CONNECTED') === 'CONNECTED' ? 'FLAGGED' : 'CONNECTED';
    const response = await fetch(`${baseUrl}/__admin/phone-numbers/${id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: to }),
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`status change of ${id} to ${to}: ${response.status} ${text}`);
    status.set(id, to);
  };
}

export async function createQr(baseUrl, id) {
  const response = await fetch(
    `${baseUrl}/${BENCH_API_VERSION}/${id}/message_qrdls?prefilled_message=Bench%20QR&access_token=${BENCH_TOKEN}`,
    { method: 'POST' },
  );
  const text = await response.text();
  if (response.status !== 200 || !text.includes('"code"')) {
    throw new Error(`QR create on ${id}: ${response.status} ${text}`);
  }
}

/**
 * Runs `operation(id)` from `concurrency` workers for `seconds`; worker w uses ids w, w + concurrency, …
 * Resolves with { operations, seconds }.
 */
export async function runWrites(ids, operation, { seconds, concurrency }) {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let operations = 0;
  const worker = async (w) => {
    const own = ids.filter((_, i) => i % concurrency === w);
    for (let k = 0; performance.now() < deadline; k += 1) {
      await operation(own[k % own.length]);
      operations += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, (_, w) => worker(w)));
  return { operations, seconds: (performance.now() - started) / 1000 };
}

/** Starts `rate` changes per second, one after the other; stop() resolves with the count done. */
export function startTrickle(ids, toggle, rate) {
  let stopped = false;
  let done = 0;
  let failure;
  const started = performance.now();
  const loop = (async () => {
    for (let k = 0; !stopped; k += 1) {
      const due = started + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (stopped) break;
      try {
        await toggle(ids[k % ids.length]);
        done += 1;
      } catch (error) {
        failure = error;
        break;
      }
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    if (failure !== undefined) throw failure;
    return { writes: done, seconds: (performance.now() - started) / 1000 };
  };
}
