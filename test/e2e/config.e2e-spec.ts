// A service started with a broken configuration stops at once, non-zero, saying which variable is
// wrong and why — on stderr, in one line an operator can read, without a stack trace.
import { freePort } from '@plafond/testing';
import { baseEnvironment, runToCompletion, SERVICE_NAMES, serviceEntryPoint } from './processes';

describe.each(SERVICE_NAMES)('the %s service with a broken configuration', (service) => {
  it('exits 1 naming every bad variable', async () => {
    const result = await runToCompletion(
      serviceEntryPoint(service),
      { ...baseEnvironment(), PORT: 'abc', KAFKA_BROKERS: 'kafka', LOG_LEVEL: 'loud' },
      30_000,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([]);
    expect(result.stderr).toEqual([
      // Declaration order, base classes first: LOG_LEVEL is every process's (ProcessConfig).
      `${service}: Invalid configuration: ` +
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, verbose (got "loud"); ' +
        'PORT must be an integer between 1 and 65535 (got "abc"); ' +
        'DATABASE_URL is required; ' +
        'KAFKA_BROKERS must be a comma-separated list of host:port (at most 100) (got "kafka")',
    ]);
  }, 60_000);
});

describe('a service whose database cannot be reached', () => {
  it('gives up after its bounded retries, exits 1 and logs why as JSON', async () => {
    const closedPort = await freePort();
    const result = await runToCompletion(
      serviceEntryPoint('billing'),
      {
        ...baseEnvironment(),
        PORT: String(await freePort()),
        DATABASE_URL: `postgres://plafond:hunter2@127.0.0.1:${closedPort}/plafond`,
        KAFKA_BROKERS: '127.0.0.1:9092',
      },
      60_000,
    );
    expect(result.code).toBe(1);
    const lines = result.jsonLines();
    expect(lines.at(-1)).toMatchObject({
      level: 'fatal',
      service: 'billing',
      msg: 'start failed',
      err: { message: expect.stringContaining('ECONNREFUSED') },
    });
    expect(result.stdout.join('\n')).not.toContain('hunter2');
  }, 90_000);
});
