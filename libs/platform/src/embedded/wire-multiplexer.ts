import { AddressInfo, createServer, Server, Socket } from 'node:net';
import {
  frontendMessages,
  FrontendPacket,
  FrontendReader,
  ReadyForQueryTracker,
  renameStatements,
} from './wire-protocol';

/** Executes one frontend message on the single database session, streaming the answer. */
export type ProtocolEngine = (
  message: Uint8Array,
  onData: (chunk: Uint8Array) => void,
) => Promise<void>;

export interface EmbeddedLogger {
  log(message: object): void;
  warn(message: object): void;
  error(message: object): void;
}

export interface MultiplexerOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: EmbeddedLogger;
  /** Log when one connection has owned the database longer than this (default 5 s). */
  readonly ownershipWarningMs?: number;
}

/**
 * Who may talk to the database. A connection owns it from its first message until the server
 * answers ReadyForQuery 'I' (idle, outside a transaction); the others wait their turn, in order.
 */
class Ownership {
  private owner: number | undefined;
  private since = 0;
  private readonly waiters: Array<{ readonly id: number; readonly grant: () => void }> = [];

  acquire(id: number): Promise<void> {
    if (this.owner === id) return Promise.resolve();
    if (this.owner === undefined) {
      this.grant(id);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiters.push({ id, grant: resolve });
    });
  }

  release(id: number): void {
    if (this.owner !== id) return;
    this.owner = undefined;
    const next = this.waiters.shift();
    if (next !== undefined) {
      this.grant(next.id);
      next.grant();
    }
  }

  isOwner(id: number): boolean {
    return this.owner === id;
  }

  current(): { readonly id: number; readonly since: number; readonly waiting: number } | undefined {
    return this.owner === undefined
      ? undefined
      : { id: this.owner, since: this.since, waiting: this.waiters.length };
  }

  private grant(id: number): void {
    this.owner = id;
    this.since = Date.now();
  }
}

/** One client connection: its messages run in order, each once the connection owns the database. */
class Connection {
  private readonly reader = new FrontendReader();
  private readonly tracker = new ReadyForQueryTracker();
  private readonly prepared = new Set<string>();
  private readonly prefix: string;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Terminate ('X') received: whatever follows it is ignored. */
  private terminated = false;
  /** Settles once the connection is gone and its session state is cleaned up. */
  readonly finished: Promise<void>;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly ownership: Ownership,
    private readonly engine: ProtocolEngine,
    private readonly logger: EmbeddedLogger,
  ) {
    this.prefix = `c${id}_`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => undefined);
    this.finished = new Promise((resolve) => {
      socket.once('close', () => {
        this.closed = true;
        this.queue = this.queue.then(() => this.cleanUp()).finally(resolve);
      });
    });
  }

  private receive(chunk: Buffer): void {
    let packets: FrontendPacket[];
    try {
      packets = this.reader.push(chunk);
    } catch (error) {
      this.logger.warn({
        msg: 'embedded postgres: protocol error, closing',
        connection: this.id,
        error: String(error),
      });
      this.socket.destroy();
      return;
    }
    for (const packet of packets) {
      if (this.terminated) return;
      this.handle(packet);
    }
  }

  private handle(packet: FrontendPacket): void {
    switch (packet.kind) {
      case 'encryption-request':
        this.socket.write('N'); // no TLS on a loopback socket to an in-process database
        return;
      case 'cancel-request':
        this.terminated = true;
        this.socket.end(); // one shared session: cancelling would hit whoever owns it
        return;
      case 'startup':
        this.enqueue(packet.bytes);
        return;
      case 'message':
        if (packet.type === 'X') {
          this.terminated = true;
          this.socket.end();
          return;
        }
        this.enqueue(this.rename(packet.bytes));
    }
  }

  private rename(message: Buffer): Buffer {
    const renamed = renameStatements(message, this.prefix);
    if (renamed.prepared !== undefined) this.prepared.add(renamed.prepared);
    if (renamed.closed !== undefined) this.prepared.delete(renamed.closed);
    return renamed.bytes;
  }

  private enqueue(message: Buffer): void {
    this.queue = this.queue
      .then(() => this.execute(message))
      .catch((error: unknown) => {
        this.logger.error({
          msg: 'embedded postgres: execution failed, closing the connection',
          connection: this.id,
          error: String(error),
        });
        this.socket.destroy();
      });
  }

  private async execute(message: Buffer): Promise<void> {
    if (this.closed) return; // cleanUp ends whatever the connection left half done
    await this.ownership.acquire(this.id);
    if (this.closed) return;
    await this.run(message, (chunk) => {
      if (!this.closed) this.socket.write(chunk);
    });
    if (this.tracker.endedIdle) this.ownership.release(this.id);
  }

  private async run(message: Buffer, onData: (chunk: Buffer) => void): Promise<void> {
    this.tracker.begin();
    await this.engine(
      new Uint8Array(message.buffer, message.byteOffset, message.length),
      (data) => {
        this.tracker.feed(data);
        onData(Buffer.from(data));
      },
    );
  }

  /**
   * What a closed PostgreSQL session would drop: an open transaction (explicit, or the implicit
   * one of a half-sent batch) is rolled back, the connection's prepared statements are closed.
   */
  private async cleanUp(): Promise<void> {
    const owner = this.ownership.isOwner(this.id);
    if (!owner && this.prepared.size === 0) return;
    await this.ownership.acquire(this.id);
    const discard = (): void => undefined;
    try {
      if (owner) {
        await this.run(frontendMessages.query('ROLLBACK'), discard);
        await this.run(frontendMessages.sync(), discard);
        if (this.tracker.transactionStatus !== 'I') {
          await this.run(frontendMessages.query('ROLLBACK'), discard);
        }
      }
      if (this.prepared.size > 0) {
        for (const name of this.prepared)
          await this.run(frontendMessages.closeStatement(name), discard);
        await this.run(frontendMessages.sync(), discard);
        this.prepared.clear();
      }
    } catch (error) {
      this.logger.error({
        msg: 'embedded postgres: cleanup after disconnect failed',
        connection: this.id,
        error: String(error),
      });
    } finally {
      this.ownership.release(this.id);
    }
  }
}

