import { JsonLogger } from '../logging/json-logger';
import { RelayEdge, type RelayLike } from './relay-edge';

class RecordingRelay implements RelayLike<string, number> {
  starts = 0;
  stops = 0;
  wakes = 0;
  constructor(private readonly failWith?: Error) {}
  start(): Promise<void> {
    this.starts += 1;
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }
  stop(): Promise<void> {
    this.stops += 1;
    return Promise.resolve();
  }
  wake(): void {
    this.wakes += 1;
  }
  status(): string {
    return 'subscription-status';
  }
  lag(): Promise<number> {
    return Promise.resolve(7);
  }
}

class TestEdge extends RelayEdge<string, number> {
  status() {
    return this.edgeStatus();
  }
}

const logger = new JsonLogger({ service: 'test', write: () => undefined });
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
};

describe('RelayEdge', () => {
  it('starts with the application, reports the relay, and stops with it', async () => {
    const relay = new RecordingRelay();
    const edge = new TestEdge(relay, { name: 'test relay', logger, autoStart: true });
    edge.onApplicationBootstrap();
    await until(() => edge.status().state === 'running');
    expect(edge.status()).toMatchObject({ state: 'running', subscription: 'subscription-status' });
    edge.wake();
    expect(relay.wakes).toBe(1);
    expect(await edge.lag()).toBe(7);
    await edge.onModuleDestroy();
    expect(relay.stops).toBeGreaterThanOrEqual(1);
  });

  it('never starts when disabled or without autoStart', async () => {
    const disabled = new RecordingRelay();
    const off = new TestEdge(disabled, { name: 'r', logger, autoStart: true, enabled: false });
    off.onApplicationBootstrap();
    off.start();
    const manual = new RecordingRelay();
    new TestEdge(manual, { name: 'r', logger, autoStart: false }).onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 20));
    expect([disabled.starts, manual.starts]).toEqual([0, 0]);
    expect(off.enabled).toBe(false);
  });

  it('gives up at once on a restored database (the ledger’s transaction ids went back)', async () => {
    const relay = new RecordingRelay(
      Object.assign(new Error('behind'), { code: 'LEDGER.TRANSACTION_IDS_BEHIND' }),
    );
    const edge = new TestEdge(relay, { name: 'r', logger, autoStart: true });
    edge.start();
    await until(() => edge.status().state === 'failed');
    expect(edge.status()).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: { code: 'LEDGER.TRANSACTION_IDS_BEHIND' },
    });
    await edge.stop();
  });
});
