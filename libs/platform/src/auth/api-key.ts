// API keys as strings: `plf_<keyId>_<secret>`. The key id is public (it names the key in lists,
// logs and audit trails); the secret is 32 random bytes, base64url, and only its SHA-256 is
// stored. Why SHA-256 and not bcrypt/argon2: see docs/access-control.md ("Storage").
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'plf';
export const KEY_ID_LENGTH = 12;
export const SECRET_BYTES = 32;
/** base64url of 32 bytes, without padding. */
export const SECRET_LENGTH = 43;

const keyIdAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const KEY_ID_PATTERN = /^[a-z0-9]{12}$/;
/** A whole key; also how ADMIN_API_KEY is validated. */
export const API_KEY_PATTERN = /^plf_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
/** A key inside free text (logs), to scrub its secret. */
export const API_KEY_IN_TEXT = /\bplf_([a-z0-9]{12})_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/** The example of ADMIN_API_KEY in the configuration docs: well-formed, obviously not secret. */
export const EXAMPLE_ADMIN_API_KEY = 'plf_exampleadmin_REPLACE-with-43-random-base64url-characters';
/** An example of a created key in the OpenAPI document. */
export const EXAMPLE_API_KEY = 'plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo';

export interface ParsedApiKey {
  readonly keyId: string;
  readonly secret: string;
}

export interface GeneratedApiKey extends ParsedApiKey {
  /** What the client sends: `plf_<keyId>_<secret>`. Shown once, never stored. */
  readonly key: string;
}

export function formatApiKey(keyId: string, secret: string): string {
  return `${API_KEY_PREFIX}_${keyId}_${secret}`;
}

/** 12 characters of [a-z0-9] (about 62 bits: ids are names, not secrets; unique in the table). */
export function generateKeyId(): string {
  let keyId = '';
  // Rejection sampling keeps every character equally likely: 252 = 7 × 36.
  for (let round = 0; keyId.length < KEY_ID_LENGTH; round += 1) {
    if (round > 8) throw new Error('could not draw an API key id');
    for (const byte of randomBytes(KEY_ID_LENGTH * 2)) {
      if (byte < 252 && keyId.length < KEY_ID_LENGTH) keyId += keyIdAlphabet[byte % 36];
    }
  }
  return keyId;
}

export function generateApiKey(): GeneratedApiKey {
  const keyId = generateKeyId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { keyId, secret, key: formatApiKey(keyId, secret) };
}

/** The key id and secret of a well-formed key; undefined for anything else. */
export function parseApiKey(presented: string): ParsedApiKey | undefined {
  if (presented.length !== API_KEY_PREFIX.length + KEY_ID_LENGTH + SECRET_LENGTH + 2) {
    return undefined;
  }
  const match = API_KEY_PATTERN.exec(presented);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return { keyId: match[1], secret: match[2] };
}

/** What is stored: SHA-256 of the secret's characters (32 bytes). */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedSha256: Uint8Array): boolean {
  const presented = hashSecret(secret);
  if (storedSha256.length !== presented.length) return false;
  return timingSafeEqual(presented, storedSha256);
}

/** `plf_<keyId>_[redacted]`: a key as it may appear in logs. */
export function scrubApiKeys(text: string): string {
  return text.replace(API_KEY_IN_TEXT, `${API_KEY_PREFIX}_$1_[redacted]`);
}