export interface Multiplexer {
  readonly port: number;
  /** Stops accepting, closes every connection and waits (up to `timeoutMs`) for their cleanup. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Serves the PostgreSQL wire protocol for many client connections over ONE database session
 * (PGlite is single-user), one transaction at a time. See docs/embedded-mode.md.
 */
export async function startMultiplexer(
  engine: ProtocolEngine,
  options: MultiplexerOptions,
): Promise<Multiplexer> {
  const ownership = new Ownership();
  const connections = new Set<Connection>();
  let nextId = 1;
  const server: Server = createServer((socket) => {
    const connection = new Connection(nextId++, socket, ownership, engine, options.logger);
    connections.add(connection);
    void connection.finished.then(() => connections.delete(connection));
  });
  const watchdog = startWatchdog(ownership, options);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(watchdog);
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: async (timeoutMs = 5_000) => {
      clearInterval(watchdog);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const finished = [...connections].map((connection) => {
        connection.socket.destroy();
        return connection.finished;
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all([stopped, ...finished]), timeout]);
      clearTimeout(timer);
    },
  };
}

/**
 * A connection that keeps the database longer than a transaction should is how code that awaits
 * another pool connection inside an open transaction shows up: it would wait forever.
 */
function startWatchdog(ownership: Ownership, options: MultiplexerOptions): NodeJS.Timeout {
  const limitMs = options.ownershipWarningMs ?? 5_000;
  let warned: string | undefined;
  const timer = setInterval(
    () => {
      const owner = ownership.current();
      if (owner === undefined) return;
      const heldMs = Date.now() - owner.since;
      const episode = `${owner.id}@${owner.since}`;
      if (heldMs <= limitMs || warned === episode) return;
      warned = episode;
      options.logger.warn({
        msg:
          'embedded postgres: one connection has owned the database for too long; the others wait ' +
          '(code awaiting another pool connection inside an open transaction deadlocks here)',
        connection: owner.id,
        heldMs,
        waiting: owner.waiting,
      });
    },
    Math.max(10, Math.min(1_000, Math.floor(limitMs / 4))),
  );
  timer.unref();
  return timer;
}
