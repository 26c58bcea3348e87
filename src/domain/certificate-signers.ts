import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Worker threads that sign certificate bodies (certificate.ts `certificateBody`) with one Ed25519 key.
 * Signing is the costliest step of a bulk load (≈ 50 µs a number), so it runs beside the parsing and
 * the inserts. The workers only sign: the certificate format stays in certificate.ts. Plain CommonJS
 * evaluated in the worker, so it runs the same from the TypeScript sources and from dist/.
 */
const SIGNER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const key = createPrivateKey(workerData.privateKeyPem);
parentPort.on('message', ({ id, bodies }) => {
  try {
    parentPort.postMessage({ id, signatures: bodies.map((body) => sign(null, body, key)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
});
`;

interface Reply {
  readonly id: number;
  readonly signatures?: Uint8Array[];
  readonly error?: string;
}

interface Pending {
  readonly resolve: (signatures: Uint8Array[]) => void;
  readonly reject: (error: Error) => void;
}

interface Signer {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

export class CertificateSigners {
  readonly #signers: Signer[];
  #nextId = 0;
  #failure: Error | undefined;

  /** `count` workers (default: one per CPU, at most 4). */
  constructor(privateKeyPem: string, count = Math.min(4, Math.max(1, availableParallelism()))) {
    this.#signers = Array.from({ length: count }, () => this.#spawn(privateKeyPem));
  }

  #spawn(privateKeyPem: string): Signer {
    const worker = new Worker(SIGNER_SOURCE, { eval: true, workerData: { privateKeyPem } });
    const signer: Signer = { worker, pending: new Map() };
    worker.on('message', (reply: Reply) => {
      const pending = signer.pending.get(reply.id);
      signer.pending.delete(reply.id);
      if (reply.signatures !== undefined) pending?.resolve(reply.signatures);
      else pending?.reject(new Error(`certificate signing failed: ${reply.error ?? 'unknown error'}`));
    });
    const fail = (error: Error): void => {
      this.#failure ??= error;
      for (const pending of signer.pending.values()) pending.reject(error);
      signer.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`certificate signer exited with code ${code}`)));
    return signer;
  }

  /** Signs each body; answers the signatures in the same order. Goes to the least busy worker. */
  sign(bodies: readonly Uint8Array[]): Promise<Uint8Array[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (bodies.length === 0) return Promise.resolve([]);
    const signer = this.#signers.reduce((best, candidate) =>
      candidate.pending.size < best.pending.size ? candidate : best,
    );
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      signer.pending.set(id, { resolve, reject });
      signer.worker.postMessage({ id, bodies });
    });
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('certificate signers are closed');
    await Promise.all(this.#signers.map((signer) => signer.worker.terminate()));
  }
}
