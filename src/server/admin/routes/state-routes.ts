import type { FastifyInstance } from 'fastify';
import type { ScenarioDocument } from '../../../contract/scenario.ts';
import { exportScenario } from '../../../domain/scenario/export-scenario.ts';
import { ScenarioError, validateScenario } from '../../../domain/scenario/validate-scenario.ts';
import { loadScenario, mergeIntoState, startScenarioDocument } from '../../../domain/state-loader.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

const EMPTY_SCENARIO: ScenarioDocument = { version: 1 };

function isEmptyBody(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)
  );
}

/** Reset and export: the whole state as a scenario document (control-plane.md §3). */
export function stateRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.post('/reset', async (request, reply) => {
    let document: ScenarioDocument;
    try {
      document = isEmptyBody(request.body)
        ? ((await startScenarioDocument(deps.startScenario)) ?? EMPTY_SCENARIO)
        : validateScenario(request.body, 'request body');
    } catch (error) {
      if (error instanceof ScenarioError)
        return sendAdminError(reply, 400, 'validation_failed', error.message);
      throw error;
    }
    await loadScenario(deps.store, document, deps.clock);
    // A reset starts every rate-limit window afresh, and fault probabilities from the new seed.
    await deps.buc.window.clear();
    deps.faults.setSeed(document.seed ?? null);
    deps.dispatcher.notify();
    return reply.send({ success: true });
  });

  app.post('/scenario', async (request, reply) => {
    const body = request.body as { version?: unknown } | null | undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body) || body.version !== 1) {
      return sendAdminError(reply, 400, 'validation_failed', 'request body: $.version: expected 1');
    }
    try {
      await mergeIntoState(deps.store, body as ScenarioDocument, deps.clock, 'merged scenario');
    } catch (error) {
      if (error instanceof ScenarioError)
        return sendAdminError(reply, 400, 'validation_failed', error.message);
      throw error;
    }
    deps.dispatcher.notify();
    return reply.send({ success: true });
  });

  app.get('/export', async (_request, reply) => {
    const body = JSON.stringify(exportScenario(await deps.store.readState()), null, 2) + '\n';
    return reply.type('application/json; charset=utf-8').send(body);
  });
}
