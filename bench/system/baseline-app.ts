// The HTTP baselines of the system bench, one NestJS (Express) process started by the bench:
//   GET  /empty                      — an empty route: what NestJS + HTTP cost with no work;
//   POST /rowlock/reservations       — the naive reservation: one SQL transaction per request,
//                                      SELECT … FOR UPDATE on the unit's balance row, UPDATE, INSERT;
//   POST /rowlock/reservations/:id/release — the same, giving the amount back.
// No validation, no authentication, no ledger, no events: only the row lock that keeps a
// naive implementation from overspending. Run with
//   node --require ./bench/swc-register.js bench/system/baseline-app.ts
// and PORT, DATABASE_URL (schema bench_rowlock, created by the bench) and DATABASE_POOL_MAX.
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Param, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Pool, type PoolClient } from 'pg';

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_MAX ?? '10'),
});

async function transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The part of Express's response this controller uses (no @types/express here). */
interface Response {
  status(code: number): { json(body: unknown): void };
}

interface ReserveRequest {
  reservationId: string;
  unitId: string;
  amount: string;
}

@Controller()
class BaselineController {
  @Get('empty')
  empty(): Record<string, never> {
    return {};
  }

  @Post('rowlock/reservations')
  async reserve(@Body() body: ReserveRequest, @Res() response: Response): Promise<void> {
    const granted = await transaction(async (client) => {
      const { rows } = await client.query<{ available: string }>(
        `SELECT (allocated - reserved)::text AS available FROM bench_rowlock.balances
          WHERE unit_id = $1 FOR UPDATE`,
        [body.unitId],
      );
      const available = rows[0]?.available;
      if (available === undefined || BigInt(available) < BigInt(body.amount)) return false;
      await client.query(
        'UPDATE bench_rowlock.balances SET reserved = reserved + $2 WHERE unit_id = $1',
        [body.unitId, body.amount],
      );
      await client.query(
        `INSERT INTO bench_rowlock.reservations (reservation_id, unit_id, amount, status)
         VALUES ($1, $2, $3, 'pending')`,
        [body.reservationId, body.unitId, body.amount],
      );
      return true;
    });
    response
      .status(granted ? 201 : 422)
      .json(granted ? { reservationId: body.reservationId } : { code: 'QUOTA.EXCEEDED' });
  }

  @Post('rowlock/reservations/:id/release')
  @HttpCode(200)
  async release(@Param('id') reservationId: string): Promise<{ released: boolean }> {
    const released = await transaction(async (client) => {
      const { rows } = await client.query<{ unit_id: string; amount: string }>(
        `SELECT unit_id, amount::text AS amount FROM bench_rowlock.reservations
          WHERE reservation_id = $1 AND status = 'pending' FOR UPDATE`,
        [reservationId],
      );
      const row = rows[0];
      if (row === undefined) return false;
      await client.query('SELECT 1 FROM bench_rowlock.balances WHERE unit_id = $1 FOR UPDATE', [
        row.unit_id,
      ]);
      await client.query(
        'UPDATE bench_rowlock.balances SET reserved = reserved - $2 WHERE unit_id = $1',
        [row.unit_id, row.amount],
      );
      await client.query(
        `UPDATE bench_rowlock.reservations SET status = 'released' WHERE reservation_id = $1`,
        [reservationId],
      );
      return true;
    });
    return { released };
  }
}

@Module({ controllers: [BaselineController] })
class BaselineModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BaselineModule, { logger: ['error'] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void app.close().then(() => pool.end());
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
