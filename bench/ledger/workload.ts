import { randomUUID } from 'node:crypto';

export interface BenchEvent {
  type: string;
  data: Record<string, string | number>;
  metadata: Record<string, string>;
}

/**
 * A usage debit as the allocation service records it: about 200 bytes of JSON data. Every
 * contender appends exactly these objects.
 */
export function usageEvent(sequence: number): BenchEvent {
  return {
    type: 'UsageDebited',
    data: {
      unitId: `unit-${String(sequence % 997).padStart(5, '0')}`,
      useCase: 'assistant',
      model: 'llama-3.1-70b',
      requestId: randomUUID(),
      inputTokens: 1_000 + (sequence % 2_000),
      outputTokens: 200 + (sequence % 700),
      energyMicroWh: String(1_234_567 + sequence),
      carbonMicroG: String(98_765 + sequence),
    },
    metadata: {
      actor: 'gateway-eu-1',
      correlationId: 'bench-correlation',
      occurredAt: '2025-06-01T12:00:00.000Z',
    },
  };
}

export function eventBatch(size: number, firstSequence: number): BenchEvent[] {
  return Array.from({ length: size }, (_, index) => usageEvent(firstSequence + index));
}

export function dataBytes(event: BenchEvent): number {
  return Buffer.byteLength(JSON.stringify(event.data));
}
