import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CATALOGUE, type CatalogueRow } from '../contract/errors.ts';
import { injectedError } from '../faults/fault-rules.ts';
import { errorEnvelope, errorMessage, wwwAuthenticate } from './envelope.ts';
import { GraphError, registerRateLimit, tokenMissing, verifyCode } from './graph-error.ts';

const TRACE = 'AQ1b2C3d4E5f6G7h8I9j0K1';
const REGISTER_DETAILS =
  'Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time';

describe('errorEnvelope: the WhatsApp error format by version', () => {
  it('writes a WhatsApp row on v16.0 and later with the prefix and error_data, keys in order', () => {
    for (const version of ['v16.0', 'v26.0'] as const) {
      assert.equal(
        JSON.stringify(errorEnvelope(registerRateLimit(), TRACE, version)),
        JSON.stringify({
          error: {
            message: '(#133016) Account register deregister rate limit exceeded',
            type: 'OAuthException',
            code: 133016,
            error_data: { messaging_product: 'whatsapp', details: REGISTER_DETAILS },
            fbtrace_id: TRACE,
          },
        }),
      );
    }
  });

  it('writes the older form on v11.0-v15.0', () => {
    for (const version of ['v11.0', 'v15.0'] as const) {
      assert.equal(
        JSON.stringify(
          errorEnvelope(verifyCode('The code you entered has expired. Request a new code.'), TRACE, version),
        ),
        JSON.stringify({
          error: {
            message: 'Verify code error',
            type: 'OAuthException',
            code: 136025,
            error_user_title: 'Verify code error',
            error_user_msg: 'The code you entered has expired. Request a new code.',
            fbtrace_id: TRACE,
          },
        }),
      );
    }
  });

  it('leaves other rows alone at every version, in WWW-Authenticate too', () => {
    const error = tokenMissing();
    assert.deepEqual(errorEnvelope(error, TRACE, 'v26.0'), errorEnvelope(error, TRACE, 'v11.0'));
    assert.equal(errorMessage(error, 'v26.0'), 'An access token is required to request this resource.');
    assert.equal(
      wwwAuthenticate(registerRateLimit(), 'v16.0'),
      'OAuth "Facebook Platform" "invalid_request" "(#133016) Account register deregister rate limit exceeded"',
    );
  });

  it('writes an injected WhatsApp code in the same format, its message as the title', () => {
    const injected = injectedError({ code: 133016, message: 'Custom title' });
    const error = new GraphError('injected', injected.row, injected.message);
    assert.deepEqual(errorEnvelope(error, TRACE, 'v21.0').error, {
      message: '(#133016) Custom title',
      type: 'OAuthException',
      code: 133016,
      error_data: { messaging_product: 'whatsapp', details: REGISTER_DETAILS },
      fbtrace_id: TRACE,
    });
  });

  it('marks exactly the 13xxxx rows of the catalogue as WhatsApp rows', () => {
    for (const row of Object.values(ERROR_CATALOGUE) as CatalogueRow[]) {
      assert.equal(row.whatsapp !== undefined, row.code >= 130000 && row.code < 140000, String(row.code));
      if (row.whatsapp !== undefined) assert.equal(row.message, row.whatsapp.title);
    }
  });
});
