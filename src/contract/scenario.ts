import type {
  AccountMode,
  BusinessManagerMessagingLimit,
  CodeVerificationStatus,
  MessagingLimitTier,
  NameStatus,
  PhoneNumberStatus,
  PlatformType,
  QualityRating,
  QualityScoreValue,
  SearchVisibility,
  ThroughputLevel,
} from './phone-number.ts';
import type { BusinessVertical } from './business-profile.ts';
import type { GraphVersion } from './versions.ts';
import type { AccountReviewStatus, BusinessVerificationStatus, OwnershipType } from './waba.ts';

/**
 * A scenario document as users write it (control-plane.md §1), before defaults are filled in.
 * Everything optional has a default; ids are numeric strings because Graph ids overflow JSON numbers.
 */
export interface ScenarioDocument {
  readonly version: 1;
  /** Makes generated ids, QR codes and OTPs reproducible. */
  readonly seed?: number | null;
  readonly apps?: readonly ScenarioApp[];
  readonly businesses?: readonly ScenarioBusiness[];
  readonly tokens?: readonly ScenarioToken[];
}

/** `"*"` = every WABA in scope (the scenario for an app, the app's WABAs for a token). */
export type ScenarioWabaSelection = '*' | readonly string[];

export type ScenarioPermission = 'whatsapp_business_management' | 'whatsapp_business_messaging';

export interface ScenarioRateLimit {
  readonly per_hour?: number;
  readonly active_per_hour?: number;
}

export interface ScenarioAppWebhook {
  readonly url: string;
  readonly verify_token: string;
  readonly fields?: readonly string[];
}

export interface ScenarioApp {
  readonly id?: string;
  readonly name?: string;
  /** appsecret_proof key and webhook signing key. */
  readonly secret?: string;
  readonly appsecret_proof_required?: boolean;
  /** Version served on unversioned paths. */
  readonly api_version?: GraphVersion | null;
  /** WABAs the app is installed on: it receives their webhook events. */
  readonly wabas?: ScenarioWabaSelection;
  readonly rate_limit?: ScenarioRateLimit | null;
  readonly webhook?: ScenarioAppWebhook | null;
}

export interface ScenarioBusiness {
  readonly id?: string;
  readonly name?: string;
  readonly wabas?: readonly ScenarioWaba[];
}

export interface ScenarioWaba {
  readonly id?: string;
  readonly name?: string;
  readonly timezone_id?: string;
  readonly currency?: string;
  readonly banned?: boolean;
  /** Generated when absent; accepted so that an export loads back unchanged. */
  readonly message_template_namespace?: string;
  readonly rate_limit?: ScenarioRateLimit | null;
  /** Default `APPROVED`. */
  readonly account_review_status?: AccountReviewStatus;
  /** Default `verified`. */
  readonly business_verification_status?: BusinessVerificationStatus;
  /** ISO 3166 alpha-2; default `US`. */
  readonly country?: string;
  /** Default `SELF`. */
  readonly ownership_type?: OwnershipType;
  readonly phone_numbers?: readonly ScenarioPhoneNumber[];
}

/** A number's `whatsapp_business_profile` (phone-number.md §5.3); left-out fields are not set. */
export interface ScenarioBusinessProfile {
  readonly about?: string;
  readonly address?: string;
  readonly description?: string;
  readonly email?: string;
  /** At most 2 URLs. */
  readonly websites?: readonly string[];
  readonly vertical?: BusinessVertical;
  /** Any non-empty string: the profile gets a picture phonegraph serves. */
  readonly profile_picture_handle?: string;
}

export interface ScenarioQuality {
  readonly score: QualityScoreValue;
  /** Unix seconds of the last change; default: load time. */
  readonly date?: number;
  readonly reasons?: readonly string[];
}

export type ScenarioThroughput = ThroughputLevel | { readonly level: ThroughputLevel };

/** A number-level webhook URL, as `POST /{phone}` takes it. */
export interface ScenarioWebhookOverride {
  readonly override_callback_uri: string;
  readonly verify_token: string;
}

export interface ScenarioQrCode {
  /** 14 chars of `[A-Z2-7]` ending in `1`; generated when absent. */
  readonly code?: string;
  readonly prefilled_message: string;
}

/**
 * The readable fields of phone-number.md §2 under their own names, minus the derived `health_status`;
 * `waba_id` is implied by nesting. `quality` and `quality_score` are aliases; `quality_rating` may stand
 * in for both (the rating is the score) and must agree with them when given together.
 */
export interface ScenarioPhoneNumber {
  /** 15-16 digits. */
  readonly id?: string;
  /** Generated from the id (`+1 555-01X-XXXX`) when absent. */
  readonly display_phone_number?: string;
  readonly verified_name: string;
  readonly status?: PhoneNumberStatus;
  readonly account_mode?: AccountMode;
  /** Kept verbatim; issued at load when the name is approved and none is given. */
  readonly certificate?: string | null;
  readonly new_certificate?: string | null;
  readonly name_status?: NameStatus;
  readonly new_name_status?: NameStatus;
  /** The requested new name (phonegraph's addition; Graph never shows it on the node). */
  readonly requested_verified_name?: string | null;
  readonly quality?: ScenarioQuality;
  readonly quality_score?: ScenarioQuality;
  readonly quality_rating?: QualityRating;
  readonly code_verification_status?: CodeVerificationStatus;
  readonly is_official_business_account?: boolean;
  readonly is_pin_enabled?: boolean;
  /** The two-step PIN (6 digits), stored only as a salted hash; or `pin_hash`, what export writes. */
  readonly pin?: string;
  readonly pin_hash?: string;
  readonly messaging_limit_tier?: MessagingLimitTier;
  readonly eligibility_for_api_business_global_search?: string;
  readonly search_visibility?: SearchVisibility;
  readonly platform_type?: PlatformType;
  readonly throughput?: ScenarioThroughput;
  readonly webhook_configuration?: ScenarioWebhookOverride | null;
  readonly is_preverified_number?: boolean;
  readonly is_on_biz_app?: boolean;
  readonly whatsapp_business_manager_messaging_limit?: BusinessManagerMessagingLimit;
  /** ISO-8601. */
  readonly last_onboarded_time?: string;
  /** ISO-8601; feeds the `creation_time_*` sorts. */
  readonly created_time?: string;
  /** Oldest first. */
  readonly qr_codes?: readonly ScenarioQrCode[];
  readonly business_profile?: ScenarioBusinessProfile;
}

interface ScenarioTokenCommon {
  /** Id of the app the token belongs to. */
  readonly app: string;
  readonly permissions?: readonly ScenarioPermission[];
  /** Granular targets, within the app's WABAs. */
  readonly wabas?: ScenarioWabaSelection;
  /** ISO-8601, or null for a token that never expires. */
  readonly expires_at?: string | null;
  readonly revoked?: boolean;
}

/** The literal token clients send; only its SHA-256 is stored. */
export interface ScenarioTokenByValue extends ScenarioTokenCommon {
  readonly value: string;
  readonly sha256?: never;
}

/** A token known only by its digest (what export writes). */
export interface ScenarioTokenByDigest extends ScenarioTokenCommon {
  /** 64 lowercase hex digits. */
  readonly sha256: string;
  readonly value?: never;
}

export type ScenarioToken = ScenarioTokenByValue | ScenarioTokenByDigest;
