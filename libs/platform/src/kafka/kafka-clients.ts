import { Injectable, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import {
  Admin,
  AdminConfig,
  Consumer,
  ConsumerConfig,
  Kafka,
  Partitioners,
  Producer,
  ProducerConfig,
} from 'kafkajs';
import { JsonLogger } from '../logging/json-logger';

const maxClients = 64;

/**
 * kafkajs's session timeout and a heartbeat interval that fits it: a third of the session (the
 * broker evicts a member after a session without heartbeat), at most kafkajs's default 3 s.
 */
export function consumerTimeouts(
  sessionTimeoutMs: number,
): Pick<ConsumerConfig, 'sessionTimeout' | 'heartbeatInterval'> {
  return {
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
  };
}

/**
 * The one place services get kafkajs producers, consumers and admins, so shutdown can find them:
 * consumers are disconnected first (kafkajs waits for the message being handled, then leaves the
 * group), producers and admins last, after HTTP has drained.
 */
@Injectable()
export class KafkaClients implements OnModuleDestroy, OnApplicationShutdown {
  private readonly consumers = new Set<Consumer>();
  private readonly others = new Set<Producer | Admin>();

  constructor(
    readonly kafka: Kafka,
    private readonly logger: JsonLogger,
    /** Defaults every consumer gets (a caller's own config wins), e.g. from consumerTimeouts. */
    private readonly consumerDefaults: Partial<ConsumerConfig> = {},
  ) {}

  producer(config: ProducerConfig = {}): Producer {
    const producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      ...config,
    });
    this.track(this.others, producer);
    return producer;
  }

  consumer(config: ConsumerConfig): Consumer {
    const consumer = this.kafka.consumer({ ...this.consumerDefaults, ...config });
    this.track(this.consumers, consumer);
    return consumer;
  }

  admin(config: AdminConfig = {}): Admin {
    const admin = this.kafka.admin(config);
    this.track(this.others, admin);
    return admin;
  }

  async onModuleDestroy(): Promise<void> {
    await this.disconnectAll(this.consumers, 'consumers stopped');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.disconnectAll(this.others, 'producers and admin clients disconnected');
  }

  private track<T extends Consumer | Producer | Admin>(set: Set<T>, client: T): void {
    if (this.consumers.size + this.others.size >= maxClients) {
      throw new Error(`more than ${maxClients} Kafka clients in one process; reuse them`);
    }
    set.add(client);
  }

  private async disconnectAll(clients: Set<Consumer | Producer | Admin>, done: string) {
    if (clients.size === 0) return;
    const results = await Promise.allSettled([...clients].map((client) => client.disconnect()));
    const failures = results.filter((result) => result.status === 'rejected');
    for (const failure of failures) {
      this.logger.write(
        'warn',
        'Kafka client did not disconnect cleanly',
        {
          err: failure.reason,
        },
        'Kafka',
      );
    }
    clients.clear();
    this.logger.write('info', done, { count: results.length }, 'Kafka');
  }
}
