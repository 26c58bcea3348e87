import type { FastifyInstance } from 'fastify';
import { BUSINESS_VERTICALS } from '../../../contract/business-profile.ts';
import {
  businessProfileItem,
  BUSINESS_PROFILE_PARAMS,
  emptyProfile,
  parseProfileUpdate,
  planProfileChange,
  ProfileInputError,
  type ProfileInputFailure,
} from '../../../domain/business-profile.ts';
import { QrImageSigner } from '../../../domain/qr-images.ts';
import type { BusinessProfileRecord } from '../../../store/records.ts';
import type { AdminDeps } from '../admin-deps.ts';
import { sendAdminError } from '../admin-errors.ts';

function failureMessage(failure: ProfileInputFailure): string {
  if (failure.kind === 'tooLong') return `${failure.field} must be at most ${failure.n} characters long`;
  if (failure.kind === 'vertical') return `vertical must be one of ${BUSINESS_VERTICALS.join(', ')}`;
  if (failure.kind === 'websites') return 'websites must have at most 2 entries';
  return failure.field === 'websites'
    ? 'websites must be a list of URLs'
    : `${failure.field} must be a string`;
}

/**
 * `GET`/`PUT /__admin/phone-numbers/{id}/business-profile` (control-plane.md §3): the profile fields of
 * phone-number.md §5.3 with the same validation as Graph; answers the profile as Graph shows it.
 */
export function businessProfileRoutes(app: FastifyInstance, deps: AdminDeps): void {
  let signer: Promise<QrImageSigner> | undefined;
  const pictureUrl = async (host: string | undefined, profile: BusinessProfileRecord) => {
    const handle = profile.profile_picture_handle;
    signer ??= QrImageSigner.fromStore(deps.store);
    return handle === null
      ? undefined
      : `http://${host ?? 'localhost'}${(await signer).profilePicturePath(profile.phone_number_id, handle)}`;
  };
  app.get<{ Params: { id: string } }>('/phone-numbers/:id/business-profile', async (request, reply) => {
    const number = await deps.store.getPhoneNumber(request.params.id);
    if (number === undefined)
      return sendAdminError(reply, 404, 'not_found', `Unknown phone number ${request.params.id}`);
    const profile = (await deps.store.getBusinessProfile(number.id)) ?? emptyProfile(number.id);
    return reply.send(businessProfileItem(profile, await pictureUrl(request.headers.host, profile)));
  });
  app.put<{ Params: { id: string } }>('/phone-numbers/:id/business-profile', async (request, reply) => {
    const raw = request.body;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        'the body must be a JSON object of profile fields',
      );
    const body = raw as Record<string, unknown>;
    const unknown = Object.keys(body).find(
      (key) => !(BUSINESS_PROFILE_PARAMS as readonly string[]).includes(key),
    );
    if (unknown !== undefined)
      return sendAdminError(
        reply,
        400,
        'validation_failed',
        `unknown field ${unknown}; profile fields are ${BUSINESS_PROFILE_PARAMS.join(', ')}`,
      );
    let update;
    try {
      update = parseProfileUpdate(body);
    } catch (error) {
      if (error instanceof ProfileInputError)
        return sendAdminError(reply, 400, 'validation_failed', failureMessage(error.failure));
      throw error;
    }
    const number = await deps.store.getPhoneNumber(request.params.id);
    if (number === undefined)
      return sendAdminError(reply, 404, 'not_found', `Unknown phone number ${request.params.id}`);
    const before = (await deps.store.getBusinessProfile(number.id)) ?? emptyProfile(number.id);
    const change = planProfileChange(before, update, { actor: 'admin', at: deps.clock.now() });
    let profile: BusinessProfileRecord = before;
    if (change !== null) {
      await deps.store.commitBusinessProfileChange(change);
      profile = change.profile;
    }
    return reply.send(businessProfileItem(profile, await pictureUrl(request.headers.host, profile)));
  });
}
