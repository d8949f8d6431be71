import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. The OS picks it, so parallel workers do not
 * collide; another process could still take it before the caller binds, which is rare enough here.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() =>
        port === undefined ? reject(new Error('freePort: no port assigned')) : resolve(port),
      );
    });
  });
}

/**
 * `count` distinct free ports: freePort() closes its probe, so two calls in a row may hand out
 * the same port (for processes that will all listen at once).
 */
export async function freePorts(count: number): Promise<number[]> {
  const taken = new Set<number>();
  while (taken.size < count) taken.add(await freePort());
  return [...taken];
}
