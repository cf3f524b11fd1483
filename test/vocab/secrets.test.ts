import { describe, expect, it } from 'vitest';
import { isSecretName, REDACTION_CALL } from '../../src/core/detect/vocab/secrets.js';

describe('vocab/secrets: credentials and their redaction', () => {
  it('recognises the names credentials go by', () => {
    for (const name of ['token', 'accessToken', 'client_secret', 'password', 'apiKey', 'Authorization', 'set-cookie', 'dsn'])
      expect(isSecretName(name)).toBe(true);
    for (const name of ['tokenizer', 'user', 'passwordPolicy', 'keyboard', 'id']) expect(isSecretName(name)).toBe(false);
  });

  it('recognises calls that hide a secret', () => {
    for (const name of ['redact', 'maskToken', 'scrubHeaders', 'sanitizeHeaders', 'anonymize'])
      expect(REDACTION_CALL.test(name)).toBe(true);
    for (const name of ['sanitize', 'format', 'stringify']) expect(REDACTION_CALL.test(name)).toBe(false);
  });
});
