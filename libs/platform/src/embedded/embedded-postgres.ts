import { Logger } from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { join, resolve } from 'node:path';
import { DataDirLock, lockDataDir } from './data-dir-lock';
import { EmbeddedLogger, Multiplexer, ProtocolEngine, startMultiplexer } from './wire-multiplexer';

export interface EmbeddedPostgresOptions {
  /** Holds the lock file and PGlite's data directory (`<dataDir>/pg`, created on first start). */
  readonly dataDir: string;
  readonly host?: string;
  /** 0 (the default) picks a free port; read it back from the result. */
  readonly port?: number;
  readonly logger?: EmbeddedLogger;
  /** Log when one connection has owned the database longer than this (default 5000). */
  readonly ownershipWarningMs?: number;
}

export interface RunningEmbeddedPostgres {
  /** `postgres://postgres@host:port/postgres`, for `pg` and TypeORM as they are. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops accepting, closes the connections (rolling back what they left open), then PGlite. */
  close(): Promise<void>;
}

/** PGlite's one user and database; the startup message's names are not checked. */
const USER = 'postgres';
const DATABASE = 'postgres';

function pgliteEngine(db: PGlite): ProtocolEngine {
  return (message, onData) =>
    db.runExclusive(() => db.execProtocolRawStream(message, { onRawData: onData }));
}

function postgresUrl(host: string, port: number): string {
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `postgres://${USER}@${hostPart}:${port}/${DATABASE}`;
}

/**
 * PostgreSQL in this process, for the single-machine embedded mode: PGlite (PostgreSQL compiled
 * to WebAssembly, one session) behind a transaction-aware wire-protocol multiplexer, so the same
 * `pg` pools and TypeORM data sources run unchanged. Durability is relaxed (no fsync): this is
 * for trying Plafond and for development, not for production. See docs/embedded-mode.md.
 */
export const EmbeddedPostgres = {
  async start(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
    const dataDir = resolve(options.dataDir);
    const host = options.host ?? '127.0.0.1';
    const logger = options.logger ?? new Logger('EmbeddedPostgres');
    const lock = await lockDataDir(dataDir, {
      onStaleLockTakenOver: (stale) =>
        logger.warn({ msg: 'embedded postgres: took over a stale lock', ...stale }),
    });
    let db: PGlite | undefined;
    try {
      const startedAt = Date.now();
      db = await PGlite.create({ dataDir: join(dataDir, 'pg') });
      const multiplexer = await startMultiplexer(pgliteEngine(db), {
        host,
        port: options.port ?? 0,
        logger,
        ...(options.ownershipWarningMs !== undefined
          ? { ownershipWarningMs: options.ownershipWarningMs }
          : {}),
      });
      const url = postgresUrl(host, multiplexer.port);
      logger.log({
        msg: 'embedded postgres ready',
        url,
        dataDir,
        startMs: Date.now() - startedAt,
      });
      return {
        url,
        port: multiplexer.port,
        dataDir,
        close: once(() => shutDown(multiplexer, db, lock, logger)),
      };
    } catch (error) {
      await db?.close().catch(() => undefined);
      await lock.release();
      throw error;
    }
  },
};

async function shutDown(
  multiplexer: Multiplexer,
  db: PGlite | undefined,
  lock: DataDirLock,
  logger: EmbeddedLogger,
): Promise<void> {
  try {
    await multiplexer.close();
    await db?.close();
  } finally {
    await lock.release();
    logger.log({ msg: 'embedded postgres stopped' });
  }
}

function once(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= work());
}
