import { loadConfig } from '@plafond/platform';
import { ConsoleConfig } from './config';
import { refusedProxyPath, upstreamTarget } from './proxy';

describe('upstreamTarget', () => {
  it('appends the rest to the base URL byte for byte, keeping host and port', () => {
    expect(upstreamTarget('http://allocation:3001', '/v1/budgets?limit=5')).toEqual({
      protocol: 'http:',
      hostname: 'allocation',
      port: 3001,
      path: '/v1/budgets?limit=5',
    });
    expect(upstreamTarget('https://api.example.com/billing/', '/v1/invoices')).toEqual({
      protocol: 'https:',
      hostname: 'api.example.com',
      port: 443,
      path: '/billing/v1/invoices',
    });
    expect(upstreamTarget('http://[::1]:3003', '/health/ready')).toMatchObject({
      hostname: '::1',
      port: 3003,
    });
  });

  it('cannot be steered to another host by the path', () => {
    for (const rest of ['//evil.example/x', '/@evil.example/x', '/..//evil.example']) {
      const target = upstreamTarget('http://billing:3003', rest);
      expect({ rest, hostname: target.hostname, port: target.port }).toEqual({
        rest,
        hostname: 'billing',
        port: 3003,
      });
      expect(target.path.startsWith('/')).toBe(true);
    }
  });
});

describe('refusedProxyPath', () => {
  it.each(['/v1/../admin', '/..', '/v1/./x', '/v1/%2e%2e/x', '/v1/.%2E/x', '/%2E/x?y=1'])(
    'refuses %s',
    (rest) => {
      expect(refusedProxyPath(rest)).toBe('the path has a . or .. segment');
    },
  );

  it.each([
    '/v1/budgets?limit=5',
    '/v1/units/a%2Fb',
    '/v1/x?path=../y',
    '/v1/...',
    '/v1/.well',
    '/',
  ])('passes %s', (rest) => {
    expect(refusedProxyPath(rest)).toBeUndefined();
  });
});

describe('ConsoleConfig', () => {
  it('defaults to the services on this machine and port 3000', () => {
    expect(loadConfig(ConsoleConfig, {})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      allocationUrl: 'http://127.0.0.1:3001',
      ingestionUrl: 'http://127.0.0.1:3002',
      billingUrl: 'http://127.0.0.1:3003',
      staticDir: 'dist/console',
      maxBodyBytes: 1048576,
    });
  });

  it.each([
    ['ALLOCATION_URL', 'allocation:3001'],
    ['BILLING_URL', 'http://user:secret@billing:3003'],
    ['INGESTION_URL', 'http://ingestion:3002/?x=1'],
    ['CONSOLE_PORT', '0'],
    ['CONSOLE_UPSTREAM_TIMEOUT_MS', '10'],
  ])('refuses %s=%s, naming it', (variable, value) => {
    expect(() => loadConfig(ConsoleConfig, { [variable]: value })).toThrow(variable);
  });
});
