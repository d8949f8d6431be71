import { generateApiKey, GeneratedApiKey, hashSecret } from './api-key';
import { ApiKeyAuthenticator, presentedKey } from './api-key.authenticator';
import { ApiKeyRecord, ApiKeyStore } from './api-key.store';
import { resolveAuthOptions } from './auth-options';
import { VerifiedKeyCache } from './verified-key-cache';

const KEY = 'plf_k7d2m9x4q1ab_3q2-7wEfV9X2cTmZk8hJf0pLr4sYv6bNw1aDg5eKuQo';

describe('presentedKey', () => {
  it.each([
    [{}, undefined],
    [{ authorization: `Bearer ${KEY}` }, KEY],
    [{ authorization: `bearer   ${KEY}` }, KEY],
    [{ 'x-api-key': KEY }, KEY],
    [{ authorization: `Bearer ${KEY}`, 'x-api-key': KEY }, KEY],
  ])('reads %j', (headers, expected) => {
    expect(presentedKey(headers)).toBe(expected);
  });

  it.each([
    [{ authorization: `Basic ${KEY}` }],
    [{ authorization: KEY }],
    [{ authorization: 'Bearer' }],
    [{ authorization: `Bearer ${KEY} extra` }],
    [{ authorization: `Bearer ${KEY}`, 'x-api-key': 'plf_other' }],
    [{ 'x-api-key': [KEY, KEY] }],
  ])('finds no usable key in %j', (headers) => {
    expect(presentedKey(headers)).toBeNull();
  });
});

class FakeStore {
  readonly records = new Map<string, ApiKeyRecord>();
  reads = 0;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  add(generated: GeneratedApiKey, role = 'service'): void {
    this.records.set(generated.keyId, {
      keyId: generated.keyId,
      name: 'gateway',
      role,
      scopeUnitId: null,
      secretSha256: hashSecret(generated.secret),
      createdBy: 'admin:a0b1c2d3e4f5',
      createdAt: new Date('2026-03-01T00:00:00Z'),
      revokedAt: null,
      revokedBy: null,
    });
  }

  revoke(keyId: string): void {
    const record = this.records.get(keyId);
    if (record === undefined) throw new Error('no such key');
    this.records.set(keyId, { ...record, revokedAt: new Date(), revokedBy: 'admin:x' });
  }

