// How `npm start` reads the console's settings, in both modes, before anything starts.
import { readEmbeddedSettings } from '../../scripts/embedded/settings';
import { readStartSettings, StartSettingsError } from '../../scripts/start/settings';

const KEY = 'plf_abcdefghijkl_0123456789012345678901234567890123456789abc';
const distributed = (env: NodeJS.ProcessEnv) => readStartSettings(env, () => KEY);

describe('the console in npm start', () => {
  it('embedded: on CONSOLE_PORT (default 3000), or left out with PLAFOND_CONSOLE=false', () => {
    expect(readEmbeddedSettings({}, '/tmp').consolePort).toBe(3000);
    expect(readEmbeddedSettings({ CONSOLE_PORT: '4000' }, '/tmp').consolePort).toBe(4000);
    expect(readEmbeddedSettings({ PLAFOND_CONSOLE: 'false' }, '/tmp').consolePort).toBeUndefined();
  });

  it('distributed: a fourth process with the services URLs and neither database nor key', () => {
    const settings = distributed({
      HOST: '0.0.0.0',
      ALLOCATION_PORT: '4001',
      DATABASE_URL: 'postgres://u:secret@db:5432/plafond',
      ADMIN_API_KEY: KEY,
    });
    const console = settings.services.find((service) => service.name === 'console');
    expect(console).toMatchObject({
      port: 3000,
      entry: 'dist/apps/console/server/main.js',
      env: {
        CONSOLE_PORT: '3000',
        ALLOCATION_URL: 'http://127.0.0.1:4001',
        INGESTION_URL: 'http://127.0.0.1:3002',
        BILLING_URL: 'http://127.0.0.1:3003',
      },
    });
    expect(console?.env.DATABASE_URL).toBeUndefined();
    expect(console?.env.ADMIN_API_KEY).toBeUndefined();
    expect(distributed({ PLAFOND_CONSOLE: 'false' }).services.map((s) => s.name)).toEqual([
      'allocation',
      'ingestion',
      'billing',
    ]);
  });

  it.each([
    [{ CONSOLE_PORT: '3001' }, 'ALLOCATION_PORT and CONSOLE_PORT are both 3001'],
    [{ CONSOLE_PORT: 'x' }, 'CONSOLE_PORT must be an integer from 1 to 65535'],
    [{ PLAFOND_CONSOLE: 'no' }, 'PLAFOND_CONSOLE must be true or false'],
  ])('refuses %j before anything starts, in both modes', (env, message) => {
    expect(() => readEmbeddedSettings(env, '/tmp')).toThrow(message);
    expect(() => distributed(env)).toThrow(StartSettingsError);
    expect(() => distributed(env)).toThrow(message);
  });

  it('refuses a bad console variable, naming it', () => {
    expect(() => readEmbeddedSettings({ CONSOLE_UPSTREAM_TIMEOUT_MS: '5' }, '/tmp')).toThrow(
      'CONSOLE_UPSTREAM_TIMEOUT_MS',
    );
    expect(() => distributed({ CONSOLE_MAX_BODY_BYTES: '-1' })).toThrow('CONSOLE_MAX_BODY_BYTES');
  });
});
