// Test-only: appends from several writers at once, the way services do (autocommit appends next
// to units of work spanning streams), so per-key order is checked under real interleavings.
import { setTimeout as sleep } from 'node:timers/promises';

import { decodeKafkaMessage } from '@plafond/contracts';

import { LedgerConcurrencyError } from '../../errors';
import type { EventStore, EventToAppend } from '../../types';
import type { ReadRecord } from './kafka-test-kit';

export const CONCURRENT_STREAMS = 6;
const AUTOCOMMIT_WRITERS = 3;
const UNIT_OF_WORK_WRITERS = 2;
/** Streams a unit of work appends to, one event each. */
const STREAMS_PER_UNIT = 3;
const MAX_UNIT_ATTEMPTS = 50;

const streamOf = (prefix: string, index: number) => `${prefix}s${index % CONCURRENT_STREAMS}`;

function debited(prefix: string, stream: number, id: string): EventToAppend {
  return {
    eventId: id,
    type: 'QuotaDebited',
    data: { amountMicroWh: String(id.length) },
    metadata: {
      partitionKey: `${prefix}unit-${stream % 3}`,
      occurredAt: '2025-01-01T10:00:00.000Z',
    },
  };
}

/**
 * Autocommit writers append two events at a time to their streams while units of work append
 * one event to each of three consecutive streams, pausing between streams: a unit of work holds
 * its transaction id while autocommit appends move the next stream's head. Units refused with a
 * retryable error run again whole. Returns how many events were appended.
 */
export async function appendConcurrently(
  store: EventStore,
  prefix: string,
  rounds: number,
): Promise<number> {
  const autocommit = Array.from({ length: AUTOCOMMIT_WRITERS }, async (_, writer) => {
    for (let round = 0; round < rounds; round++) {
      const stream = writer + (round % 2) * AUTOCOMMIT_WRITERS;
      const events = [0, 1].map((index) =>
        debited(prefix, stream, `${prefix}a${writer}-${round}-${index}`),
      );
      await store.appendToStream(streamOf(prefix, stream), events, { expectedVersion: 'any' });
      await sleep(1);
    }
  });
  const units = Array.from({ length: UNIT_OF_WORK_WRITERS }, async (_, writer) => {
    for (let round = 0; round < rounds; round++) {
      await runUnit(store, prefix, writer * 2 + round, `${prefix}u${writer}-${round}`);
    }
  });
  await Promise.all([...autocommit, ...units]);
  await store.appendToStream(`${prefix}internal`, [{ type: 'NoteTaken', data: { text: 'kept' } }]);
  return rounds * (AUTOCOMMIT_WRITERS * 2 + UNIT_OF_WORK_WRITERS * STREAMS_PER_UNIT);
}

async function runUnit(store: EventStore, prefix: string, first: number, id: string) {
  for (let attempt = 1; attempt <= MAX_UNIT_ATTEMPTS; attempt++) {
    try {
      await store.transaction(async (tx) => {
        for (let offset = 0; offset < STREAMS_PER_UNIT; offset++) {
          const stream = (first + offset) % CONCURRENT_STREAMS;
          await tx.appendToStream(streamOf(prefix, stream), [
            debited(prefix, stream, `${id}-${offset}`),
          ]);
          await sleep(2);
        }
      });
      return;
    } catch (error) {
      if (!(error instanceof LedgerConcurrencyError) || !error.retryable) throw error;
    }
  }
  throw new Error(`unit of work ${id} still refused after ${MAX_UNIT_ATTEMPTS} attempts`);
}

/** Per record key, per stream: the stream versions in the order the topic holds them. */
export function versionsByKeyAndStream(
  records: readonly ReadRecord[],
): Map<string, Map<string, bigint[]>> {
  const sorted = [...records].sort(
    (a, b) => a.partition - b.partition || Number(a.message.offset) - Number(b.message.offset),
  );
  const byKey = new Map<string, Map<string, bigint[]>>();
  for (const { message } of sorted) {
    const key = message.key?.toString('utf8') ?? '';
    const event = decodeKafkaMessage(message);
    const streams = byKey.get(key) ?? new Map<string, bigint[]>();
    const stream = String(event.ledgerstream);
    streams.set(stream, [...(streams.get(stream) ?? []), BigInt(String(event.ledgerversion))]);
    byKey.set(key, streams);
  }
  return byKey;
}
