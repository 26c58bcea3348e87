import type {
  ScenarioApp,
  ScenarioBusiness,
  ScenarioDocument,
  ScenarioPhoneNumber,
  ScenarioToken,
  ScenarioWaba,
} from '../../contract/scenario.ts';
import type { ScenarioBusinessProfile } from '../../contract/scenario.ts';
import type {
  AppRecord,
  BusinessProfileRecord,
  PhoneNumberRecord,
  StateSnapshot,
  TokenRecord,
} from '../../store/records.ts';

/** Only the fields that are set, in the scenario's order. */
function exportProfile(profile: BusinessProfileRecord): ScenarioBusinessProfile {
  return {
    ...(profile.about === null ? {} : { about: profile.about }),
    ...(profile.address === null ? {} : { address: profile.address }),
    ...(profile.description === null ? {} : { description: profile.description }),
    ...(profile.email === null ? {} : { email: profile.email }),
    ...(profile.websites.length === 0 ? {} : { websites: [...profile.websites] }),
    ...(profile.vertical === null ? {} : { vertical: profile.vertical }),
    ...(profile.profile_picture_handle === null
      ? {}
      : { profile_picture_handle: profile.profile_picture_handle }),
  };
}

function exportApp(app: AppRecord): ScenarioApp {
  return {
    id: app.id,
    name: app.name,
    secret: app.secret,
    appsecret_proof_required: app.appsecret_proof_required,
    api_version: app.api_version,
    wabas: app.wabas === '*' ? '*' : [...app.wabas],
    rate_limit: app.rate_limit === null ? null : { ...app.rate_limit },
    webhook:
      app.webhook === null
        ? null
        : { url: app.webhook.url, verify_token: app.webhook.verify_token, fields: [...app.webhook.fields] },
  };
}

function exportNumber(number: PhoneNumberRecord, state: StateSnapshot): ScenarioPhoneNumber {
  return {
    id: number.id,
    display_phone_number: number.display_phone_number,
    verified_name: number.verified_name,
    status: number.status,
    account_mode: number.account_mode,
    certificate: number.certificate,
    new_certificate: number.new_certificate,
    name_status: number.name_status,
    new_name_status: number.new_name_status,
    requested_verified_name: number.requested_verified_name,
    quality_score: {
      score: number.quality_score.score,
      date: number.quality_score.date,
      reasons: [...number.quality_score.reasons],
    },
    code_verification_status: number.code_verification_status,
    is_official_business_account: number.is_official_business_account,
    is_pin_enabled: number.is_pin_enabled,
    ...(number.pin_hash === null ? {} : { pin_hash: number.pin_hash }),
    messaging_limit_tier: number.messaging_limit_tier,
    eligibility_for_api_business_global_search: number.eligibility_for_api_business_global_search,
    search_visibility: number.search_visibility,
    platform_type: number.platform_type,
    throughput: { level: number.throughput_level },
    webhook_configuration:
      number.webhook_override === null
        ? null
        : {
            override_callback_uri: number.webhook_override.url,
            verify_token: number.webhook_override.verify_token,
          },
    is_preverified_number: number.is_preverified_number,
    is_on_biz_app: number.is_on_biz_app,
    whatsapp_business_manager_messaging_limit: number.whatsapp_business_manager_messaging_limit,
    last_onboarded_time: number.last_onboarded_time,
    created_time: number.created_time,
    qr_codes: state.qr_codes
      .filter((qr) => qr.phone_number_id === number.id)
      .map((qr) => ({ code: qr.code, prefilled_message: qr.prefilled_message })),
    ...profileOf(number, state),
  };
}

function profileOf(
  number: PhoneNumberRecord,
  state: StateSnapshot,
): Pick<ScenarioPhoneNumber, 'business_profile'> {
  const profile = state.business_profiles.find((candidate) => candidate.phone_number_id === number.id);
  return profile === undefined ? {} : { business_profile: exportProfile(profile) };
}

function exportToken(token: TokenRecord): ScenarioToken {
  return {
    sha256: token.digest,
    app: token.app_id,
    permissions: [...token.permissions],
    wabas: token.wabas === '*' ? '*' : [...token.wabas],
    expires_at: token.expires_at,
    revoked: token.revoked,
  };
}

/**
 * The state as a scenario document with every value explicit, so loading it back reproduces the state
 * and exporting again gives the same bytes. Tokens appear by digest; webhook subscriptions without their
 * verification state (they verify again after a load); no history, outbox or deliveries.
 */
export function exportScenario(state: StateSnapshot): ScenarioDocument {
  const businesses: ScenarioBusiness[] = state.businesses.map((business) => ({
    id: business.id,
    name: business.name,
    wabas: state.wabas
      .filter((waba) => waba.business_id === business.id)
      .map((waba): ScenarioWaba => ({
        id: waba.id,
        name: waba.name,
        timezone_id: waba.timezone_id,
        currency: waba.currency,
        banned: waba.banned,
        message_template_namespace: waba.message_template_namespace,
        rate_limit: waba.rate_limit === null ? null : { ...waba.rate_limit },
        account_review_status: waba.account_review_status,
        business_verification_status: waba.business_verification_status,
        country: waba.country,
        ownership_type: waba.ownership_type,
        phone_numbers: state.phone_numbers
          .filter((number) => number.waba_id === waba.id)
          .map((number) => exportNumber(number, state)),
      })),
  }));
  return {
    version: 1,
    seed: state.seed,
    apps: state.apps.map(exportApp),
    businesses,
    tokens: state.tokens.map(exportToken),
  };
}
