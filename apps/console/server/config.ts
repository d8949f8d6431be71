import { EnvVar, IntegerVar, PatternVar, ProcessConfig } from '@plafond/platform';

/**
 * A service base URL: http(s), a host, an optional port and path, no query, fragment or
 * credentials (the console forwards the caller's own key; it holds none).
 */
const SERVICE_URL =
  /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~\-/]*)?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](?::\d{1,5})?(?:\/[A-Za-z0-9._~\-/]*)?$/;
const SERVICE_URL_EXPECTATION = 'an http(s) URL without credentials, query or fragment';

/**
 * The console server's settings (apps/console/server): where it listens, which services it
 * proxies, where the built SPA is. Validated at start like the services' config classes; it needs
 * no database, no Kafka and no key of its own.
 */
export class ConsoleConfig extends ProcessConfig {
  @EnvVar({
    name: 'CONSOLE_PORT',
    description: 'TCP port of the web console (the SPA and its same-origin API proxy).',
    example: '3000',
  })
  @IntegerVar(1, 65535)
  port = 3000;

  @EnvVar({
    name: 'ALLOCATION_URL',
    description: 'Base URL of the allocation service, proxied under `/api/allocation/`.',
    example: 'http://allocation:3001',
  })
  @PatternVar(SERVICE_URL, SERVICE_URL_EXPECTATION)
  allocationUrl = 'http://127.0.0.1:3001';

  @EnvVar({
    name: 'INGESTION_URL',
    description: 'Base URL of the ingestion service, proxied under `/api/ingestion/`.',
    example: 'http://ingestion:3002',
  })
  @PatternVar(SERVICE_URL, SERVICE_URL_EXPECTATION)
  ingestionUrl = 'http://127.0.0.1:3002';

  @EnvVar({
    name: 'BILLING_URL',
    description: 'Base URL of the billing service, proxied under `/api/billing/`.',
    example: 'http://billing:3003',
  })
  @PatternVar(SERVICE_URL, SERVICE_URL_EXPECTATION)
  billingUrl = 'http://127.0.0.1:3003';

  @EnvVar({
    name: 'CONSOLE_STATIC_DIR',
    description:
      'Directory of the built SPA (`vite build` output, with index.html); a relative path is ' +
      'relative to the repository (the directory of package.json). /health/ready answers 503 ' +
      'while it has no index.html.',
    example: 'dist/console',
  })
  @PatternVar(/^[^\0]{1,4096}$/, 'a directory path')
  staticDir = 'dist/console';

  @EnvVar({
    name: 'CONSOLE_UPSTREAM_TIMEOUT_MS',
    description:
      'How long a proxied call may wait for a service’s response headers (then the console ' +
      'answers 504 CONSOLE.UPSTREAM_TIMEOUT) or, once they came, for the next part of its body ' +
      '(then the download is cut off).',
    example: '30000',
  })
  @IntegerVar(100, 600_000)
  upstreamTimeoutMs = 30_000;

  @EnvVar({
    name: 'CONSOLE_MAX_BODY_BYTES',
    description:
      'Largest request body the console forwards (as the services’ own limit); larger is ' +
      'refused 413 REQUEST.TOO_LARGE before any service sees it.',
    example: '1048576',
  })
  @IntegerVar(0, 100 * 1024 * 1024)
  maxBodyBytes = 1024 * 1024;
}

export const CONSOLE_SERVICES = ['allocation', 'ingestion', 'billing'] as const;
export type ConsoleService = (typeof CONSOLE_SERVICES)[number];

export function upstreamUrls(config: ConsoleConfig): Record<ConsoleService, string> {
  return {
    allocation: config.allocationUrl,
    ingestion: config.ingestionUrl,
    billing: config.billingUrl,
  };
}
