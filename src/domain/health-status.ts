import type {
  CanSendMessage,
  HealthEntity,
  HealthError,
  HealthStatus,
  PhoneNumberStatus,
} from '../contract/phone-number.ts';

interface PhoneHealth {
  readonly can_send_message: CanSendMessage;
  readonly additional_info?: readonly string[];
  readonly errors?: readonly HealthError[];
}

const notRegistered: PhoneHealth = {
  can_send_message: 'BLOCKED',
  errors: [
    {
      error_code: 141000,
      error_description: 'The phone number is not registered.',
      possible_solution: 'Register the phone number with Cloud API.',
    },
  ],
};

const notAvailable: PhoneHealth = {
  can_send_message: 'BLOCKED',
  errors: [
    {
      error_code: 141003,
      error_description: 'The phone number is not available on this account.',
      possible_solution: 'Use a phone number that is connected to this account.',
    },
  ],
};

/** phone-number.md §3, our choice of exact strings: the PHONE_NUMBER entity by status. */
export const PHONE_HEALTH_BY_STATUS: Readonly<Record<PhoneNumberStatus, PhoneHealth>> = {
  CONNECTED: { can_send_message: 'AVAILABLE' },
  FLAGGED: {
    can_send_message: 'LIMITED',
    additional_info: [
      "The phone number's quality rating is low. Improve message quality to avoid a lower messaging limit.",
    ],
  },
  RESTRICTED: {
    can_send_message: 'LIMITED',
    additional_info: [
      'The phone number has reached its messaging limit for business-initiated conversations.',
    ],
  },
  RATE_LIMITED: { can_send_message: 'LIMITED', additional_info: ['The phone number is being rate limited.'] },
  PENDING: notRegistered,
  UNVERIFIED: notRegistered,
  DISCONNECTED: {
    can_send_message: 'BLOCKED',
    errors: [
      {
        error_code: 141001,
        error_description: 'The phone number is disconnected.',
        possible_solution: 'Register the phone number again.',
      },
    ],
  },
  BANNED: {
    can_send_message: 'BLOCKED',
    errors: [
      {
        error_code: 141002,
        error_description: 'The phone number is banned.',
        possible_solution: 'Request a review of the decision in WhatsApp Manager.',
      },
    ],
  },
  DELETED: notAvailable,
  MIGRATED: notAvailable,
  UNKNOWN: notAvailable,
};

const SEVERITY: Readonly<Record<CanSendMessage, number>> = { AVAILABLE: 0, LIMITED: 1, BLOCKED: 2 };

export interface HealthInput {
  readonly phoneNumberId: string;
  readonly status: PhoneNumberStatus;
  readonly wabaId: string;
  readonly wabaBanned: boolean;
  readonly businessId: string;
  readonly appId: string;
}

/** Derived on every read, never stored: the overall value is the worst entity's. */
export function healthStatus(input: HealthInput): HealthStatus {
  const phone = PHONE_HEALTH_BY_STATUS[input.status];
  const phoneEntity: HealthEntity = {
    entity_type: 'PHONE_NUMBER',
    id: input.phoneNumberId,
    can_send_message: phone.can_send_message,
  };
  if (phone.additional_info) phoneEntity.additional_info = [...phone.additional_info];
  if (phone.errors) phoneEntity.errors = phone.errors.map((error) => ({ ...error }));
  const account: CanSendMessage = input.wabaBanned ? 'BLOCKED' : 'AVAILABLE';
  const entities: HealthEntity[] = [
    phoneEntity,
    { entity_type: 'WABA', id: input.wabaId, can_send_message: account },
    { entity_type: 'BUSINESS', id: input.businessId, can_send_message: account },
    { entity_type: 'APP', id: input.appId, can_send_message: 'AVAILABLE' },
  ];
  return { can_send_message: worstOf(entities), entities };
}

export interface WabaHealthInput {
  readonly wabaId: string;
  readonly wabaBanned: boolean;
  readonly reviewRejected: boolean;
  readonly businessId: string;
  readonly appId: string;
}

/**
 * The WABA node's own view (phone-number.md §6): entities WABA, BUSINESS, APP; the WABA is BLOCKED when
 * it is banned or its review was rejected, the business when the WABA is banned.
 */
export function wabaHealthStatus(input: WabaHealthInput): HealthStatus {
  const entities: HealthEntity[] = [
    {
      entity_type: 'WABA',
      id: input.wabaId,
      can_send_message: input.wabaBanned || input.reviewRejected ? 'BLOCKED' : 'AVAILABLE',
    },
    {
      entity_type: 'BUSINESS',
      id: input.businessId,
      can_send_message: input.wabaBanned ? 'BLOCKED' : 'AVAILABLE',
    },
    { entity_type: 'APP', id: input.appId, can_send_message: 'AVAILABLE' },
  ];
  return { can_send_message: worstOf(entities), entities };
}

function worstOf(entities: readonly HealthEntity[]): CanSendMessage {
  return entities.reduce<CanSendMessage>(
    (acc, entity) => (SEVERITY[entity.can_send_message] > SEVERITY[acc] ? entity.can_send_message : acc),
    'AVAILABLE',
  );
}
