import fc from 'fast-check';
import { scrubSecrets } from '../logging/redact';
import {
  API_KEY_PATTERN,
  EXAMPLE_ADMIN_API_KEY,
  EXAMPLE_API_KEY,
  formatApiKey,
  generateApiKey,
  generateKeyId,
  hashSecret,
  parseApiKey,
  scrubApiKeys,
  secretMatches,
} from './api-key';

describe('API key format', () => {
  it('generates plf_<12 a-z0-9>_<43 base64url> keys that parse back to their parts', () => {
    for (let round = 0; round < 200; round += 1) {
      const generated = generateApiKey();
      expect(generated.key).toMatch(API_KEY_PATTERN);
      expect(generated.keyId).toMatch(/^[a-z0-9]{12}$/);
      expect(Buffer.from(generated.secret, 'base64url')).toHaveLength(32);
      expect(parseApiKey(generated.key)).toEqual({
        keyId: generated.keyId,
        secret: generated.secret,
      });
    }
  });

  it('draws a different id and secret every time', () => {
    const keys = Array.from({ length: 500 }, () => generateApiKey());
    expect(new Set(keys.map((key) => key.keyId)).size).toBe(500);
    expect(new Set(keys.map((key) => key.secret)).size).toBe(500);
  });

  it('uses the whole id alphabet', () => {
    const characters = new Set(Array.from({ length: 400 }, generateKeyId).join(''));
    expect(characters.size).toBe(36);
  });

  it.each([
    ['empty', ''],
    ['another prefix', 'sk_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo'],
    ['upper-case id', 'plf_K7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo'],
    ['short id', 'plf_k7d2m9x4q1a_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo'],
    ['short secret', 'plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQ'],
    ['long secret', 'plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQoo'],
    ['padded base64', 'plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQ='],
    ['surrounding space', ' plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo'],
    ['Bearer included', 'Bearer plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo'],
  ])('refuses a malformed key: %s', (_case, presented) => {
    expect(parseApiKey(presented)).toBeUndefined();
  });

  it('documents well-formed example keys', () => {
    expect(parseApiKey(EXAMPLE_API_KEY)).toBeDefined();
    expect(parseApiKey(EXAMPLE_ADMIN_API_KEY)).toBeDefined();
    expect(formatApiKey('k7d2m9x4q1ab', 'x'.repeat(43))).toBe(`plf_k7d2m9x4q1ab_${'x'.repeat(43)}`);
  });
});

describe('secret hashing', () => {
  it('stores 32 bytes that are not the secret and match only the same secret', () => {
    const { secret } = generateApiKey();
    const stored = hashSecret(secret);
    expect(stored).toHaveLength(32);
    expect(stored.toString('utf8')).not.toContain(secret);
    expect(stored.toString('base64url')).not.toBe(secret);
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(generateApiKey().secret, stored)).toBe(false);
  });

  it('refuses any other secret, including one differing by a single character', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (other) => {
        const secret = 'A'.repeat(43);
        fc.pre(other !== secret);
        return !secretMatches(other, hashSecret(secret));
      }),
    );
    const secret = generateApiKey().secret;
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(secretMatches(flipped, hashSecret(secret))).toBe(false);
  });

  it('refuses a stored hash of the wrong length instead of throwing', () => {
    expect(secretMatches('secret', Buffer.alloc(16))).toBe(false);
  });
});

describe('API keys in logs', () => {
  it('keeps the key id and hides the secret, in free text and in structured logs', () => {
    const { key, keyId, secret } = generateApiKey();
    expect(scrubApiKeys(`retrying with ${key}.`)).toBe(`retrying with plf_${keyId}_[redacted].`);
    for (const text of [
      `key=${key}`,
      `X-Api-Key: ${key}`,
      `Authorization: Bearer ${key}`,
      `curl -H "Authorization: Bearer ${key}"`,
      `the key ${key} was refused`,
      key,
    ]) {
      expect(scrubSecrets(text)).not.toContain(secret);
    }
  });
});