  /** Holds reads until released, to line up concurrent requests. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  async findByKeyId(keyId: string): Promise<ApiKeyRecord | undefined> {
    this.reads += 1;
    const record = this.records.get(keyId);
    await this.gate;
    return record;
  }
}

function setUp(ttlMs = 5000) {
  const store = new FakeStore();
  const authenticator = new ApiKeyAuthenticator(
    store as unknown as ApiKeyStore,
    resolveAuthOptions({ roles: ['service'], verifiedKeyCacheTtlMs: ttlMs }),
  );
  return { store, authenticator };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('ApiKeyAuthenticator', () => {
  it('verifies a stored key and gives its principal, from either header', async () => {
    const { store, authenticator } = setUp();
    const key = generateApiKey();
    store.add(key, 'service');
    const expected = { keyId: key.keyId, name: 'gateway', role: 'service', scopeUnitId: null };
    expect(await authenticator.authenticate(bearer(key.key))).toEqual({
      ok: true,
      principal: expected,
    });
    expect(await authenticator.authenticate({ 'x-api-key': key.key })).toEqual({
      ok: true,
      principal: expected,
    });
  });

  it('refuses missing, malformed, unknown, revoked and wrong-secret keys', async () => {
    const { store, authenticator } = setUp(0);
    const key = generateApiKey();
    store.add(key);
    const wrongSecret = `plf_${key.keyId}_${generateApiKey().secret}`;
    expect(await authenticator.authenticate({})).toEqual({ ok: false, reason: 'missing' });
    expect(await authenticator.authenticate(bearer('nope'))).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await authenticator.authenticate(bearer(generateApiKey().key))).toMatchObject({
      ok: false,
      reason: 'unknown',
    });
    expect(await authenticator.authenticate(bearer(wrongSecret))).toMatchObject({
      ok: false,
      reason: 'secret_mismatch',
      keyId: key.keyId,
    });
    store.revoke(key.keyId);
    expect(await authenticator.authenticate(bearer(key.key))).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
  });

  it('reads the table once per key while cached, and checks the secret every time', async () => {
    const { store, authenticator } = setUp();
    const key = generateApiKey();
    store.add(key);
    for (let request = 0; request < 5; request += 1) {
      expect((await authenticator.authenticate(bearer(key.key))).ok).toBe(true);
    }
    expect(store.reads).toBe(1);
    const wrongSecret = `plf_${key.keyId}_${generateApiKey().secret}`;
    expect((await authenticator.authenticate(bearer(wrongSecret))).ok).toBe(false);
  });

  it('refuses a key at once after forget (local revocation), even within the TTL', async () => {
    const { store, authenticator } = setUp();
    const key = generateApiKey();
    store.add(key);
    expect((await authenticator.authenticate(bearer(key.key))).ok).toBe(true);
    store.revoke(key.keyId);
    authenticator.forget(key.keyId);
    expect(await authenticator.authenticate(bearer(key.key))).toMatchObject({ reason: 'revoked' });
  });

  it('shares one table read among concurrent requests for the same key', async () => {
    const { store, authenticator } = setUp();
    const key = generateApiKey();
    store.add(key);
    store.hold();
    const answers = Array.from({ length: 20 }, () => authenticator.authenticate(bearer(key.key)));
    store.release();
    expect((await Promise.all(answers)).every((answer) => answer.ok)).toBe(true);
    expect(store.reads).toBe(1);
  });

  it('does not cache a read that a revocation overtook', async () => {
    const { store, authenticator } = setUp();
    const key = generateApiKey();
    store.add(key);
    store.hold();
    const before = authenticator.authenticate(bearer(key.key));
    store.revoke(key.keyId);
    authenticator.forget(key.keyId);
    store.release();
    // The read began before the revocation, so it may still answer with the key...
    expect((await before).ok).toBe(true);
    // ...but it must not leave the key in the cache.
    expect(await authenticator.authenticate(bearer(key.key))).toMatchObject({ reason: 'revoked' });
  });
});

describe('VerifiedKeyCache', () => {
  const record = (keyId: string): ApiKeyRecord => ({
    keyId,
    name: 'n',
    role: 'service',
    scopeUnitId: null,
    secretSha256: Buffer.alloc(32),
    createdBy: 'admin:x',
    createdAt: new Date(0),
    revokedAt: null,
    revokedBy: null,
  });

  it('forgets entries after the TTL', () => {
    let nowMs = 0;
    const cache = new VerifiedKeyCache({ ttlMs: 5000, now: () => nowMs });
    cache.set(record('a'), cache.currentGeneration());
    nowMs = 4999;
    expect(cache.get('a')?.keyId).toBe('a');
    nowMs = 5000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = new VerifiedKeyCache({ ttlMs: 5000, maxEntries: 3, now: () => 0 });
    for (const keyId of ['a', 'b', 'c', 'd']) cache.set(record(keyId), cache.currentGeneration());
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('d')?.keyId).toBe('d');
  });

  it('caches nothing with a TTL of 0, and never a revoked key', () => {
    const off = new VerifiedKeyCache({ ttlMs: 0 });
    off.set(record('a'), off.currentGeneration());
    expect(off.get('a')).toBeUndefined();
    const on = new VerifiedKeyCache({ ttlMs: 5000 });
    on.set({ ...record('b'), revokedAt: new Date(), revokedBy: 'x' }, on.currentGeneration());
    expect(on.get('b')).toBeUndefined();
  });
});
