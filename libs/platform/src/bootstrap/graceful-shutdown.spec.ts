import { INestApplication } from '@nestjs/common';
import { createServer } from 'node:http';
import { ShutdownState } from '../health/shutdown-state';
import { JsonLogger } from '../logging/json-logger';
import { installGracefulShutdown } from './graceful-shutdown';

// A signal nothing else in the test process listens to, raised with process.emit (no real signal).
const signal = 'SIGUSR2';

function setUp(close: () => Promise<void>, timeoutMs = 10_000) {
  const steps: string[] = [];
  const lines: string[] = [];
  const shutdownState = new ShutdownState();
  const app = {
    get: () => shutdownState,
    getHttpServer: () => createServer(),
    close: async () => {
      steps.push(`close (draining: ${shutdownState.draining})`);
      await close();
    },
  } as unknown as INestApplication;
  const exited = new Promise<number>((resolve) => {
    installGracefulShutdown(app, {
      timeoutMs,
      logger: new JsonLogger({ service: 'test', write: (line) => lines.push(line) }),
      signals: [signal],
      exit: (code) => {
        steps.push(`exit ${code}`);
        resolve(code);
      },
    });
  });
  const messages = () => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  return { exited, steps, messages };
}

afterEach(() => {
  process.removeAllListeners(signal);
});

describe('installGracefulShutdown', () => {
  it('drains, closes the application and exits 0', async () => {
    const { exited, steps, messages } = setUp(() => Promise.resolve());
    process.emit(signal, signal);
    expect(await exited).toBe(0);
    expect(steps).toEqual(['close (draining: true)', 'exit 0']);
    expect(messages()).toEqual(['shutting down', 'HTTP drained', 'shutdown complete']);
  });

  it('exits 1 with a log line when closing outlives the timeout', async () => {
    const { exited, messages } = setUp(() => new Promise<void>(() => undefined), 100);
    process.emit(signal, signal);
    expect(await exited).toBe(1);
    expect(messages()).toContain('shutdown timed out; exiting anyway');
  });

  it('exits 1 when closing fails', async () => {
    const { exited, messages } = setUp(() => Promise.reject(new Error('pool stuck')));
    process.emit(signal, signal);
    expect(await exited).toBe(1);
    expect(messages()).toContain('shutdown failed');
  });

  it('runs once, whatever the number of signals', async () => {
    let release: () => void = () => undefined;
    let closing: () => void = () => undefined;
    const closeStarted = new Promise<void>((resolve) => {
      closing = resolve;
    });
    const { exited, steps, messages } = setUp(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          closing();
        }),
    );
    process.emit(signal, signal);
    process.emit(signal, signal);
    await closeStarted;
    release();
    expect(await exited).toBe(0);
    expect(steps.filter((step) => step.startsWith('close'))).toHaveLength(1);
    expect(messages()).toContain('shutdown already in progress');
  });
});
