// The admin API key `npm start` gives the services when ADMIN_API_KEY is not set: generated once,
// kept in .run/admin-api-key (git-ignored, mode 0600) so it stays the same across restarts.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateApiKey, parseApiKey } from '@plafond/platform';

export const LOCAL_ADMIN_KEY_FILE = '.run/admin-api-key';

export interface AdminKeySetting {
  readonly key: string;
  /** Where it came from: the environment, or the local file (created now or earlier). */
  readonly origin: 'ADMIN_API_KEY' | typeof LOCAL_ADMIN_KEY_FILE;
}

/** A valid key from the file, or a new one written there; a damaged file is replaced. */
export function localAdminKey(file: string = LOCAL_ADMIN_KEY_FILE): string {
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (parseApiKey(saved) !== undefined) return saved;
  }
  const { key } = generateApiKey();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
