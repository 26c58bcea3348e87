import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthenticationError,
  errorClassFor,
  errorFromResponse,
  InvalidRequestError,
  parseBusinessUseCaseUsage,
  PermissionError,
  RateLimitError,
  ResponseParseError,
  ServerError,
  CodeRequestLimitError,
  PinMismatchError,
  RegisterRateLimitError,
  VerifyCodeError,
  WhatsAppError,
} from '../src/client/index.ts';

test('the factory maps every documented code range to its class', () => {
  const cases: [number, number, unknown][] = [
    [104, 400, AuthenticationError],
    [190, 401, AuthenticationError],
    [10, 403, PermissionError],
    [200, 400, PermissionError],
    [299, 400, PermissionError],
    [4, 400, RateLimitError],
    [17, 400, RateLimitError],
    [32, 400, RateLimitError],
    [613, 400, RateLimitError],
    [80000, 400, RateLimitError],
    [80014, 400, RateLimitError],
    [130429, 400, RateLimitError],
    [100, 400, InvalidRequestError],
    [803, 404, InvalidRequestError],
    [2500, 400, InvalidRequestError],
    [136025, 400, VerifyCodeError],
    [133005, 400, PinMismatchError],
    [133016, 400, RegisterRateLimitError],
    [136024, 400, CodeRequestLimitError],
    [131000, 400, WhatsAppError],
    [131000, 500, ServerError],
    [1, 500, ServerError],
    [2, 500, ServerError],
    [80015, 503, ServerError],
  ];
  for (const [code, status, expected] of cases)
    assert.equal(errorClassFor(code, status), expected, `code ${code} HTTP ${status}`);
});

test('an envelope under suppress_http_code (HTTP 200) is still an error; a proxy page is not JSON', () => {
  const headers = new Headers({ 'x-fb-trace-id': 'H' });
  const suppressed = errorFromResponse({
    status: 200,
    headers,
    text: '{"error":{"message":"(#100) x","type":"OAuthException","code":100,"fbtrace_id":"B"}}',
  });
  assert.ok(suppressed instanceof InvalidRequestError);
  assert.equal(suppressed.fbtraceId, 'B');
  assert.ok(
    errorFromResponse({ status: 502, headers, text: '<html>Bad gateway</html>' }) instanceof ServerError,
  );
  const html = errorFromResponse({ status: 200, headers, text: '<html></html>' });
  assert.ok(html instanceof ResponseParseError);
  assert.equal(html.fbtraceId, 'H');
  assert.equal(errorFromResponse({ status: 200, headers, text: '{"id":"1"}' }), undefined);
});

test('the usage header: parsed, and a malformed one ignored', () => {
  assert.deepEqual(
    parseBusinessUseCaseUsage(
      '{"1":[{"type":"whatsapp_business_management","call_count":37,"total_cputime":1,"total_time":2,"estimated_time_to_regain_access":5}]}',
    ),
    {
      '1': [
        {
          type: 'whatsapp_business_management',
          call_count: 37,
          total_cputime: 1,
          total_time: 2,
          estimated_time_to_regain_access: 5,
        },
      ],
    },
  );
  assert.equal(parseBusinessUseCaseUsage('not json'), undefined);
  assert.equal(parseBusinessUseCaseUsage('{"1":3}'), undefined);
  assert.equal(parseBusinessUseCaseUsage(null), undefined);
});
